import { Match, Template } from 'aws-cdk-lib/assertions';
import { EnvironmentConfig, RESERVED_VARIABLES, SlipwayConfigError, UNSET_SECRET_VALUE } from '../../src/config';
import { IMAGE_COMMIT_BUILD_ARG } from '../../src/contract';
import { CLIENT_ADDRESS_VARIABLE } from '../../src/service';
import { sampleApp } from '../fixtures/apps';
import { devHttpApi, devLike, prodLike, variant } from '../fixtures/environments';

const SECRET_KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const PARAMETER_KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/9999abcd-12ab-34cd-56ef-1234567890ab';
const STRIPE_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:stripe/dev-AbCdEf';
const SENTRY_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:sentry/dev-Q1w2E3';

/** `arn:${Partition}:<rest>` as CloudFormation writes an ARN CDK formats in the stack's own account and region. */
function partitionArn(rest: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] };
}

/** The backend's container definition. */
function backendContainer(template: Template): any {
  const definitions = Object.values(template.findResources('AWS::ECS::TaskDefinition')).flatMap(
    (definition) => definition.Properties.ContainerDefinitions,
  );
  return definitions.find((container) => container.Name === 'backend');
}

describe('services with their own settings', () => {
  const config = variant(devLike, (c) => {
    c.services.backend.environment = { TEMPORAL_ADDRESS: 'temporal.example.com:7233' };
    c.services.backend.secrets = {
      TEMPORAL_API_KEY: { create: true },
      STRIPE_KEY: { secretArn: STRIPE_ARN, field: 'apiKey', kmsKeyArn: SECRET_KEY_ARN },
      SENTRY_DSN: { secretArn: SENTRY_ARN },
      MAPS_KEY: { parameterName: '/maps/dev/key', kmsKeyArn: PARAMETER_KEY_ARN },
    };
  }) as EnvironmentConfig;
  let template: Template;

  beforeAll(() => {
    // GIVEN a backend with a plain setting and a secret of each form WHEN synthesized (cdk-nag runs: a finding throws)
    template = Template.fromStack(sampleApp(config).stack);
  });

  test("THEN the plain setting joins the app's own variables in the container's Environment", () => {
    expect(backendContainer(template).Environment).toEqual([
      { Name: 'NODE_ENV', Value: 'production' },
      { Name: 'PORT', Value: '8000' },
      { Name: 'TEMPORAL_ADDRESS', Value: 'temporal.example.com:7233' },
    ]);
  });

  test('THEN each secret is a container secret whose ValueFrom is in the form ECS documents', () => {
    const secrets = Object.fromEntries(
      backendContainer(template).Secrets.map((secret: any) => [secret.Name, secret.ValueFrom]),
    );
    expect(secrets).toEqual({
      // The created secret's complete ARN (Ref of AWS::SecretsManager::Secret).
      TEMPORAL_API_KEY: { Ref: expect.stringMatching(/^BackendSettingsTEMPORALAPIKEYSecret/) },
      // arn:…:secret:<name>-<6>:<json-key>:<version-stage>:<version-id>, the last two empty for AWSCURRENT.
      STRIPE_KEY: `${STRIPE_ARN}:apiKey::`,
      // The whole secret: its complete ARN, as ECS documents (a partial ARN fails at task start).
      SENTRY_DSN: SENTRY_ARN,
      MAPS_KEY: partitionArn(':ssm:eu-west-1:111111111111:parameter/maps/dev/key'),
    });
  });

  test('THEN the execution role may read exactly those secrets and the parameter, and decrypt with their keys', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes('BackendTaskDefinitionExecutionRole'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const read = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
    expect(statements).toEqual(
      expect.arrayContaining([
        { Action: read, Effect: 'Allow', Resource: { Ref: expect.stringMatching(/^BackendSettingsTEMPORALAPIKEY/) } },
        { Action: read, Effect: 'Allow', Resource: STRIPE_ARN },
        { Action: read, Effect: 'Allow', Resource: SENTRY_ARN },
        {
          Action: 'kms:Decrypt',
          Effect: 'Allow',
          Resource: SECRET_KEY_ARN,
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
        },
        {
          Action: expect.arrayContaining(['ssm:GetParameters']),
          Effect: 'Allow',
          Resource: partitionArn(':ssm:eu-west-1:111111111111:parameter/maps/dev/key'),
        },
        { Action: 'kms:Decrypt', Effect: 'Allow', Resource: PARAMETER_KEY_ARN },
      ]),
    );
    // Nothing broader: every Secrets Manager and SSM statement names one resource.
    for (const statement of statements) expect(statement.Resource).not.toBe('*');
  });

  test("THEN the created secret is encrypted with the environment's key and holds the unset marker", () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      SecretString: UNSET_SECRET_VALUE,
      Description: Match.stringLikeRegexp('^TEMPORAL_API_KEY of backend .*put-secret-value'),
      // CloudFormation names it: a fixed name would collide, after a failed first deploy, with the deleted one.
      Name: Match.absent(),
    });
    expect(UNSET_SECRET_VALUE).toBe('slipway:unset');
  });

  test("THEN the environment key's policy lets the execution role decrypt through Secrets Manager only", () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Action: 'kms:Decrypt',
            Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
            Effect: 'Allow',
            Principal: {
              AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackendTaskDefinitionExecutionRole'), 'Arn'] },
            },
            Resource: '*',
          },
        ]),
      },
    });
  });

  test("THEN the stack outputs the created secret's ARN under the key `slipway doctor` reads", () => {
    template.hasOutput('SecretBackendTemporalApiKeyArn', {
      Value: { Ref: Match.stringLikeRegexp('^BackendSettingsTEMPORALAPIKEYSecret') },
    });
  });

  test('THEN the frontend, which has no settings of its own, gets none', () => {
    const frontend = Object.values(template.findResources('AWS::ECS::TaskDefinition'))
      .flatMap((definition) => definition.Properties.ContainerDefinitions)
      .find((container) => container.Name === 'frontend');
    expect(frontend.Environment).toBeUndefined();
    expect(frontend.Secrets).toBeUndefined();
  });
});

