import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'projen/lib/testing';
import { SlipwayProject, SlipwayProjectOptions } from '../src';
import { environmentSample, REGION_TIME_ZONES, resolveAppIdentity } from '../src/app-identity';
import { SAMPLES_DIR } from '../src/samples';

const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..', '..');

function synth(options: Partial<SlipwayProjectOptions> = {}, outdir?: string): Record<string, any> {
  return Testing.synth(
    new SlipwayProject({
      name: 'acme-shop',
      defaultReleaseBranch: 'main',
      outdir: outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-identity-')),
      ...options,
    }),
  );
}

const SHOP = {
  appName: 'shop',
  sourceRepository: 'acme/shop',
  awsRegion: 'us-east-2',
  devAccount: '380145624931',
  prodAccount: '905418127732',
  pipelineAccount: '555566667777',
  prodDomain: 'shop.acme.io',
};

describe("projen new takes the app's identity", () => {
  let files: Record<string, any>;
  beforeAll(() => {
    // GIVEN every identity option / WHEN a project is synthesized
    files = synth(SHOP);
  });

  test('index.ts: the app name, the repository, the pipeline account and region', () => {
    const index: string = files['environments/index.ts'];
    expect(index).toContain("export const appName = 'shop';");
    expect(index).toContain("repository: 'acme/shop',");
    expect(index).toContain("account: '555566667777',");
    expect(index).toContain("region: 'us-east-2',");
    expect(index).toContain(
      'arn:aws:codeconnections:us-east-2:555566667777:connection/00000000-0000-0000-0000-000000000000',
    );
    expect(index).toContain('(`shop-dev`, `shop-prod`, `shop-pipeline`)');
  });

  test('dev.ts and prod.ts: their accounts, the region and its zones, the namespaces, the prod domain', () => {
    const dev: string = files['environments/dev.ts'];
    const prod: string = files['environments/prod.ts'];
    expect(dev).toContain("account: '380145624931',");
    expect(dev).toContain("availabilityZones: ['us-east-2a', 'us-east-2b'],");
    expect(dev).toContain("namespace: 'dev.shop.local'");
    expect(prod).toContain("account: '905418127732',");
    expect(prod).toContain("namespace: 'prod.shop.local'");
    expect(prod).toContain("domainName: 'shop.acme.io'");
    expect(prod).toContain("hostedZoneName: 'acme.io'");
    // dev sleeps out of the region's working hours (us-east-2 is Ohio), not Dublin's.
    expect(dev).toContain(
      "schedule: { timezone: 'America/New_York', awake: { days: 'MON-FRI', from: '07:00', to: '20:00' } },",
    );
    expect(dev).toContain('07:00–20:00 in America/New_York');
    // Nothing of this repository's identity is left over.
    for (const text of [files['environments/index.ts'], dev, prod]) {
      expect(text).not.toMatch(
        /eu-west-1|111111111111|222222222222|slipway-dev|'slipway'|dev\.local'|app\.example\.com|Dublin/,
      );
    }
  });

  test('the runbook is written for the app', () => {
    const runbook = Object.keys(files).filter((file) => file.startsWith('docs/slipway/'));
    expect(runbook.sort()).toEqual(
      ['README.md', 'build-and-deploy.md', 'first-deploy.md', 'on-call.md', 'releases.md'].map(
        (file) => `docs/slipway/${file}`,
      ),
    );
    expect(files['docs/slipway/README.md']).toContain(
      '| dev | [environments/dev.ts](../../environments/dev.ts) | `shop-dev` |',
    );
    expect(files['docs/slipway/first-deploy.md']).toContain(
      'npx cdk bootstrap aws://ACCOUNT/us-east-2 --trust PIPELINE --cloudformation-execution-policies',
    );
    expect(files['docs/slipway/first-deploy.md']).toContain(
      'create-service-linked-role --aws-service-name ecs.amazonaws.com',
    );
    expect(files['docs/slipway/on-call.md']).toContain('npx slipway status --env prod --region us-east-2 --cluster');
    // What on call sees every 30 days: the backend replacing its tasks after the database password rotates.
    expect(files['docs/slipway/on-call.md']).toMatch(
      /## Every 30 days: the database password rotates\n[^#]*aws secretsmanager rotate-secret/,
    );
    // What on call gets when a task crashes: the stop code explained, and where the exit codes are.
    expect(files['docs/slipway/on-call.md']).toMatch(
      /## A task stopped unexpectedly\n[^#]*EssentialContainerExited[^#]*aws ecs describe-tasks/,
    );
    expect(files['docs/slipway/releases.md']).toContain('--stage-name Prod');
    expect(files['docs/slipway/build-and-deploy.md']).toContain('[architecture.md](../architecture.md)');
  });
});

describe('the defaults', () => {
  test('name the app after the project, keep the accounts and repository obvious placeholders', () => {
    const files = synth({ name: '@acme/web.shop' });
    expect(files['environments/index.ts']).toContain("export const appName = 'web-shop';");
    expect(files['environments/index.ts']).toContain("repository: 'example-org/web-shop',");
    expect(files['environments/dev.ts']).toContain("account: '111111111111',");
    expect(files['environments/prod.ts']).toContain("account: '222222222222',");
    expect(files['environments/prod.ts']).toContain("domainName: 'web-shop.example.com'");
    expect(files['environments/prod.ts']).toContain("hostedZoneName: 'example.com'");
  });
});

