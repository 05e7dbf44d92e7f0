import { CloudFormationClient, DescribeStacksCommand, Stack } from '@aws-sdk/client-cloudformation';
import {
  CodeStarConnectionsClient,
  GetConnectionCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-codestar-connections';
import { AvailabilityZoneState, DescribeAvailabilityZonesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient, GetRegistryScanningConfigurationCommand } from '@aws-sdk/client-ecr';
import { GetRoleCommand, IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import { RDSClient } from '@aws-sdk/client-rds';
import { ListHostedZonesByNameCommand, Route53Client } from '@aws-sdk/client-route-53';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { definePipeline } from '@slipway/constructs';
import { mockClient } from 'aws-sdk-client-mock';
import { prodLike } from '../../../constructs/test/fixtures/environments';
import {
  checkAvailabilityZones,
  checkBootstrap,
  checkConnection,
  checkCredentials,
  checkEcsServiceLinkedRole,
  checkHostedZone,
  checkPipelineCredentials,
  checkPipelineRegionBootstrap,
  checkPlaceholders,
  DoctorClients,
  PipelineAccountClients,
  runDoctorChecks,
} from '../../src/doctor/checks';
import { DoctorTarget } from '../../src/doctor/doctor-target';

const stsMock = mockClient(STSClient);
const cloudFormationMock = mockClient(CloudFormationClient);
const iamMock = mockClient(IAMClient);
const route53Mock = mockClient(Route53Client);
const connectionsMock = mockClient(CodeStarConnectionsClient);
const ec2Mock = mockClient(EC2Client);
const ecrMock = mockClient(ECRClient);
beforeEach(() => {
  for (const mock of [stsMock, cloudFormationMock, iamMock, route53Mock, connectionsMock, ec2Mock, ecrMock]) {
    mock.reset();
  }
});

const ENV_ACCOUNT = '493817265012';
const PIPELINE_ACCOUNT = '804512379634';
const CONNECTION_ARN = `arn:aws:codeconnections:eu-west-1:${PIPELINE_ACCOUNT}:connection/0d1e2f30-1111-4222-8333-444455556666`;

/** A deployable prod: real-looking account, domain and zone, a pipeline in another account. */
function target(overrides: Partial<DoctorTarget> = {}): DoctorTarget {
  return {
    config: {
      ...prodLike,
      account: ENV_ACCOUNT,
      https: { domainName: 'shop.acme.io', hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'acme.io' },
      alarms: { email: 'oncall@acme.io' },
    },
    configFile: 'environments/prod.ts',
    stackNames: ['shop-prod'],
    requiredBootstrapVersion: 6,
    bootstrapQualifier: 'hnb659fds',
    pipeline: definePipeline({
      repository: 'acme/shop',
      branch: 'main',
      connectionArn: CONNECTION_ARN,
      account: PIPELINE_ACCOUNT,
      region: 'eu-west-1',
    }),
    ...overrides,
  };
}

function clients(): DoctorClients {
  return {
    sts: new STSClient({ region: 'eu-west-1' }),
    cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
    iam: new IAMClient({ region: 'eu-west-1' }),
    route53: new Route53Client({ region: 'us-east-1' }),
    ec2: new EC2Client({ region: 'eu-west-1' }),
    secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
    ssm: new SSMClient({ region: 'eu-west-1' }),
    ecr: new ECRClient({ region: 'eu-west-1' }),
    rds: new RDSClient({ region: 'eu-west-1' }),
    connections: (region) => new CodeStarConnectionsClient({ region }),
  };
}

/** The pipeline account's clients, as --pipeline-profile makes them: in the environment's region, another profile. */
function pipelineClients(): PipelineAccountClients {
  const profile = 'pipeline';
  return {
    sts: new STSClient({ region: 'eu-central-1', profile }),
    cloudFormation: new CloudFormationClient({ region: 'eu-central-1', profile }),
    connections: (region) => new CodeStarConnectionsClient({ region, profile }),
  };
}

/** Whether a mocked call came from the pipeline's clients (sinon's `thisValue` is the client that sent it). */
function byPipeline(call: { thisValue: unknown }): boolean {
  return (call.thisValue as { config: { profile?: string } }).config.profile === 'pipeline';
}

/** A mocked answer that depends on whose credentials ask: the environment's or the pipeline's. */
function answer(environment: () => unknown, pipeline: () => unknown) {
  return (_input: unknown, getClient: () => unknown) =>
    byPipeline({ thisValue: getClient() }) ? pipeline() : environment();
}

/** prod in eu-central-1, the pipeline in eu-west-1 in its own account. */
function inAnotherRegion(): DoctorTarget {
  const base = target();
  return { ...base, config: { ...base.config, region: 'eu-central-1' } };
}

/** A bootstrap stack as DescribeStacks returns it for `cdk bootstrap` (template parameters and outputs). */
function toolkitStack(
  overrides: { version?: string; trusted?: string; qualifier?: string; status?: string } = {},
): Stack {
  return {
    StackName: 'CDKToolkit',
    StackStatus: (overrides.status ?? 'UPDATE_COMPLETE') as Stack['StackStatus'],
    CreationTime: new Date('2024-01-01T00:00:00Z'),
    Parameters: [
      { ParameterKey: 'TrustedAccounts', ParameterValue: overrides.trusted ?? PIPELINE_ACCOUNT },
      { ParameterKey: 'TrustedAccountsForLookup', ParameterValue: '' },
      { ParameterKey: 'Qualifier', ParameterValue: overrides.qualifier ?? 'hnb659fds' },
      {
        ParameterKey: 'CloudFormationExecutionPolicies',
        ParameterValue: 'arn:aws:iam::aws:policy/AdministratorAccess',
      },
    ],
    Outputs: [
      { OutputKey: 'BucketName', OutputValue: `cdk-hnb659fds-assets-${ENV_ACCOUNT}-eu-west-1` },
      { OutputKey: 'BootstrapVersion', OutputValue: overrides.version ?? '29' },
    ],
  };
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

describe('checkPlaceholders', () => {
  test('passes on real settings', () => {
    expect(checkPlaceholders(target())).toMatchObject({ status: 'pass' });
  });

  test("fails on the sample's placeholders, naming file, field, value and fix", () => {
    const sample = target({
      config: prodLike,
      pipeline: definePipeline({
        repository: 'acme/shop',
        branch: 'main',
        connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/00000000-0000-0000-0000-000000000000',
        account: '111111111111',
        region: 'eu-west-1',
      }),
    });
    const check = checkPlaceholders(sample);
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('environments/prod.ts: account is a placeholder account id; got 222222222222');
    expect(check.detail).toContain(
      'environments/prod.ts: https.domainName is a placeholder domain; got app.example.com',
    );
    expect(check.detail).toContain('environments/index.ts: pipeline.connectionArn is a placeholder connection');
    expect(check.fix).toContain('account: Put the real 12-digit account id');
  });
});

describe('checkCredentials', () => {
  test("passes when the caller is in the environment's account", async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({
      Account: ENV_ACCOUNT,
      Arn: `arn:aws:sts::${ENV_ACCOUNT}:assumed-role/Admin/me`,
      UserId: 'AROA:me',
    });
    const { check, callerAccount } = await checkCredentials(target(), clients().sts);
    expect(check).toMatchObject({
      status: 'pass',
      detail: `account ${ENV_ACCOUNT} as arn:aws:sts::${ENV_ACCOUNT}:assumed-role/Admin/me`,
    });
    expect(callerAccount).toBe(ENV_ACCOUNT);
  });

  test('fails when the credentials are for another account, saying which to log in to', async () => {
    stsMock
      .on(GetCallerIdentityCommand)
      .resolves({ Account: PIPELINE_ACCOUNT, Arn: 'arn:aws:iam::804512379634:user/me' });
    const { check } = await checkCredentials(target(), clients().sts);
    expect(check.status).toBe('fail');
    expect(check.detail).toBe(
      `logged in to account ${PIPELINE_ACCOUNT} as arn:aws:iam::804512379634:user/me, but prod is in account ${ENV_ACCOUNT}`,
    );
    expect(check.fix).toContain(`Log in to account ${ENV_ACCOUNT}`);
  });

  test('turns expired credentials into one line with the fix, no stack trace', async () => {
    // STS answers a stale session token with the ExpiredToken error code.
    stsMock
      .on(GetCallerIdentityCommand)
      .rejects(awsError('ExpiredToken', 'The security token included in the request is expired'));
    const { check } = await checkCredentials(target(), clients().sts);
    expect(check).toMatchObject({
      status: 'fail',
      detail: 'your AWS credentials have expired. Log in again (`aws sso login --profile <profile>`) and try again.',
    });
    expect(check.detail).not.toMatch(/\n|at /);
  });
});

describe('checkBootstrap', () => {
  test('passes: the stack exists, its version is recent enough and it trusts the pipeline account', async () => {
    cloudFormationMock.on(DescribeStacksCommand, { StackName: 'CDKToolkit' }).resolves({ Stacks: [toolkitStack()] });
    const checks = await checkBootstrap(target(), clients().cloudFormation, 'CDKToolkit');
    expect(checks.map((check) => [check.id, check.status])).toEqual([
      ['bootstrap-stack', 'pass'],
      ['bootstrap-version', 'pass'],
      ['bootstrap-trust', 'pass'],
    ]);
    expect(checks[1].detail).toBe('version 29 (the stacks require 6 or later)');
  });

  test('fails when there is no bootstrap stack (CloudFormation: ValidationError "does not exist")', async () => {
    cloudFormationMock
      .on(DescribeStacksCommand)
      .rejects(awsError('ValidationError', 'Stack with id CDKToolkit does not exist'));
    const checks = await checkBootstrap(target(), clients().cloudFormation, 'CDKToolkit');
    expect(checks.map((check) => check.status)).toEqual(['fail', 'skip', 'skip']);
    expect(checks[0].detail).toBe(`no CDKToolkit stack in account ${ENV_ACCOUNT}, eu-west-1`);
    expect(checks[0].fix).toBe(
      `Bootstrap the account: npx cdk bootstrap aws://${ENV_ACCOUNT}/eu-west-1 --trust ${PIPELINE_ACCOUNT} --cloudformation-execution-policies arn:aws:iam::aws:policy/AdministratorAccess`,
    );
  });

  test('fails when the bootstrap version is older than the stacks require', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [toolkitStack({ version: '14' })] });
    const checks = await checkBootstrap(
      target({ requiredBootstrapVersion: 21 }),
      clients().cloudFormation,
      'CDKToolkit',
    );
    expect(checks[1]).toMatchObject({ status: 'fail', detail: 'version 14, the stacks require 21 or later' });
    expect(checks[1].fix).toContain('Upgrade the bootstrap stack');
  });

  test("fails when TrustedAccounts does not name the pipeline's account", async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [toolkitStack({ trusted: '' })] });
    const checks = await checkBootstrap(target(), clients().cloudFormation, 'CDKToolkit');
    expect(checks[2]).toMatchObject({
      status: 'fail',
      detail: `trusts no other account, not the pipeline's account ${PIPELINE_ACCOUNT}`,
    });
    expect(checks[2].fix).toContain(`--trust ${PIPELINE_ACCOUNT}`);
  });

  test('passes trust when the pipeline runs in the environment account itself', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [toolkitStack({ trusted: '' })] });
    const sameAccount = target();
    const checks = await checkBootstrap(
      { ...sameAccount, pipeline: { ...sameAccount.pipeline!, account: ENV_ACCOUNT } },
      clients().cloudFormation,
      'CDKToolkit',
    );
    expect(checks[2].status).toBe('pass');
  });

  test('fails when the bootstrap stack has another qualifier than the synthesized app', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [toolkitStack({ qualifier: 'other' })] });
    const checks = await checkBootstrap(target({ bootstrapQualifier: 'shop' }), clients().cloudFormation, 'CDKToolkit');
    expect(checks[0]).toMatchObject({ status: 'fail' });
    expect(checks[0].detail).toContain('has qualifier other, the app was synthesized for shop');
    expect(checks[0].fix).toContain('--qualifier shop');
  });

  test('fails on a bootstrap stack whose create rolled back', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [toolkitStack({ status: 'ROLLBACK_COMPLETE' })] });
    const checks = await checkBootstrap(target(), clients().cloudFormation, 'CDKToolkit');
    expect(checks.map((check) => check.status)).toEqual(['fail', 'skip', 'skip']);
    expect(checks[0].detail).toContain('is ROLLBACK_COMPLETE');
  });

  test('turns AccessDenied into one line naming the permission', async () => {
    cloudFormationMock
      .on(DescribeStacksCommand)
      .rejects(
        awsError(
          'AccessDenied',
          'User: arn:aws:iam::493817265012:user/me is not authorized to perform: cloudformation:DescribeStacks',
        ),
      );
    const checks = await checkBootstrap(target(), clients().cloudFormation, 'CDKToolkit');
    expect(checks[0].status).toBe('fail');
    expect(checks[0].detail).toMatch(/^access denied to cloudformation:DescribeStacks \(User: .* is not authorized/);
  });
});

