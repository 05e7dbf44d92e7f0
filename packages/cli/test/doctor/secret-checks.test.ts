import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeSecretCommand,
  DescribeSecretCommandOutput,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { EnvironmentConfig, SecretRef } from '@slipway/constructs';
import { mockClient } from 'aws-sdk-client-mock';
import { devLike } from '../../../constructs/test/fixtures/environments';
import { DoctorTarget } from '../../src/doctor/doctor-target';
import { checkServiceSecrets } from '../../src/doctor/secret-checks';

const secretsManagerMock = mockClient(SecretsManagerClient);
const ssmMock = mockClient(SSMClient);
const cloudFormationMock = mockClient(CloudFormationClient);
beforeEach(() => {
  for (const mock of [secretsManagerMock, ssmMock, cloudFormationMock]) mock.reset();
});

const ACCOUNT = '493817265012';
const SECRET_ARN = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:temporal/dev-a1b2c3`;
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** dev, deployed as shop-dev, with the backend's secrets. */
function target(secrets: Record<string, SecretRef>): DoctorTarget {
  const config: EnvironmentConfig = {
    ...devLike,
    account: ACCOUNT,
    services: { ...devLike.services, backend: { ...devLike.services.backend, secrets } },
  };
  return {
    config,
    configFile: 'environments/dev.ts',
    stackNames: ['shop-dev'],
    appStackName: 'shop-dev',
    bootstrapQualifier: 'hnb659fds',
  };
}

function clients() {
  return {
    secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
    ssm: new SSMClient({ region: 'eu-west-1' }),
    cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
  };
}

/**
 * A DescribeSecret answer shaped like the API reference's example: ARN, Name, KmsKeyId (left out for the AWS managed
 * key aws/secretsmanager), dates, and the versions with their staging labels.
 */
function describedSecret(overrides: Partial<DescribeSecretCommandOutput> = {}): Partial<DescribeSecretCommandOutput> {
  return {
    ARN: SECRET_ARN,
    Name: 'temporal/dev',
    Description: 'Temporal Cloud API key',
    LastChangedDate: new Date('2025-04-11T20:05:45Z'),
    LastAccessedDate: new Date('2025-04-16T00:00:00Z'),
    CreatedDate: new Date('2025-04-01T10:00:00Z'),
    VersionIdsToStages: {
      'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE': ['AWSPREVIOUS'],
      'EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE': ['AWSCURRENT'],
    },
    ...overrides,
  };
}

/** The error Secrets Manager answers for a secret that does not exist. */
function notFound(): ResourceNotFoundException {
  return new ResourceNotFoundException({
    message: "Secrets Manager can't find the specified secret.",
    $metadata: { httpStatusCode: 400 },
  });
}

async function onlyCheck(secrets: Record<string, SecretRef>) {
  const checks = await checkServiceSecrets(target(secrets), clients());
  expect(checks).toHaveLength(1);
  return checks[0];
}

describe('the secrets the services reference', () => {
  test('GIVEN no service with secrets THEN there is one skipped check', async () => {
    const checks = await checkServiceSecrets(target({}), clients());
    expect(checks).toEqual([
      {
        id: 'service-secrets',
        title: "Services' secrets",
        status: 'skip',
        detail: 'no service of dev has secrets in its settings',
      },
    ]);
  });

  test('GIVEN a secret by ARN that exists with the AWS managed key THEN it passes, asked by that ARN', async () => {
    secretsManagerMock.on(DescribeSecretCommand, { SecretId: SECRET_ARN }).resolves(describedSecret());
    expect(await onlyCheck({ TEMPORAL_API_KEY: { secretArn: SECRET_ARN, field: 'apiKey' } })).toEqual({
      id: 'service-secret:backend.TEMPORAL_API_KEY',
      title: 'Secret TEMPORAL_API_KEY of backend',
      status: 'pass',
      detail: `${SECRET_ARN} exists, with a current value (its JSON key apiKey is not checked: doctor reads no secret values)`,
    });
  });

  test('GIVEN a secret by ARN that does not exist THEN it fails: the tasks would not start', async () => {
    secretsManagerMock.on(DescribeSecretCommand).rejects(notFound());
    expect(await onlyCheck({ TEMPORAL_API_KEY: { secretArn: SECRET_ARN } })).toMatchObject({
      status: 'fail',
      detail: `no secret ${SECRET_ARN} in account ${ACCOUNT}, eu-west-1: the service's tasks would not start`,
      fix: 'Correct secretArn in environments/dev.ts (aws secretsmanager list-secrets), create the secret and put its ARN there, or use { create: true } to have the stack create it.',
    });
  });

  test('GIVEN a secret scheduled for deletion THEN it fails with the restore command', async () => {
    secretsManagerMock
      .on(DescribeSecretCommand)
      .resolves(describedSecret({ DeletedDate: new Date('2025-05-20T00:00:00Z') }));
    expect(await onlyCheck({ TEMPORAL_API_KEY: { secretArn: SECRET_ARN } })).toMatchObject({
      status: 'fail',
      detail: 'temporal/dev is scheduled for deletion on 2025-05-20: ECS cannot read it',
      fix: `Restore it: aws secretsmanager restore-secret --secret-id ${SECRET_ARN}`,
    });
  });

  test('GIVEN a secret created without a value THEN it fails: ECS reads the AWSCURRENT version and there is none', async () => {
    secretsManagerMock.on(DescribeSecretCommand).resolves(describedSecret({ VersionIdsToStages: {} }));
    expect(await onlyCheck({ TEMPORAL_API_KEY: { secretArn: SECRET_ARN } })).toMatchObject({
      status: 'fail',
      detail:
        "temporal/dev has no current value (no version labelled AWSCURRENT): ECS cannot start the service's tasks",
    });
  });

  test('GIVEN a secret encrypted with a customer-managed key the settings do not name THEN it fails with the key to add', async () => {
    secretsManagerMock.on(DescribeSecretCommand).resolves(describedSecret({ KmsKeyId: KEY_ARN }));
    expect(await onlyCheck({ TEMPORAL_API_KEY: { secretArn: SECRET_ARN } })).toMatchObject({
      status: 'fail',
      detail: `the secret is encrypted with the customer-managed key ${KEY_ARN}, which the settings do not name: the execution role would not be allowed to decrypt it and the tasks would not start`,
      fix: `Add kmsKeyArn: '${KEY_ARN}' to it in environments/dev.ts.`,
    });
  });

  test('GIVEN the key the settings name THEN it passes; another key THEN it fails', async () => {
    secretsManagerMock.on(DescribeSecretCommand).resolves(describedSecret({ KmsKeyId: KEY_ARN }));
    expect(await onlyCheck({ TEMPORAL_API_KEY: { secretArn: SECRET_ARN, kmsKeyArn: KEY_ARN } })).toMatchObject({
      status: 'pass',
    });
    const other = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/99999999-12ab-34cd-56ef-1234567890ab`;
    expect(await onlyCheck({ TEMPORAL_API_KEY: { secretArn: SECRET_ARN, kmsKeyArn: other } })).toMatchObject({
      status: 'fail',
      fix: `Set kmsKeyArn in environments/dev.ts to the ARN of ${KEY_ARN}.`,
    });
  });

  test('GIVEN credentials that may not describe secrets THEN it fails naming the permission', async () => {
    secretsManagerMock
      .on(DescribeSecretCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: {} }));
    const check = await onlyCheck({ TEMPORAL_API_KEY: { secretArn: SECRET_ARN } });
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(/^access denied to secretsmanager:DescribeSecret/);
  });
});

describe('the parameters the services reference', () => {
  test('GIVEN a SecureString with the AWS managed key THEN it passes, found by an exact name filter', async () => {
    ssmMock.on(DescribeParametersCommand).resolves({
      Parameters: [
        {
          Name: '/payments/dev/stripe',
          ARN: `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/payments/dev/stripe`,
          Type: 'SecureString',
          KeyId: 'alias/aws/ssm',
          LastModifiedDate: new Date('2025-04-01T10:00:00Z'),
          LastModifiedUser: `arn:aws:iam::${ACCOUNT}:user/ops`,
          Version: 1,
          Tier: 'Standard',
          DataType: 'text',
        },
      ],
    });
    expect(await onlyCheck({ STRIPE_API_KEY: { parameterName: '/payments/dev/stripe' } })).toMatchObject({
      status: 'pass',
      detail: '/payments/dev/stripe exists (SecureString)',
    });
    expect(ssmMock.commandCalls(DescribeParametersCommand)[0].args[0].input.ParameterFilters).toEqual([
      { Key: 'Name', Option: 'Equals', Values: ['/payments/dev/stripe'] },
    ]);
  });

  test('GIVEN an empty first page with a NextToken (best-effort results) THEN it reads on and finds the parameter', async () => {
    ssmMock
      .on(DescribeParametersCommand)
      .resolvesOnce({ Parameters: [], NextToken: 'page-2' })
      .resolves({ Parameters: [{ Name: '/payments/dev/stripe', Type: 'String' }] });
    expect(await onlyCheck({ STRIPE_API_KEY: { parameterName: '/payments/dev/stripe' } })).toMatchObject({
      status: 'pass',
    });
    expect(ssmMock.commandCalls(DescribeParametersCommand)[1].args[0].input.NextToken).toBe('page-2');
  });

  test('GIVEN no such parameter THEN it fails with the put-parameter command', async () => {
    ssmMock.on(DescribeParametersCommand).resolves({ Parameters: [] });
    expect(await onlyCheck({ STRIPE_API_KEY: { parameterName: '/payments/dev/stripe' } })).toMatchObject({
      status: 'fail',
      detail: `no parameter /payments/dev/stripe in account ${ACCOUNT}, eu-west-1: the service's tasks would not start`,
      fix: 'Create it (aws ssm put-parameter --name /payments/dev/stripe --type SecureString --value <value>), or correct parameterName in environments/dev.ts.',
    });
  });

  test('GIVEN a SecureString with its own key and no kmsKeyArn THEN it fails and says how to find the key ARN', async () => {
    ssmMock
      .on(DescribeParametersCommand)
      .resolves({ Parameters: [{ Name: '/payments/dev/stripe', Type: 'SecureString', KeyId: 'alias/payments' }] });
    expect(await onlyCheck({ STRIPE_API_KEY: { parameterName: '/payments/dev/stripe' } })).toMatchObject({
      status: 'fail',
      fix: "Add kmsKeyArn: '<the key ARN>' to it in environments/dev.ts (aws kms describe-key --key-id alias/payments --query KeyMetadata.Arn).",
    });
  });
});

