import * as fs from 'fs';
import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { EnvironmentConfig } from '../../src/config';
import {
  AcknowledgementSet,
  MIN_ACKNOWLEDGEMENT_REASON_LENGTH,
  acknowledgeFindings,
  collectAcknowledgements,
  enforceSecurityChecks,
} from '../../src/nag';
import { sampleApp, sampleServices } from '../fixtures/apps';
import { devHttpApi, devLike, prodCanary, prodLike } from '../fixtures/environments';
import { SECURITY_DOC_PATH, renderSecurityDoc } from '../fixtures/security-doc';
import { PIPELINE_ACCOUNT, SETTINGS, environment, pipelineApp } from '../pipeline/fixtures';

function stackInStage(): { app: App; stack: Stack } {
  const app = new App();
  enforceSecurityChecks(app);
  const stage = new Stage(app, 'Prod', { env: { account: '222222222222', region: 'eu-west-1' } });
  return { app, stack: new Stack(stage, 'Service') };
}

describe('enforceSecurityChecks', () => {
  test('GIVEN a non-compliant bucket inside a pipeline Stage WHEN the app is synthesized THEN synth fails naming the finding', () => {
    const { app, stack } = stackInStage();
    new s3.Bucket(stack, 'Unlogged');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1[\s\S]*Prod\/Service\/Unlogged\/Resource/);
  });

  test('GIVEN only a warning-level finding WHEN synthesized THEN synth still fails', () => {
    const { app, stack } = stackInStage();
    new ec2.CfnNetworkAcl(stack, 'Acl', { vpcId: 'vpc-12345678' });
    expect(() => app.synth()).toThrow(/AwsSolutions-VPC3/);
  });

  test("GIVEN a warning next to a finding acknowledged in CDK's namespaced form WHEN synthesized THEN the warning still fails synth", () => {
    const { app, stack } = stackInStage();
    const acl = new ec2.CfnNetworkAcl(stack, 'Acl', { vpcId: 'vpc-12345678' });
    const entry = new ec2.CfnNetworkAclEntry(stack, 'Entry', {
      networkAclId: acl.ref,
      ruleNumber: 100,
      protocol: -1,
      ruleAction: 'deny',
      cidrBlock: '10.0.0.0/8',
    });
    Validations.of(entry).acknowledge({
      id: 'AwsSolutions::AwsSolutions-VPC3',
      reason: 'testing that a namespaced acknowledgement does not relax other warnings',
    });
    expect(() => app.synth()).toThrow(/Prod\/Service\/Acl [\s\S]*AwsSolutions-VPC3/);
  });

  test('GIVEN the finding acknowledged on its resource WHEN synthesized THEN synth passes', () => {
    const { app, stack } = stackInStage();
    const acl = new ec2.CfnNetworkAcl(stack, 'Acl', { vpcId: 'vpc-12345678' });
    acknowledgeFindings(acl, {
      id: 'AwsSolutions-VPC3',
      reason: 'a test ACL that exists to prove acknowledgements work',
    });
    expect(() => app.synth()).not.toThrow();
  });

  test('GIVEN two calls on one App WHEN synthesized THEN each finding is reported once', () => {
    const { app, stack } = stackInStage();
    enforceSecurityChecks(app);
    new ec2.CfnNetworkAcl(stack, 'Acl', { vpcId: 'vpc-12345678' });
    expect(() => app.synth()).toThrow(/^(?![\s\S]*VPC3[\s\S]*VPC3)[\s\S]*AwsSolutions-VPC3/);
  });

  test('GIVEN a Stage instead of the App WHEN enforcing THEN it is refused', () => {
    const stage = new Stage(new App(), 'Prod');
    expect(() => enforceSecurityChecks(stage as App)).toThrow(/must be the CDK App/);
  });
});

describe('acknowledgeFindings', () => {
  test('GIVEN the App as scope THEN it is refused', () => {
    expect(() =>
      acknowledgeFindings(new App(), { id: 'AwsSolutions-S1', reason: 'hiding a finding for the whole application' }),
    ).toThrow(/must be the construct that owns the resource, not an App or Stage/);
  });

  test('GIVEN a Stage as scope THEN it is refused', () => {
    expect(() =>
      acknowledgeFindings(new Stage(new App(), 'Prod'), {
        id: 'AwsSolutions-S1',
        reason: 'hiding a finding for the whole stage',
      }),
    ).toThrow(/not an App or Stage/);
  });

  test('GIVEN a reason under 20 characters THEN it is refused', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => acknowledgeFindings(stack, { id: 'AwsSolutions-S1', reason: 'not needed' })).toThrow(
      /acknowledgement AwsSolutions-S1 reason must be at least 20 characters; got "not needed"/,
    );
  });
});