describe('checkEcsServiceLinkedRole', () => {
  test('passes when GetRole finds AWSServiceRoleForECS', async () => {
    iamMock.on(GetRoleCommand, { RoleName: 'AWSServiceRoleForECS' }).resolves({
      Role: {
        RoleName: 'AWSServiceRoleForECS',
        Path: '/aws-service-role/ecs.amazonaws.com/',
        Arn: `arn:aws:iam::${ENV_ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
        RoleId: 'AROAEXAMPLE',
        CreateDate: new Date('2024-01-01T00:00:00Z'),
      },
    });
    expect(await checkEcsServiceLinkedRole(target(), clients().iam)).toMatchObject({ status: 'pass' });
  });

  test('fails with the create command when IAM answers NoSuchEntity', async () => {
    iamMock.on(GetRoleCommand).rejects(
      new NoSuchEntityException({
        message: 'The role with name AWSServiceRoleForECS cannot be found.',
        $metadata: {},
      }),
    );
    const check = await checkEcsServiceLinkedRole(target(), clients().iam);
    expect(check.status).toBe('fail');
    expect(check.fix).toBe('Create it once: aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com');
  });
});

describe('checkConnection', () => {
  test('passes when the connection is AVAILABLE, asked in its own region', async () => {
    connectionsMock.on(GetConnectionCommand, { ConnectionArn: CONNECTION_ARN }).resolves({
      Connection: {
        ConnectionName: 'shop',
        ConnectionArn: CONNECTION_ARN,
        ProviderType: 'GitHub',
        ConnectionStatus: 'AVAILABLE',
      },
    });
    const regions: string[] = [];
    const base = clients();
    const check = await checkConnection(
      target(),
      { ...base, connections: (region) => (regions.push(region), base.connections(region)) },
      PIPELINE_ACCOUNT,
    );
    expect(check).toMatchObject({ status: 'pass', detail: 'shop is AVAILABLE' });
    expect(regions).toEqual(['eu-west-1']);
  });

  test('fails on a PENDING connection with how to confirm it', async () => {
    connectionsMock.on(GetConnectionCommand).resolves({
      Connection: {
        ConnectionName: 'shop',
        ConnectionArn: CONNECTION_ARN,
        ProviderType: 'GitHub',
        ConnectionStatus: 'PENDING',
      },
    });
    const check = await checkConnection(target(), clients(), PIPELINE_ACCOUNT);
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('shop is PENDING, not AVAILABLE');
    expect(check.fix).toContain('Update pending connection');
  });

  test('fails when the connection does not exist', async () => {
    connectionsMock
      .on(GetConnectionCommand)
      .rejects(new ResourceNotFoundException({ message: `Connection ${CONNECTION_ARN} not found`, $metadata: {} }));
    const check = await checkConnection(target(), clients(), PIPELINE_ACCOUNT);
    expect(check).toMatchObject({
      status: 'fail',
      detail: `no connection ${CONNECTION_ARN} in account ${PIPELINE_ACCOUNT}, eu-west-1`,
    });
  });

  test("is skipped, not failed, with credentials for another account than the pipeline's", async () => {
    const check = await checkConnection(target(), clients(), ENV_ACCOUNT);
    expect(check).toMatchObject({
      status: 'skip',
      detail: `the connection is in the pipeline's account ${PIPELINE_ACCOUNT}; run doctor with --pipeline-profile <a profile of ${PIPELINE_ACCOUNT}> to check ${CONNECTION_ARN}`,
    });
    expect(connectionsMock.calls()).toHaveLength(0);
  });

  test("is asked with the pipeline account's credentials when the environment's reach another account", async () => {
    connectionsMock.on(GetConnectionCommand, { ConnectionArn: CONNECTION_ARN }).resolves({
      Connection: { ConnectionName: 'shop', ConnectionArn: CONNECTION_ARN, ConnectionStatus: 'AVAILABLE' },
    });
    const check = await checkConnection(target(), clients(), ENV_ACCOUNT, pipelineClients());
    expect(check).toMatchObject({ status: 'pass', detail: 'shop is AVAILABLE' });
    expect(connectionsMock.calls().map(byPipeline)).toEqual([true]);
  });
});

describe('checkPipelineCredentials', () => {
  test('passes when --pipeline-profile reaches the pipeline account', async () => {
    stsMock
      .on(GetCallerIdentityCommand)
      .resolves({ Account: PIPELINE_ACCOUNT, Arn: `arn:aws:iam::${PIPELINE_ACCOUNT}:user/me` });
    const check = await checkPipelineCredentials(target(), pipelineClients());
    expect(check).toMatchObject({
      status: 'pass',
      detail: `account ${PIPELINE_ACCOUNT} as arn:aws:iam::${PIPELINE_ACCOUNT}:user/me`,
    });
  });

  test('fails when --pipeline-profile reaches another account', async () => {
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: ENV_ACCOUNT, Arn: 'arn:aws:iam::493817265012:user/me' });
    const check = await checkPipelineCredentials(target(), pipelineClients());
    expect(check).toMatchObject({
      status: 'fail',
      detail: `--pipeline-profile reaches account ${ENV_ACCOUNT} as arn:aws:iam::493817265012:user/me, not the pipeline's account ${PIPELINE_ACCOUNT}`,
      fix: `Pass a profile of account ${PIPELINE_ACCOUNT} to --pipeline-profile.`,
    });
  });

  test('is skipped without --pipeline-profile, saying how to run it, and when the pipeline shares the account', async () => {
    expect(await checkPipelineCredentials(target(), undefined)).toMatchObject({
      status: 'skip',
      detail: `the pipeline runs in account ${PIPELINE_ACCOUNT}: pass --pipeline-profile <a profile of ${PIPELINE_ACCOUNT}> to check its side too`,
    });
    const sameAccount = target({ pipeline: { ...target().pipeline!, account: ENV_ACCOUNT } });
    expect((await checkPipelineCredentials(sameAccount, pipelineClients())).status).toBe('skip');
    expect(stsMock.calls()).toHaveLength(0);
    expect((await checkPipelineCredentials(target({ pipeline: undefined }), undefined)).status).toBe('skip');
  });
});

