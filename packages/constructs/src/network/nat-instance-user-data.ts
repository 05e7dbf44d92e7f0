/** Where the NAT set-up script reports its result: the instance's own resource in its stack. */
export interface NatInstanceSignal {
  /** Name of the stack holding the instance (may be a token). */
  readonly stackName: string;
  /** Logical id of the `AWS::EC2::Instance` whose CreationPolicy waits for the signal (may be a token). */
  readonly logicalId: string;
  /** Region of the stack (may be a token). */
  readonly region: string;
}

/**
 * The user data of a Slipway NAT instance on Amazon Linux 2023: a bash script
 * that turns the instance into a NAT and proves it did, instead of CDK's
 * default commands, which run once, without retries or checks, so a dnf
 * race while cloud-init runs (aws-cdk#36717) leaves the private subnets
 * without egress and nobody notices until tasks cannot pull images.
 *
 * The script
 * - installs iptables-services with retries and backoff;
 * - turns on IPv4 forwarding now and in /etc/sysctl.d (kept across reboots);
 * - finds the primary interface from the default route at run time (AL2023 on
 *   Nitro names it ens5, not eth0), opens the FORWARD chain that
 *   iptables-services' default rules reject, masquerades out of that
 *   interface, and saves the rules for the iptables service to restore on boot;
 * - verifies each of these and exits non-zero, logging what is missing, when one does not hold;
 * - with `signal`, reports the result with cfn-signal, so the instance's
 *   CreationPolicy fails the deployment instead of leaving a NAT that does not forward.
 *
 * `SLIPWAY_NAT_ROOT` prefixes every file path; only the tests set it.
 */
export function natInstanceUserData(signal?: NatInstanceSignal): string {
  return `#!/bin/bash
set -uo pipefail
ROOT="\${SLIPWAY_NAT_ROOT:-}"
SIGNAL_STACK='${signal?.stackName ?? ''}'
SIGNAL_RESOURCE='${signal?.logicalId ?? ''}'
SIGNAL_REGION='${signal?.region ?? ''}'
SYSCTL_CONF="$ROOT/etc/sysctl.d/90-slipway-nat.conf"
IPTABLES_RULES="$ROOT/etc/sysconfig/iptables"
CFN_SIGNAL="$ROOT/opt/aws/bin/cfn-signal"

log() {
  echo "slipway-nat: $*" >&2
  logger -t slipway-nat -- "$*" 2>/dev/null || true
}

# retry ATTEMPTS FIRST_DELAY_SECONDS COMMAND...: waits double after each failure, at most 60 s.
retry() {
  local attempts="$1" delay="$2" attempt=1
  shift 2
  until "$@"; do
    if [ "$attempt" -ge "$attempts" ]; then
      log "gave up after $attempt attempts: $*"
      return 1
    fi
    log "attempt $attempt of $attempts failed: $*; retrying in $delay s"
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2 > 60 ? 60 : delay * 2))
  done
}

primary_interface() {
  ip -o -4 route show default | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }'
}

has_default_route() {
  [ -n "$(primary_interface)" ]
}

verify() {
  local interface="$1" failed=0
  if [ "$(sysctl -n net.ipv4.ip_forward)" != "1" ]; then
    log "check failed: net.ipv4.ip_forward is not 1"
    failed=1
  fi
  if ! grep -Eq '^[[:space:]]*net\\.ipv4\\.ip_forward[[:space:]]*=[[:space:]]*1[[:space:]]*$' "$SYSCTL_CONF"; then
    log "check failed: $SYSCTL_CONF does not keep net.ipv4.ip_forward = 1 across reboots"
    failed=1
  fi
  if ! iptables -t nat -C POSTROUTING -o "$interface" -j MASQUERADE; then
    log "check failed: no MASQUERADE rule out of $interface"
    failed=1
  fi
  # grep without -q reads all of its input: an early exit could SIGPIPE iptables and, with pipefail, hide a match.
  if iptables -S FORWARD | grep -- '-j REJECT' >/dev/null; then
    log "check failed: the FORWARD chain still rejects forwarded packets"
    failed=1
  fi
  if ! grep -q -- "-A POSTROUTING -o $interface -j MASQUERADE" "$IPTABLES_RULES"; then
    log "check failed: $IPTABLES_RULES does not restore the MASQUERADE rule on boot"
    failed=1
  fi
  if ! systemctl is-enabled --quiet iptables; then
    log "check failed: the iptables service is not enabled, so the rules are lost on reboot"
    failed=1
  fi
  return "$failed"
}

set_up() {
  retry 8 5 dnf install -y iptables-services || return 1
  printf 'net.ipv4.ip_forward = 1\\n' > "$SYSCTL_CONF" || return 1
  sysctl -p "$SYSCTL_CONF" || return 1
  retry 6 5 has_default_route || return 1
  INTERFACE="$(primary_interface)"
  log "primary interface: $INTERFACE"
  retry 3 5 systemctl enable --now iptables || return 1
  iptables -F FORWARD || return 1
  iptables -t nat -C POSTROUTING -o "$INTERFACE" -j MASQUERADE 2>/dev/null \\
    || iptables -t nat -A POSTROUTING -o "$INTERFACE" -j MASQUERADE || return 1
  iptables-save > "$IPTABLES_RULES" || return 1
  verify "$INTERFACE"
}

send_signal() {
  local code="$1"
  [ -n "$SIGNAL_STACK" ] || return 0
  if [ ! -x "$CFN_SIGNAL" ]; then
    retry 5 5 dnf install -y aws-cfn-bootstrap || log "cannot install cfn-signal"
  fi
  # Where the package puts it is /opt/aws/bin on Amazon Linux; on PATH it is found wherever an image keeps it.
  if [ ! -x "$CFN_SIGNAL" ] && command -v cfn-signal >/dev/null 2>&1; then
    CFN_SIGNAL="$(command -v cfn-signal)"
  fi
  "$CFN_SIGNAL" -e "$code" --stack "$SIGNAL_STACK" --resource "$SIGNAL_RESOURCE" --region "$SIGNAL_REGION" \\
    || log "could not signal CloudFormation; the deployment fails when the CreationPolicy times out"
}

INTERFACE=""
code=0
set_up || code=1
if [ "$code" -eq 0 ]; then
  log "NAT ready: forwarding on, masquerading out of $INTERFACE"
else
  log "NAT set-up FAILED: the private subnets have no internet egress. See /var/log/cloud-init-output.log."
fi
send_signal "$code"
exit "$code"
`;
}