describe('the sample app and the delivery pipeline', () => {
  const sets: AcknowledgementSet[] = [];
  const unacknowledged: Record<string, number> = {};
  /** Paths of every App and Stage synthesized, where no acknowledgement may sit. */
  const appAndStagePaths = new Set<string>();

  function synthesizeAndCollect(title: string, description: string, app: App): void {
    // WHEN synthesized (throws on any unacknowledged finding)
    app.synth();
    for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
      unacknowledged[`${title} ${pack.readPackName}`] = pack.validateScope(app).violations.length;
    }
    for (const construct of app.node.findAll()) {
      if (App.isApp(construct) || Stage.isStage(construct)) appAndStagePaths.add(construct.node.path);
    }
    sets.push({ title, description, acknowledgements: collectAcknowledgements(app) });
  }

  beforeAll(() => {
    // The data tier as the samples have it: the backend uses both and migrates before its update.
    const withData = (config: EnvironmentConfig, data: Pick<EnvironmentConfig, 'database' | 'cache'>) => ({
      ...config,
      ...data,
      services: { ...config.services, backend: { ...config.services.backend, uses: ['database', 'cache'] as const } },
    });
    // A service's own settings: a plain variable and a secret of each kind the execution role is granted.
    const withOwnSettings = (config: EnvironmentConfig): EnvironmentConfig => ({
      ...config,
      services: {
        ...config.services,
        backend: {
          ...config.services.backend,
          environment: { TEMPORAL_ADDRESS: 'temporal.example.com:7233' },
          secrets: {
            TEMPORAL_API_KEY: { create: true },
            SENTRY_DSN: {
              secretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:sentry/dev-Q1w2E3',
              field: 'dsn',
            },
            STRIPE_API_KEY: { parameterName: '/payments/dev/stripe-api-key' },
          },
        },
      },
    });
    const migrating = { backend: { ...sampleServices().backend, migrationCommand: ['node', 'dist/migrate.js', 'up'] } };
    const apps = [
      ['dev-like', devLike, false, 'HTTP only, one NAT instance, Spot, no autoscaling'],
      [
        'dev-like behind the HTTP API',
        withOwnSettings(
          withData(devHttpApi, {
            database: { engine: 'aurora-serverless', minCapacity: 0, maxCapacity: 2 },
            cache: { mode: 'serverless' },
          }),
        ),
        false,
        "`ingress: { type: 'http-api' }`: an API Gateway HTTP API with a VPC link instead of the load balancer, one NAT instance, Spot, no autoscaling; Aurora Serverless v2 pausing at 0 ACU and ElastiCache Serverless, used by the backend, which migrates before its update; the backend's own settings with a secret the stack creates, a Secrets Manager secret and a Parameter Store parameter",
      ],
      [
        'prod-like (inside a pipeline Stage)',
        withData(prodLike, {
          database: { engine: 'aurora-serverless', minCapacity: 0.5, maxCapacity: 8, readers: 1 },
          cache: { mode: 'node', nodeType: 'cache.t4g.small', replicas: 1 },
        }),
        true,
        'HTTPS, WAF, NAT gateway per AZ, autoscaling; an Aurora writer and reader in two zones and a Valkey replication group with a replica, used by the backend',
      ],
      [
        'prod-like (inside a pipeline Stage)',
        prodCanary,
        true,
        'HTTPS, WAF, NAT gateway per AZ, autoscaling, canary releases with the smoke test hook',
      ],
    ] as const;
    for (const [title, config, inStage, settings] of apps) {
      // GIVEN the sample app with security checks on
      synthesizeAndCollect(
        title,
        `\`environments\` settings like the generated ${config.name} environment (${settings}).`,
        sampleApp(config, { inStage, services: config.database ? migrating : undefined }).app,
      );
    }
    // GIVEN the delivery pipeline, both ways its artifacts can be kept; each environment's Stage holds a
    // stand-in stack with the real deployment verification role (the application stacks are the apps above)
    const pipelineParts =
      "CDK Pipelines' roles and policies, the artifact bucket, the CodeBuild projects, " +
      "and each environment's deployment verification role";
    synthesizeAndCollect(
      'delivery pipeline, prod in another account',
      `\`SlipwayPipeline\` deploying dev (asleep out of hours by its schedule) in the pipeline's account, then prod in ` +
        `another account after an approval that emails a KMS-encrypted topic; artifacts are encrypted with a ` +
        `customer-managed, rotated key (${pipelineParts}).`,
      pipelineApp([
        {
          ...environment('dev', PIPELINE_ACCOUNT),
          schedule: { timezone: 'Europe/Dublin', awake: { days: 'MON-FRI', from: '07:00', to: '20:00' } },
        },
        environment('prod', '222222222222', true),
      ]).app,
    );
    synthesizeAndCollect(
      'delivery pipeline, prod in another account and region',
      `\`SlipwayPipeline\` deploying dev in the pipeline's account, then prod in another account and in us-east-1: ` +
        `CodePipeline keeps prod's artifacts in a replication bucket in us-east-1, encrypted with a key there, in a ` +
        `support stack beside the pipeline's (${pipelineParts}, and that bucket).`,
      pipelineApp([
        environment('dev', PIPELINE_ACCOUNT),
        {
          ...environment('prod', '222222222222', true),
          region: 'us-east-1',
          availabilityZones: ['us-east-1a', 'us-east-1b'],
        },
      ]).app,
    );
    synthesizeAndCollect(
      "delivery pipeline, every environment in the pipeline's account",
      `\`SlipwayPipeline\` deploying dev, then prod after an approval without notification, both in the pipeline's account; ` +
        `artifacts use the AWS-managed S3 key (${pipelineParts}).`,
      pipelineApp([environment('dev', PIPELINE_ACCOUNT), environment('prod', PIPELINE_ACCOUNT, true)], {
        ...SETTINGS,
        notifyEmail: undefined,
      }).app,
    );
  });

  test('THEN it has zero unacknowledged AwsSolutions and NIST 800-53 R5 findings', () => {
    expect(unacknowledged).toEqual({
      'dev-like AwsSolutions': 0,
      'dev-like NIST.800.53.R5': 0,
      'dev-like behind the HTTP API AwsSolutions': 0,
      'dev-like behind the HTTP API NIST.800.53.R5': 0,
      'prod-like (inside a pipeline Stage) AwsSolutions': 0,
      'prod-like (inside a pipeline Stage) NIST.800.53.R5': 0,
      'delivery pipeline, prod in another account AwsSolutions': 0,
      'delivery pipeline, prod in another account NIST.800.53.R5': 0,
      'delivery pipeline, prod in another account and region AwsSolutions': 0,
      'delivery pipeline, prod in another account and region NIST.800.53.R5': 0,
      "delivery pipeline, every environment in the pipeline's account AwsSolutions": 0,
      "delivery pipeline, every environment in the pipeline's account NIST.800.53.R5": 0,
    });
    // The totals are printed on every run and kept in docs/security.md.
    console.log(
      sets
        .map((set) => `${set.title}: ${set.acknowledgements.length} acknowledged findings, 0 unacknowledged`)
        .join('\n'),
    );
  });

  test('THEN every acknowledgement has a reason of at least 20 characters and none sits on an App or Stage', () => {
    const records = sets.flatMap((set) => set.acknowledgements);
    expect(records.length).toBeGreaterThan(0);
    expect(records.filter((record) => record.reason.trim().length < MIN_ACKNOWLEDGEMENT_REASON_LENGTH)).toEqual([]);
    expect(appAndStagePaths).toEqual(new Set(['', 'Deploy', 'Delivery/Dev', 'Delivery/Prod']));
    expect(records.filter((record) => appAndStagePaths.has(record.path))).toEqual([]);
  });

  test('THEN docs/security.md lists exactly these acknowledgements (run `npx projen docs:security` to refresh it)', () => {
    const expected = renderSecurityDoc(sets);
    if (process.env.SLIPWAY_WRITE_DOCS === '1') fs.writeFileSync(SECURITY_DOC_PATH, expected);
    expect(fs.readFileSync(SECURITY_DOC_PATH, 'utf8')).toBe(expected);
  });

  test('THEN every acknowledgement appears in docs/security.md on a row with its rule, resource and reason', () => {
    const rows = fs
      .readFileSync(SECURITY_DOC_PATH, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('| `'));
    const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    const missing = sets
      .flatMap((set) => set.acknowledgements)
      .filter(
        (record) =>
          !rows.some(
            (row) =>
              row.startsWith(`| \`${cell(record.ruleId)}\` |`) &&
              row.includes(`\`${cell(record.path)}\``) &&
              row.endsWith(`| ${cell(record.reason)} |`),
          ),
      );
    expect(missing).toEqual([]);
  });
});