describe('checkPipelineRegionBootstrap', () => {
  test("passes when the pipeline's account has a bootstrap stack in the environment's region", async () => {
    cloudFormationMock
      .on(DescribeStacksCommand, { StackName: 'CDKToolkit' })
      .resolves({ Stacks: [toolkitStack({ trusted: '' })] });
    const check = await checkPipelineRegionBootstrap(inAnotherRegion(), pipelineClients(), 'CDKToolkit');
    expect(check).toMatchObject({
      status: 'pass',
      detail: `CDKToolkit in the pipeline's account ${PIPELINE_ACCOUNT}, eu-central-1 (UPDATE_COMPLETE)`,
    });
    // Asked with the pipeline's credentials.
    expect(cloudFormationMock.calls().map(byPipeline)).toEqual([true]);
  });

  test('fails without one, with the bootstrap command for that account and region', async () => {
    cloudFormationMock
      .on(DescribeStacksCommand)
      .rejects(awsError('ValidationError', 'Stack with id CDKToolkit does not exist'));
    const check = await checkPipelineRegionBootstrap(
      { ...inAnotherRegion(), bootstrapQualifier: 'shop1' },
      pipelineClients(),
      'CDKToolkit',
    );
    expect(check).toMatchObject({
      status: 'fail',
      detail: `no CDKToolkit stack in the pipeline's account ${PIPELINE_ACCOUNT}, eu-central-1: CodePipeline's support stack for eu-central-1 (its artifact bucket there) cannot deploy`,
      fix: `Bootstrap it: npx cdk bootstrap aws://${PIPELINE_ACCOUNT}/eu-central-1 --qualifier shop1`,
    });
  });

  test('fails on a bootstrap stack with another qualifier, or one that never completed', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [toolkitStack({ qualifier: 'other' })] });
    expect(await checkPipelineRegionBootstrap(inAnotherRegion(), pipelineClients(), 'CDKToolkit')).toMatchObject({
      status: 'fail',
      detail: `CDKToolkit in the pipeline's account ${PIPELINE_ACCOUNT}, eu-central-1 has qualifier other, the app was synthesized for hnb659fds`,
    });
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [toolkitStack({ status: 'ROLLBACK_COMPLETE' })] });
    expect((await checkPipelineRegionBootstrap(inAnotherRegion(), pipelineClients(), 'CDKToolkit')).detail).toMatch(
      /is ROLLBACK_COMPLETE$/,
    );
  });

  test('is skipped where there is nothing to check here, or no credentials to check it with', async () => {
    const pipeline = pipelineClients();
    const skipped = async (t: DoctorTarget, c: PipelineAccountClients | undefined) =>
      (await checkPipelineRegionBootstrap(t, c, 'CDKToolkit')).detail;
    expect(await skipped(target(), pipeline)).toBe('the pipeline runs in eu-west-1: it needs no support stack here');
    const sameAccount = { ...inAnotherRegion(), pipeline: { ...target().pipeline!, account: ENV_ACCOUNT } };
    expect(await skipped(sameAccount, pipeline)).toMatch(
      /^the pipeline's account is this account: the bootstrap stack checked above/,
    );
    expect(await skipped(inAnotherRegion(), undefined)).toBe(
      `needs credentials for the pipeline's account ${PIPELINE_ACCOUNT} (--pipeline-profile)`,
    );
    expect(cloudFormationMock.calls()).toHaveLength(0);
  });
});