describe('the secrets the stack creates', () => {
  const created = { TEMPORAL_API_KEY: { create: true } } as const;
  const createdArn = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:BackendSettingsTEMPORALAPIKEYSecretF5C-8QuTYh0LZsbZ-AbCdEf`;
  const deployed = () =>
    cloudFormationMock.on(DescribeStacksCommand, { StackName: 'shop-dev' }).resolves({
      Stacks: [
        {
          StackName: 'shop-dev',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date('2025-04-01T10:00:00Z'),
          Outputs: [{ OutputKey: 'SecretBackendTemporalApiKeyArn', OutputValue: createdArn }],
        },
      ],
    });

  test('GIVEN no stack yet THEN it passes: the first deploy creates the secret', async () => {
    cloudFormationMock
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Stack with id shop-dev does not exist'), { name: 'ValidationError', $metadata: {} }),
      );
    expect(await onlyCheck(created)).toMatchObject({
      status: 'pass',
      detail: 'the first deploy creates the secret (it holds slipway:unset until you put the value)',
    });
    expect(secretsManagerMock.calls()).toHaveLength(0);
  });

  test('GIVEN a stack without the output THEN it passes: the next deploy creates the secret', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'shop-dev', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: [] }],
    });
    expect((await onlyCheck(created)).detail).toBe(
      'shop-dev has no output SecretBackendTemporalApiKeyArn yet: the next deploy creates the secret (it holds slipway:unset until you put the value)',
    );
  });

  test('GIVEN the secret with only the version the stack wrote THEN it fails: the service runs without the value', async () => {
    deployed();
    secretsManagerMock.on(DescribeSecretCommand, { SecretId: createdArn }).resolves(
      describedSecret({
        ARN: createdArn,
        Name: 'BackendSettingsTEMPORALAPIKEYSecretF5C-8QuTYh0LZsbZ',
        VersionIdsToStages: { 'EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE': ['AWSCURRENT'] },
      }),
    );
    const check = await onlyCheck(created);
    expect(check).toMatchObject({
      status: 'fail',
      detail: `${createdArn} still holds slipway:unset, the value the stack created it with: the service runs without its TEMPORAL_API_KEY`,
    });
    expect(check.fix).toMatch(`aws secretsmanager put-secret-value --secret-id ${createdArn} --secret-string <value>`);
  });

  test('GIVEN a value put since THEN it passes', async () => {
    deployed();
    secretsManagerMock.on(DescribeSecretCommand).resolves(describedSecret({ ARN: createdArn }));
    expect(await onlyCheck(created)).toMatchObject({
      status: 'pass',
      detail: `${createdArn} has a value put since the stack created it`,
    });
  });

  test('GIVEN two created secrets THEN the stack is described once', async () => {
    deployed();
    secretsManagerMock.on(DescribeSecretCommand).resolves(describedSecret({ ARN: createdArn }));
    const checks = await checkServiceSecrets(target({ ...created, OTHER_KEY: { create: true } }), clients());
    expect(checks.map((check) => check.status)).toEqual(['pass', 'pass']);
    expect(cloudFormationMock.commandCalls(DescribeStacksCommand)).toHaveLength(1);
  });
});
