import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { natInstanceUserData } from '../../src/network/nat-instance-user-data';
import { SlipwayNetwork } from '../../src/network/slipway-network';
import { TestStack } from '../fixtures/stacks';

// The NAT user data runs for real under bash here, with the system commands it calls (dnf, ip,
// sysctl, iptables, iptables-save, systemctl, sleep, logger, cfn-signal) replaced by stubs on PATH
// that keep their state in files, the way the real ones keep it in the kernel and /etc.
// The stubs answer as the real tools do on Amazon Linux 2023: `ip -o -4 route show default` prints
// "default via <gw> dev <if> ...", iptables-services starts with a FORWARD rule that REJECTs, and
// iptables-save prints "-A <chain> <rule>" lines under a "*<table>" header.

const STUBS: Record<string, string> = {
  dnf: `
count=$(cat "$STATE/dnf-count" 2>/dev/null || echo 0); count=$((count + 1)); echo "$count" > "$STATE/dnf-count"
if [ "$count" -le "\${DNF_FAILURES:-0}" ]; then
  echo "[Errno 2] No such file or directory: '/var/cache/dnf/amazonlinux/packages/iptables-libs.rpm'" >&2; exit 1
fi`,
  ip: `
count=$(cat "$STATE/ip-count" 2>/dev/null || echo 0); count=$((count + 1)); echo "$count" > "$STATE/ip-count"
if [ "$count" -gt "\${ROUTE_MISSING_CALLS:-0}" ]; then
  echo "default via 10.0.0.1 dev \${PRIMARY_INTERFACE:-ens5} proto dhcp src 10.0.0.10 metric 512"
fi`,
  sysctl: `
if [ "$1" = "-p" ]; then
  [ "\${SYSCTL_IGNORES_WRITES:-}" = 1 ] && exit 0
  grep -Eq 'net\\.ipv4\\.ip_forward *= *1' "$2" && echo 1 > "$STATE/ip_forward"
elif [ "$1" = "-n" ]; then
  cat "$STATE/ip_forward" 2>/dev/null || echo 0
fi`,
  iptables: `
table=filter
if [ "$1" = "-t" ]; then table="$2"; shift 2; fi
op="$1"; chain="$2"; shift 2; rule="$table $chain $*"
case "$op" in
  -A) echo "$rule" >> "$STATE/rules" ;;
  -C) grep -qxF -- "$rule" "$STATE/rules" ;;
  -F) [ "\${IPTABLES_FLUSH_IGNORED:-}" = 1 ] && exit 0
      grep -v "^$table $chain " "$STATE/rules" > "$STATE/rules.new"; mv "$STATE/rules.new" "$STATE/rules" ;;
  -S) grep "^$table $chain " "$STATE/rules" | sed "s/^$table $chain /-A $chain /" ;;
esac`,
  'iptables-save': `
for table in filter nat; do
  echo "*$table"
  grep "^$table " "$STATE/rules" | sed -E "s/^$table ([A-Z]+) /-A \\1 /"
  echo COMMIT
done`,
  systemctl: `
case "$1" in
  enable) touch "$STATE/iptables-enabled" ;;
  is-enabled) [ -f "$STATE/iptables-enabled" ] ;;
esac`,
  sleep: ':',
  logger: ':',
};

interface Run {
  readonly status: number | null;
  readonly stderr: string;
  /** Every stubbed command run, in order, as "name args". */
  readonly calls: string[];
  readonly root: string;
  readonly savedRules: string;
}

