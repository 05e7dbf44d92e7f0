import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CodeStarConnectionsClient } from '@aws-sdk/client-codestar-connections';
import { AvailabilityZoneState, DescribeAvailabilityZonesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient, GetRegistryScanningConfigurationCommand } from '@aws-sdk/client-ecr';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { EnvironmentConfig } from '@slipway/constructs';
import { SETTINGS_METADATA, ENVIRONMENT_TAG_KEY } from '@slipway/constructs/lib/contract';
import { App, CfnWaitConditionHandle, Stack, Stage, Tags } from 'aws-cdk-lib';
import { mockClient } from 'aws-sdk-client-mock';
import { devLike } from '../../../constructs/test/fixtures/environments';
import { ExitCode, UsageError } from '../../src/command';
import { createDoctorCommand } from '../../src/doctor/doctor-command';
import { RecordedOutput } from '../fakes';

const stsMock = mockClient(STSClient);
const cloudFormationMock = mockClient(CloudFormationClient);
const iamMock = mockClient(IAMClient);
const ec2Mock = mockClient(EC2Client);
const secretsManagerMock = mockClient(SecretsManagerClient);
const ssmMock = mockClient(SSMClient);
const ecrMock = mockClient(ECRClient);
beforeEach(() => {
  ecrMock.reset();
  secretsManagerMock.reset();
  ssmMock.reset();
  stsMock.reset();
  cloudFormationMock.reset();
  iamMock.reset();
  ec2Mock.reset();
});

const ACCOUNT = '493817265012';
const dev: EnvironmentConfig = {
  ...devLike,
  account: ACCOUNT,
  network: { ...devLike.network, natInstance: undefined, natProvider: 'gateway' },
};

/** A synthesized app with one environment's stack, tagged and carrying its settings as SlipwayAppStack's does. */
function assemblyWith(config: EnvironmentConfig): string {
  const app = new App();
  const stage = new Stage(app, 'Dev', { env: { account: config.account, region: config.region } });
  const stack = new Stack(stage, 'App', { stackName: 'shop-dev' });
  Tags.of(stack).add(ENVIRONMENT_TAG_KEY, config.name);
  stack.node.addMetadata(SETTINGS_METADATA.environment, config);
  // A template needs one resource.
  new CfnWaitConditionHandle(stack, 'Resource');
  return app.synth().directory;
}

function setup() {
  const output = new RecordedOutput();
  const profiles: (string | undefined)[] = [];
  const command = createDoctorCommand({
    output,
    cwd: '/nonexistent',
    clients: (region, pipelineProfile) => {
      profiles.push(pipelineProfile);
      return {
        sts: new STSClient({ region }),
        cloudFormation: new CloudFormationClient({ region }),
        iam: new IAMClient({ region }),
        route53: new Route53Client({ region: 'us-east-1' }),
        ec2: new EC2Client({ region }),
        secretsManager: new SecretsManagerClient({ region }),
        ssm: new SSMClient({ region }),
        ecr: new ECRClient({ region }),
        rds: new RDSClient({ region }),
        connections: (connectionRegion) => new CodeStarConnectionsClient({ region: connectionRegion }),
      };
    },
  });
  return { output, command, profiles };
}