describe('the runbook', () => {
  test("is read-only, rewritten by projen, and follows environments/ once the team has changed it; the team's docs/README.md stays", () => {
    // GIVEN a generated project whose team renamed the app and wrote its own docs/README.md
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-runbook-'));
    const project = () => new SlipwayProject({ name: 'acme-shop', defaultReleaseBranch: 'main', outdir, ...SHOP });
    // synth() outside Testing.synth would run npm install in the temp project.
    process.env.PROJEN_DISABLE_POST = 'true';
    project().synth();
    const index = path.join(outdir, 'environments', 'index.ts');
    fs.writeFileSync(index, fs.readFileSync(index, 'utf8').replace("appName = 'shop'", "appName = 'storefront'"));
    fs.writeFileSync(path.join(outdir, 'docs', 'README.md'), '# Our runbook notes\n');
    // WHEN projen runs again
    project().synth();
    delete process.env.PROJEN_DISABLE_POST;
    // THEN the runbook names the new stacks, and the team's file is as they wrote it
    expect(fs.readFileSync(path.join(outdir, 'docs', 'slipway', 'README.md'), 'utf8')).toContain('`storefront-prod`');
    expect(fs.readFileSync(path.join(outdir, 'docs', 'README.md'), 'utf8')).toBe('# Our runbook notes\n');
    // read-only: nobody may write it (projen writes generated files with mode 0444)
    // eslint-disable-next-line no-bitwise
    expect((fs.statSync(path.join(outdir, 'docs', 'slipway', 'on-call.md')).mode & 0o777).toString(8)).toBe('444');
  });
});

describe('sample READMEs', () => {
  test("link Slipway's documentation online, never a docs/ file the generated project does not have", () => {
    const files = synth();
    for (const dir of ['backend', 'frontend', 'infra']) {
      const readme: string = files[`packages/${dir}/README.md`];
      expect(readme).toContain('https://github.com/slipway-dev/slipway/blob/');
      expect(readme).not.toContain('](../../docs/');
    }
  });
});

describe('identity option validation', () => {
  test.each([
    ['appName', 'My_Shop', /option "appName" is invalid; got "My_Shop"\. Use 2 to 40 lowercase letters/],
    ['sourceRepository', 'acme', /option "sourceRepository" is invalid; got "acme"\. Use "owner\/name"/],
    ['awsRegion', 'Ireland', /option "awsRegion" is invalid; got "Ireland"\. Use an AWS region code/],
    ['devAccount', '1234', /option "devAccount" is invalid; got "1234"\. Use the 12-digit AWS account id/],
    ['prodAccount', 'prod', /option "prodAccount" is invalid/],
    ['pipelineAccount', '12345678901x', /option "pipelineAccount" is invalid/],
    ['prodDomain', 'https://shop.acme.io', /option "prodDomain" is invalid; got "https:\/\/shop\.acme\.io"/],
  ])('%s %j is refused with the fix', (option, value, message) => {
    expect(() => resolveAppIdentity('acme-shop', { [option]: value })).toThrow(message);
  });
});

test.each([
  ['us-west-2', 'America/Los_Angeles'],
  ['ap-south-1', 'Asia/Kolkata'],
  ['eu-west-1', 'Europe/Dublin'],
  ['xx-future-1', 'UTC'],
])("dev's sample schedule in %s keeps the hours of %s (a valid schedule time zone)", (awsRegion, timezone) => {
  const identity = resolveAppIdentity('shop', { awsRegion });
  expect(identity.timezone).toBe(timezone);
  const text = fs.readFileSync(path.join(REPOSITORY_ROOT, 'environments', 'dev.ts'), 'utf8');
  const dev = environmentSample('dev.ts', text, identity);
  expect(dev).toContain(`schedule: { timezone: '${timezone}',`);
});

test("every region's sample time zone is a canonical IANA name (synth refuses others: Application Auto Scaling does)", () => {
  // ICU still answers a few renamed zones by their old names; the settings accept the new ones all the same.
  const icuOldNames: Record<string, string> = { 'Asia/Kolkata': 'Asia/Calcutta' };
  for (const timezone of Object.values(REGION_TIME_ZONES)) {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
    expect([timezone, icuOldNames[timezone]]).toContain(resolved);
  }
});

describe("this repository's own environments/", () => {
  test('are the sample: written for app slipway they come out as they are', () => {
    // The samples are copied from environments/; the substitutions must all still match them, and with this
    // repository's own identity change nothing.
    const identity = resolveAppIdentity('slipway', {
      sourceRepository: 'slipway-dev/slipway',
      prodDomain: 'app.example.com',
    });
    for (const file of ['index.ts', 'dev.ts', 'prod.ts']) {
      const text = fs.readFileSync(path.join(REPOSITORY_ROOT, 'environments', file), 'utf8');
      const sample = environmentSample(file, text, identity);
      // Only the Cloud Map namespaces differ: a generated app's carry its name.
      expect(sample.replace(/\b(dev|prod)\.slipway\.local\b/g, '$1.local')).toBe(text);
    }
    expect(fs.existsSync(path.join(SAMPLES_DIR, 'environments', 'index.ts'))).toBe(true);
  });

  test("name the app slipway, so this repository's stacks keep their names (slipway-dev, -prod, -pipeline)", () => {
    const index = fs.readFileSync(path.join(REPOSITORY_ROOT, 'environments', 'index.ts'), 'utf8');
    expect(index).toContain("export const appName = 'slipway';");
  });
});