function runUserData(script: string, env: Record<string, string> = {}, cfnSignalOnPathOnly = false): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-nat-'));
  const [bin, state, root] = ['bin', 'state', 'root'].map((name) => path.join(dir, name));
  for (const folder of [
    bin,
    state,
    ...['etc/sysctl.d', 'etc/sysconfig', 'opt/aws/bin'].map((p) => path.join(root, p)),
  ]) {
    fs.mkdirSync(folder, { recursive: true });
  }
  // iptables-services' stock /etc/sysconfig/iptables rejects forwarded packets.
  fs.writeFileSync(path.join(state, 'rules'), 'filter FORWARD -j REJECT --reject-with icmp-host-prohibited\n');
  const stubs: Record<string, string> = {
    ...Object.fromEntries(Object.entries(STUBS).map(([name, body]) => [path.join(bin, name), body])),
    [cfnSignalOnPathOnly ? path.join(bin, 'cfn-signal') : path.join(root, 'opt/aws/bin/cfn-signal')]: '',
  };
  for (const [file, body] of Object.entries(stubs)) {
    fs.writeFileSync(file, `#!/bin/bash\necho "${path.basename(file)} $*" >> "$STATE/calls"\n${body}\n`, {
      mode: 0o755,
    });
  }
  const scriptFile = path.join(dir, 'user-data.sh');
  fs.writeFileSync(scriptFile, script);
  const result = spawnSync('bash', [scriptFile], {
    env: { PATH: `${bin}:/usr/bin:/bin`, STATE: state, SLIPWAY_NAT_ROOT: root, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
  return {
    status: result.status,
    stderr: result.stderr,
    calls: read(path.join(state, 'calls')).split('\n').filter(Boolean),
    root,
    savedRules: read(path.join(root, 'etc/sysconfig/iptables')),
  };
}

const SIGNAL = { stackName: 'shop-dev', logicalId: 'NetworkVpcPublicSubnet1NatInstance', region: 'eu-west-1' };

describe('NAT instance user data', () => {
  test('retries the package install through a dnf race, then forwards and masquerades out of the primary interface found at run time', () => {
    // GIVEN dnf fails twice the way aws-cdk#36717 shows, on an instance whose primary interface is ens5
    // WHEN the user data runs
    const run = runUserData(natInstanceUserData(SIGNAL), { DNF_FAILURES: '2' });

    // THEN it retried with backoff and set everything up
    expect(run.stderr).toContain('NAT ready');
    expect(run.status).toBe(0);
    expect(run.calls.filter((call) => call === 'dnf install -y iptables-services')).toHaveLength(3);
    expect(run.calls.filter((call) => call.startsWith('sleep'))).toEqual(['sleep 5', 'sleep 10']);
    expect(run.calls).toContain('iptables -t nat -A POSTROUTING -o ens5 -j MASQUERADE');
    expect(run.calls.join('\n')).not.toContain('eth0');
    // forwarding persists across reboots: the sysctl file and the rules the iptables service restores
    expect(fs.readFileSync(path.join(run.root, 'etc/sysctl.d/90-slipway-nat.conf'), 'utf8')).toBe(
      'net.ipv4.ip_forward = 1\n',
    );
    expect(run.savedRules).toContain('-A POSTROUTING -o ens5 -j MASQUERADE');
    expect(run.savedRules).not.toContain('REJECT');
    expect(run.calls).toContain('systemctl enable --now iptables');
    // and it told CloudFormation it succeeded
    expect(run.calls.at(-1)).toBe(
      'cfn-signal -e 0 --stack shop-dev --resource NetworkVpcPublicSubnet1NatInstance --region eu-west-1',
    );
  });

  test('waits for the default route and uses whatever the interface is called', () => {
    const run = runUserData(natInstanceUserData(SIGNAL), { PRIMARY_INTERFACE: 'enX0', ROUTE_MISSING_CALLS: '2' });

    expect(run.status).toBe(0);
    expect(run.savedRules).toContain('-A POSTROUTING -o enX0 -j MASQUERADE');
    expect(run.calls.filter((call) => call.startsWith('sleep'))).toEqual(['sleep 5', 'sleep 10']);
  });

  test('gives up after its retries, exits non-zero and signals the failure', () => {
    const run = runUserData(natInstanceUserData(SIGNAL), { DNF_FAILURES: '100' });

    expect(run.status).not.toBe(0);
    expect(run.calls.filter((call) => call === 'dnf install -y iptables-services')).toHaveLength(8);
    expect(run.calls.some((call) => call.startsWith('iptables '))).toBe(false);
    expect(run.stderr).toContain('gave up after 8 attempts: dnf install -y iptables-services');
    expect(run.stderr).toContain('NAT set-up FAILED');
    expect(run.calls.at(-1)).toMatch(/^cfn-signal -e 1 /);
  });

  test('verifies forwarding instead of trusting the commands: a setting that did not take fails the set-up', () => {
    // GIVEN sysctl accepts the file but the kernel setting stays off
    const run = runUserData(natInstanceUserData(SIGNAL), { SYSCTL_IGNORES_WRITES: '1' });

    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('check failed: net.ipv4.ip_forward is not 1');
    expect(run.calls.at(-1)).toMatch(/^cfn-signal -e 1 /);
  });

  test("fails when iptables-services' REJECT rule is still in the FORWARD chain", () => {
    const run = runUserData(natInstanceUserData(SIGNAL), { IPTABLES_FLUSH_IGNORED: '1' });

    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('check failed: the FORWARD chain still rejects forwarded packets');
    expect(run.calls.at(-1)).toMatch(/^cfn-signal -e 1 /);
  });

  test('the script in the synthesized template is the one tested here, and signals its own instance', () => {
    // GIVEN a network with a NAT instance / WHEN synthesized
    const stack = new TestStack();
    new SlipwayNetwork(stack, 'Network', {
      availabilityZones: ['eu-west-1a'],
      natProvider: 'instance',
      natInstanceImage: ec2.MachineImage.genericLinux({ 'eu-west-1': 'ami-0a1b2c3d4e5f67890' }),
    });
    const [[logicalId, instance]] = Object.entries(Template.fromStack(stack).findResources('AWS::EC2::Instance'));

    // THEN the user data CloudFormation hands to EC2 runs as above
    const run = runUserData(instance.Properties.UserData['Fn::Base64'], { DNF_FAILURES: '1' });
    expect(run.status).toBe(0);
    expect(run.calls.at(-1)).toBe(`cfn-signal -e 0 --stack Test --resource ${logicalId} --region eu-west-1`);
  });

  test('when the helper scripts are not in /opt/aws/bin even after the install, it signals with the cfn-signal on PATH', () => {
    // amazon-linux-2023#768: images without /opt/aws/bin/cfn-signal. Without a signal the CreationPolicy times out
    // after 15 minutes and the deploy fails, although the NAT works.
    const run = runUserData(natInstanceUserData(SIGNAL), {}, true);

    expect(run.status).toBe(0);
    expect(run.calls).toContain('dnf install -y aws-cfn-bootstrap');
    expect(run.calls.at(-1)).toBe(
      'cfn-signal -e 0 --stack shop-dev --resource NetworkVpcPublicSubnet1NatInstance --region eu-west-1',
    );
  });

  test('without a signal target it sets up the NAT and signals nothing', () => {
    const run = runUserData(natInstanceUserData());

    expect(run.status).toBe(0);
    expect(run.calls.some((call) => call.startsWith('cfn-signal'))).toBe(false);
  });
});