describe('settings beside the app definition', () => {
  test("GIVEN a setting the app's service definition already sets WHEN synthesized THEN it is refused naming the file and the fix", () => {
    const config = variant(devLike, (c) => (c.services.backend.environment = { PORT: '9000' })) as EnvironmentConfig;
    expect(() => sampleApp(config)).toThrow(SlipwayConfigError);
    expect(() => sampleApp(config)).toThrow(
      "environments/dev.ts: services.backend.environment must not set PORT, which the app's definition of backend already sets (AppServiceSpec environment); got \"PORT\". Set PORT in one place: remove it here, or remove it from the service's definition in the app and set it in every environment's settings.",
    );
  });

  test('GIVEN two created secrets whose variables differ only in case WHEN synthesized THEN it is refused: their outputs would collide', () => {
    const config = variant(devLike, (c) => {
      c.services.backend.secrets = { API_KEY: { create: true }, api_key: { create: true } };
    }) as EnvironmentConfig;
    expect(() => sampleApp(config)).toThrow(
      /services\.backend\.secrets\.api_key must differ from the other created secrets' variables in more than case and underscores \(both would be output SecretBackendApiKeyArn\)/,
    );
  });
});

describe('the names Slipway refuses are the names Slipway sets', () => {
  test("GIVEN services using a database and a cache, behind the HTTP API WHEN synthesized THEN every variable the stack gives a container is a reserved name or the app definition's own", () => {
    const withData = (base: EnvironmentConfig) =>
      variant(base, (c) => {
        // Paused when idle in dev (which adds PGCONNECT_TIMEOUT), a reader in another zone in prod.
        c.database = base.highAvailability
          ? { engine: 'aurora-serverless', minCapacity: 0.5, maxCapacity: 4, readers: 1 }
          : { engine: 'aurora-serverless', minCapacity: 0, maxCapacity: 2 };
        c.cache = { mode: 'serverless' };
        c.services.backend.uses = ['database', 'cache'];
      }) as EnvironmentConfig;
    const reserved = new Set(RESERVED_VARIABLES.flatMap((group) => group.names));
    const appDefined = new Set(['NODE_ENV', 'PORT']);
    for (const config of [withData(devHttpApi), withData(prodLike)]) {
      const container = backendContainer(Template.fromStack(sampleApp(config).stack));
      const names = [...(container.Environment ?? []), ...(container.Secrets ?? [])].map((entry: any) => entry.Name);
      expect(names.filter((name) => !reserved.has(name) && !appDefined.has(name))).toEqual([]);
      expect(names).toEqual(expect.arrayContaining(['PGHOST', 'PGPASSWORD', 'REDIS_PASSWORD']));
      if (!config.highAvailability) {
        expect(names).toEqual(expect.arrayContaining(['PGCONNECT_TIMEOUT', 'CLIENT_ADDRESS_FROM']));
      }
    }
  });

  test("GIVEN the ingress's client-address variable and the image's commit build argument WHEN compared THEN both are reserved", () => {
    const reserved = RESERVED_VARIABLES.flatMap((group) => group.names);
    expect(reserved).toContain(CLIENT_ADDRESS_VARIABLE);
    expect(reserved).toContain(IMAGE_COMMIT_BUILD_ARG);
  });
});