describe('checkHostedZone', () => {
  test('passes when the public zone with the configured id is in the account', async () => {
    route53Mock.on(ListHostedZonesByNameCommand, { DNSName: 'acme.io' }).resolves({
      HostedZones: [
        {
          Id: '/hostedzone/Z0123456789ABCDEFGHIJ',
          Name: 'acme.io.',
          CallerReference: 'x',
          Config: { PrivateZone: false },
        },
        { Id: '/hostedzone/ZNEXTZONE0000', Name: 'acme.net.', CallerReference: 'y' },
      ],
      IsTruncated: false,
      MaxItems: 100,
    });
    expect(await checkHostedZone(target(), clients().route53)).toMatchObject({
      status: 'pass',
      detail: `public zone acme.io (Z0123456789ABCDEFGHIJ) in account ${ENV_ACCOUNT}`,
    });
  });

  test('fails when the account has no zone of that name (ListHostedZonesByName lists the next names instead)', async () => {
    route53Mock.on(ListHostedZonesByNameCommand).resolves({
      HostedZones: [{ Id: '/hostedzone/ZNEXTZONE0000', Name: 'acme.net.', CallerReference: 'y' }],
      IsTruncated: false,
      MaxItems: 100,
    });
    const check = await checkHostedZone(target(), clients().route53);
    expect(check).toMatchObject({ status: 'fail', detail: `no public hosted zone acme.io in account ${ENV_ACCOUNT}` });
    expect(check.fix).toContain(`Create the zone in account ${ENV_ACCOUNT}`);
  });

  test('fails when the zone of that name has another id than the settings say', async () => {
    route53Mock.on(ListHostedZonesByNameCommand).resolves({
      HostedZones: [{ Id: '/hostedzone/ZOTHER000000', Name: 'acme.io.', CallerReference: 'x' }],
      IsTruncated: false,
      MaxItems: 100,
    });
    const check = await checkHostedZone(target(), clients().route53);
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('is ZOTHER000000, not Z0123456789ABCDEFGHIJ');
  });

  test('is skipped for an environment without a hosted zone', async () => {
    const check = await checkHostedZone(
      target({ config: { ...target().config, https: undefined } }),
      clients().route53,
    );
    expect(check.status).toBe('skip');
  });
});