function givenAReadyAccount(): void {
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/me` });
  cloudFormationMock.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'CDKToolkit',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date('2024-01-01T00:00:00Z'),
        Parameters: [{ ParameterKey: 'TrustedAccounts', ParameterValue: '' }],
        Outputs: [{ OutputKey: 'BootstrapVersion', OutputValue: '29' }],
      },
    ],
  });
  ec2Mock.on(DescribeAvailabilityZonesCommand).resolves({
    AvailabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'].map((ZoneName) => ({
      ZoneName,
      State: AvailabilityZoneState.available,
    })),
  });
  ecrMock.on(GetRegistryScanningConfigurationCommand).resolves({
    scanningConfiguration: {
      scanType: 'BASIC',
      rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] }],
    },
  });
  iamMock.on(GetRoleCommand).resolves({
    Role: {
      RoleName: 'AWSServiceRoleForECS',
      Path: '/aws-service-role/ecs.amazonaws.com/',
      Arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
      RoleId: 'AROAEXAMPLE',
      CreateDate: new Date('2024-01-01T00:00:00Z'),
    },
  });
}

describe('slipway doctor', () => {
  const ready = assemblyWith(dev);

  test('prints one line per check and exits 0 when nothing fails', async () => {
    givenAReadyAccount();
    const { output, command } = setup();
    const code = await command.run(['--env', 'dev', '--assembly', ready]);
    expect(code).toBe(ExitCode.OK);
    expect(output.lines[0]).toBe(`Doctor for dev (account ${ACCOUNT}, eu-west-1), settings from ${ready}`);
    expect(output.lines.slice(1, -1).map((line) => line.split(':')[0])).toEqual([
      '✔ Settings placeholders',
      '✔ AWS credentials',
      '✔ CDK bootstrap stack',
      '✔ CDK bootstrap version',
      '– CDK bootstrap trust',
      '✔ Availability zones',
      '✔ ECS service-linked role',
      '✔ ECR image scanning',
      "– Pipeline account's credentials",
      '– CodeConnections connection',
      "– Pipeline account's bootstrap in this region",
      '– Route 53 hosted zone',
      "– Services' secrets",
      '– Database restore source',
    ]);
    expect(output.errors).toEqual([]);
    expect(output.lines.at(-1)).toBe('✔ dev is ready to deploy (7 skipped).');
  });

  test('exits 1 on a failed check; --json prints the results for machines', async () => {
    givenAReadyAccount();
    cloudFormationMock
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Stack with id CDKToolkit does not exist'), { name: 'ValidationError', $metadata: {} }),
      );
    const { output, command } = setup();
    const code = await command.run(['--env', 'dev', '--assembly', ready, '--json']);
    expect(code).toBe(ExitCode.FAILED);
    const report = JSON.parse(output.text);
    expect(report).toMatchObject({ environment: 'dev', account: ACCOUNT, region: 'eu-west-1', ok: false });
    expect(report.checks.find((check: { id: string }) => check.id === 'bootstrap-stack')).toMatchObject({
      status: 'fail',
      detail: `no CDKToolkit stack in account ${ACCOUNT}, eu-west-1`,
    });
  });

  test("checks the secrets of the settings it was synthesized from, finding a created one by the app stack's output", async () => {
    // GIVEN dev whose backend reads a parameter and a secret the stack created, deployed as shop-dev
    givenAReadyAccount();
    const withSecrets: EnvironmentConfig = {
      ...dev,
      services: {
        ...dev.services,
        backend: {
          ...dev.services.backend,
          secrets: { STRIPE_API_KEY: { parameterName: '/payments/dev/stripe' }, TEMPORAL_API_KEY: { create: true } },
        },
      },
    };
    const secretArn = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:BackendSettingsTEMPORALAPIKEYSecretF5C-8QuTYh0LZsbZ-AbCdEf`;
    cloudFormationMock.on(DescribeStacksCommand, { StackName: 'shop-dev' }).resolves({
      Stacks: [
        {
          StackName: 'shop-dev',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date('2025-01-01T00:00:00Z'),
          Outputs: [{ OutputKey: 'SecretBackendTemporalApiKeyArn', OutputValue: secretArn }],
        },
      ],
    });
    ssmMock.on(DescribeParametersCommand).resolves({
      Parameters: [{ Name: '/payments/dev/stripe', Type: 'SecureString', KeyId: 'alias/aws/ssm', Version: 1 }],
    });
    secretsManagerMock.on(DescribeSecretCommand, { SecretId: secretArn }).resolves({
      ARN: secretArn,
      Name: 'BackendSettingsTEMPORALAPIKEYSecretF5C-8QuTYh0LZsbZ',
      VersionIdsToStages: {
        'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111': ['AWSPREVIOUS'],
        'a1b2c3d4-5678-90ab-cdef-EXAMPLE22222': ['AWSCURRENT'],
      },
    });
    const { output, command } = setup();
    // WHEN doctor runs
    const code = await command.run(['--env', 'dev', '--assembly', assemblyWith(withSecrets)]);
    // THEN both pass, one line each
    expect(code).toBe(ExitCode.OK);
    expect(output.lines.filter((line) => line.includes('Secret '))).toEqual([
      '✔ Secret STRIPE_API_KEY of backend: /payments/dev/stripe exists (SecureString)',
      `✔ Secret TEMPORAL_API_KEY of backend: ${secretArn} has a value put since the stack created it`,
    ]);
  });

  test('fails on the sample placeholders without a stack trace', async () => {
    givenAReadyAccount();
    const { output, command } = setup();
    const code = await command.run(['--env', 'dev', '--assembly', assemblyWith(devLike)]);
    expect(code).toBe(ExitCode.FAILED);
    expect(output.errors[0]).toMatch(/^✖ Settings placeholders: environments\/dev\.ts: account is a placeholder/);
    expect(output.text).not.toMatch(/\n\s+at /);
  });

  test('reports a missing cloud assembly in one line', async () => {
    const { output, command } = setup();
    expect(await command.run(['--env', 'dev'])).toBe(ExitCode.FAILED);
    expect(output.errors).toEqual([
      '✖ No cloud assembly at /nonexistent/packages/infra/cdk.out: /nonexistent/packages/infra/cdk.out/manifest.json does not exist. Run `npx projen synth` first, or pass --assembly <cdk.out directory>.',
    ]);
  });

  test('needs --env', async () => {
    const { command } = setup();
    await expect(command.run([])).rejects.toThrow(UsageError);
  });

  test("makes the pipeline account's clients with --pipeline-profile, and refuses an empty one", async () => {
    givenAReadyAccount();
    const { command, profiles } = setup();
    await command.run(['--env', 'dev', '--assembly', ready, '--pipeline-profile', 'tooling']);
    expect(profiles).toEqual(['tooling']);
    await expect(command.run(['--env', 'dev', '--assembly', ready, '--pipeline-profile', ' '])).rejects.toThrow(
      '--pipeline-profile needs the name of an AWS profile.',
    );
  });
});