describe('checkAvailabilityZones', () => {
  /** DescribeAvailabilityZones as one account sees a region (zone-type availability-zone). */
  const zones = (...entries: [string, AvailabilityZoneState][]) => ({
    AvailabilityZones: entries.map(([ZoneName, State]) => ({ ZoneName, State, ZoneType: 'availability-zone' })),
  });

  test('passes when every zone of the settings is available to the account', async () => {
    ec2Mock
      .on(DescribeAvailabilityZonesCommand, { Filters: [{ Name: 'zone-type', Values: ['availability-zone'] }] })
      .resolves(zones(['eu-west-1a', 'available'], ['eu-west-1b', 'available'], ['eu-west-1c', 'available']));
    expect(await checkAvailabilityZones(target(), clients().ec2)).toEqual({
      id: 'availability-zones',
      title: 'Availability zones',
      status: 'pass',
      detail: `eu-west-1a, eu-west-1b, eu-west-1c available to account ${ENV_ACCOUNT}`,
    });
  });

  test("fails on a zone name the account does not have, listing the ones it has (ca-central-1 has no 'c')", async () => {
    ec2Mock
      .on(DescribeAvailabilityZonesCommand)
      .resolves(zones(['ca-central-1a', 'available'], ['ca-central-1b', 'available'], ['ca-central-1d', 'available']));
    const config = {
      ...target().config,
      region: 'ca-central-1',
      availabilityZones: ['ca-central-1a', 'ca-central-1b', 'ca-central-1c'],
    };
    expect(await checkAvailabilityZones(target({ config }), clients().ec2)).toEqual({
      id: 'availability-zones',
      title: 'Availability zones',
      status: 'fail',
      detail: `in ca-central-1 for account ${ENV_ACCOUNT}: ca-central-1c does not exist; available: ca-central-1a, ca-central-1b, ca-central-1d`,
      fix: 'Set availabilityZones in environments/prod.ts to 3 of the available zones (network.maxAzs counts them).',
    });
  });

  test('fails on a zone that exists but is impaired or unavailable', async () => {
    ec2Mock
      .on(DescribeAvailabilityZonesCommand)
      .resolves(zones(['eu-west-1a', 'available'], ['eu-west-1b', 'impaired'], ['eu-west-1c', 'available']));
    const check = await checkAvailabilityZones(target(), clients().ec2);
    expect(check.status).toBe('fail');
    expect(check.detail).toBe(
      `in eu-west-1 for account ${ENV_ACCOUNT}: eu-west-1b is impaired; available: eu-west-1a, eu-west-1c`,
    );
  });

  test('names the permission when the credentials may not describe zones', async () => {
    ec2Mock
      .on(DescribeAvailabilityZonesCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation', $metadata: {} }));
    const check = await checkAvailabilityZones(target(), clients().ec2);
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(/ec2:DescribeAvailabilityZones/);
  });
});

describe('runDoctorChecks', () => {
  test("skips the account's checks when the credentials are for another account", async () => {
    stsMock
      .on(GetCallerIdentityCommand)
      .resolves({ Account: PIPELINE_ACCOUNT, Arn: 'arn:aws:iam::804512379634:user/me' });
    const checks = await runDoctorChecks(target(), clients(), { toolkitStackName: 'CDKToolkit' });
    expect(checks.map((check) => [check.id, check.status])).toEqual([
      ['placeholders', 'pass'],
      ['credentials', 'fail'],
      ['bootstrap-stack', 'skip'],
      ['bootstrap-version', 'skip'],
      ['bootstrap-trust', 'skip'],
      ['availability-zones', 'skip'],
      ['ecs-service-linked-role', 'skip'],
      ['image-scanning', 'skip'],
      ['pipeline-credentials', 'skip'],
      ['connection', 'skip'],
      ['pipeline-bootstrap', 'skip'],
      ['hosted-zone', 'skip'],
      ['service-secrets', 'skip'],
      ['database-restore', 'skip'],
    ]);
    expect(cloudFormationMock.calls()).toHaveLength(0);
  });

  test("checks the pipeline's side with --pipeline-profile: its connection and its bootstrap in this region", async () => {
    // GIVEN prod in eu-central-1 with its own account's credentials, and the pipeline's in eu-west-1 through a profile
    stsMock.on(GetCallerIdentityCommand).callsFake(
      answer(
        () => ({ Account: ENV_ACCOUNT, Arn: `arn:aws:iam::${ENV_ACCOUNT}:user/me` }),
        () => ({ Account: PIPELINE_ACCOUNT, Arn: `arn:aws:iam::${PIPELINE_ACCOUNT}:user/me` }),
      ),
    );
    cloudFormationMock.on(DescribeStacksCommand).callsFake(
      answer(
        () => ({ Stacks: [toolkitStack()] }),
        () => Promise.reject(awsError('ValidationError', 'Stack with id CDKToolkit does not exist')),
      ),
    );
    connectionsMock.on(GetConnectionCommand).callsFake(
      answer(
        () => Promise.reject(new Error('asked with the environment account, not the pipeline account')),
        () => ({ Connection: { ConnectionStatus: 'AVAILABLE' } }),
      ),
    );
    iamMock.on(GetRoleCommand).resolves({});
    ecrMock.on(GetRegistryScanningConfigurationCommand).resolves({
      scanningConfiguration: {
        scanType: 'ENHANCED',
        rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] }],
      },
    });
    ec2Mock.on(DescribeAvailabilityZonesCommand).resolves({
      AvailabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'].map((ZoneName) => ({
        ZoneName,
        State: AvailabilityZoneState.available,
      })),
    });
    route53Mock.on(ListHostedZonesByNameCommand).resolves({
      HostedZones: [{ Id: '/hostedzone/Z0123456789ABCDEFGHIJ', Name: 'acme.io.', CallerReference: 'x' }],
    });
    const base = inAnotherRegion();
    const inFrankfurt: DoctorTarget = {
      ...base,
      config: { ...base.config, availabilityZones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'] },
    };
    // WHEN every check runs
    const checks = await runDoctorChecks(
      inFrankfurt,
      { ...clients(), pipelineAccount: pipelineClients() },
      { toolkitStackName: 'CDKToolkit' },
    );
    // THEN the pipeline's side is checked with its credentials, and its missing bootstrap there fails
    expect(checks.map((check) => [check.id, check.status])).toEqual([
      ['placeholders', 'pass'],
      ['credentials', 'pass'],
      ['bootstrap-stack', 'pass'],
      ['bootstrap-version', 'pass'],
      ['bootstrap-trust', 'pass'],
      ['availability-zones', 'pass'],
      ['ecs-service-linked-role', 'pass'],
      ['image-scanning', 'pass'],
      ['pipeline-credentials', 'pass'],
      ['connection', 'pass'],
      ['pipeline-bootstrap', 'fail'],
      ['hosted-zone', 'pass'],
      ['service-secrets', 'skip'],
      ['database-restore', 'skip'],
    ]);
    expect(checks.find((check) => check.id === 'pipeline-bootstrap')?.fix).toBe(
      `Bootstrap it: npx cdk bootstrap aws://${PIPELINE_ACCOUNT}/eu-central-1`,
    );
  });
});
