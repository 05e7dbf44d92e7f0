import { parseEnvironmentConfig, RESERVED_VARIABLES, SlipwayConfigError } from '../../src/config';
import { devLike, variant } from '../fixtures/environments';

const DEV = 'environments/dev.ts';
const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:temporal/dev-AbCdEf';

/** Dev-like settings with the backend's own settings set by `mutate`. */
function withBackend(mutate: (backend: any) => void): unknown {
  return variant(devLike, (c) => mutate(c.services.backend));
}

/** The message the settings are refused with, or fail the test. */
function messageOf(config: unknown): string {
  try {
    parseEnvironmentConfig(config, DEV);
  } catch (error) {
    expect(error).toBeInstanceOf(SlipwayConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the settings to be refused');
}

describe("a service's environment and secrets settings", () => {
  test('GIVEN plain variables and a secret of each form WHEN parsed THEN they come back unchanged', () => {
    const config = withBackend((backend) => {
      backend.environment = { TEMPORAL_ADDRESS: 'temporal.example.com:7233', temporal_namespace: 'dev', EMPTY: '' };
      backend.secrets = {
        TEMPORAL_API_KEY: { create: true },
        STRIPE_KEY: { secretArn: SECRET_ARN, field: 'apiKey', kmsKeyArn: KEY_ARN },
        SENTRY_DSN: { secretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:sentry/dev-Q1w2E3' },
        MAPS_KEY: { parameterName: '/maps/dev/key', kmsKeyArn: KEY_ARN },
        FLAT_PARAMETER: { parameterName: 'maps-dev-key' },
      };
    });
    expect(parseEnvironmentConfig(config, DEV)).toEqual(config);
  });

  describe('environment', () => {
    test('GIVEN a name that is not an environment variable name WHEN parsed THEN it is refused naming the key', () => {
      const config = withBackend((backend) => (backend.environment = { 'temporal-address': 'x' }));
      expect(messageOf(config)).toBe(
        'environments/dev.ts: services.backend.environment.temporal-address must be an environment variable name: a letter or _, then letters, digits or _; got "temporal-address". Rename it, e.g. TEMPORAL_ADDRESS.',
      );
    });

    test('GIVEN a value that is not a string WHEN parsed THEN it is refused with the quoting fix', () => {
      const config = withBackend((backend) => (backend.environment = { WORKERS: 4 }));
      expect(messageOf(config)).toBe(
        "environments/dev.ts: services.backend.environment.WORKERS must be a string; got 4. Quote the value, e.g. '8080' or 'true': a container's environment holds strings only.",
      );
    });

    test('GIVEN a variable Slipway sets for the database the service uses WHEN parsed THEN it is refused', () => {
      const config = variant(devLike, (c) => {
        c.database = { engine: 'aurora-serverless', minCapacity: 0, maxCapacity: 2 };
        c.services.backend.uses = ['database'];
        c.services.backend.environment = { PGHOST: 'db.example.com' };
      });
      expect(messageOf(config)).toBe(
        "environments/dev.ts: services.backend.environment must not set PGHOST, which is set by Slipway, for the environment's database that the service uses; got \"PGHOST\". The service gets the database's connection settings from uses: ['database']: remove this variable, or name it differently.",
      );
    });

    test("GIVEN PGHOST in a service that does not use the environment's database WHEN parsed THEN it is accepted (an external database)", () => {
      const config = withBackend((backend) => (backend.environment = { PGHOST: 'legacy-db.example.com' }));
      expect(() => parseEnvironmentConfig(config, DEV)).not.toThrow();
    });

    test('GIVEN a name that says it is secret WHEN parsed THEN it is refused with the move to secrets', () => {
      const config = withBackend((backend) => (backend.environment = { STRIPE_API_KEY: 'sk_live_123' }));
      expect(messageOf(config)).toBe(
        'environments/dev.ts: services.backend.environment must not hold a password, token or key: the name says it is secret; got "STRIPE_API_KEY". Move it to services.backend.secrets (e.g. { create: true }, or a Parameter Store SecureString, which is free): a plain value is in git and readable by anyone who can describe the task definition.',
      );
    });

    test('GIVEN an AWS access key as a value WHEN parsed THEN it is refused without printing the key', () => {
      const config = withBackend((backend) => (backend.environment = { UPLOADS_ID: 'AKIAIOSFODNN7EXAMPLE' }));
      const message = messageOf(config);
      expect(message).toBe(
        'environments/dev.ts: services.backend.environment.UPLOADS_ID must not hold an AWS access key or a private key; got "AKIA…". Move it to services.backend.secrets (e.g. { create: true }, or a Parameter Store SecureString, which is free): a plain value is in git and readable by anyone who can describe the task definition. Then revoke the key: it is in git\'s history now.',
      );
      expect(message).not.toContain('AKIAIOSFODNN7EXAMPLE');
    });

    test('GIVEN the same name in environment and secrets WHEN parsed THEN it is refused', () => {
      const config = withBackend((backend) => {
        backend.environment = { TEMPORAL_ADDRESS: 'a:7233' };
        backend.secrets = { TEMPORAL_ADDRESS: { create: true } };
      });
      expect(messageOf(config)).toBe(
        'environments/dev.ts: services.backend.secrets.TEMPORAL_ADDRESS must not also be in services.backend.environment; got "TEMPORAL_ADDRESS". Keep TEMPORAL_ADDRESS in one place: in secrets if its value is secret, else in environment.',
      );
    });
  });

  describe('secrets', () => {
    const secret = (ref: unknown) => withBackend((backend) => (backend.secrets = { API_KEY: ref }));

    test('GIVEN a variable ECS sets in every task WHEN parsed THEN it is refused as a secret too', () => {
      const config = withBackend((backend) => (backend.secrets = { AWS_REGION: { parameterName: '/region' } }));
      expect(messageOf(config)).toBe(
        'environments/dev.ts: services.backend.secrets must not set AWS_REGION, which is set by Amazon ECS in every task; got "AWS_REGION". Remove it: ECS sets it to the task\'s own region, credentials endpoint or metadata address.',
      );
    });

    test('GIVEN a secret by name WHEN parsed THEN it is refused with the command that prints its complete ARN: ECS cannot start a task from a name', () => {
      expect(messageOf(secret({ secretName: 'temporal/dev', field: 'apiKey' }))).toBe(
        'environments/dev.ts: services.backend.secrets.API_KEY.secretName is not supported: ECS starts a task only from the complete ARN of a Secrets Manager secret; got "temporal/dev". Replace it with secretArn, the output of `aws secretsmanager describe-secret --secret-id "temporal/dev" --query ARN --output text` (it ends in a hyphen and six random characters).',
      );
    });

    test('GIVEN a partial secret ARN WHEN parsed THEN it is refused: ECS needs the complete one', () => {
      expect(messageOf(secret({ secretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:temporal' }))).toBe(
        'environments/dev.ts: services.backend.secrets.API_KEY.secretArn must be the complete ARN of a Secrets Manager secret, ending in a hyphen and six characters; got "arn:aws:secretsmanager:eu-west-1:111111111111:secret:temporal". Copy it from `aws secretsmanager describe-secret --secret-id <name> --query ARN --output text`.',
      );
    });

    test('GIVEN a parameter ARN instead of its name WHEN parsed THEN it is refused', () => {
      expect(messageOf(secret({ parameterName: 'arn:aws:ssm:eu-west-1:111111111111:parameter/x' }))).toBe(
        'environments/dev.ts: services.backend.secrets.API_KEY.parameterName must be a Parameter Store name: letters, digits and _.-, a hierarchy starting with /; got "arn:aws:ssm:eu-west-1:111111111111:parameter/x". Give the name, not the ARN, e.g. \'/temporal/dev/api-key\'.',
      );
    });

    test('GIVEN create: false WHEN parsed THEN it is refused', () => {
      expect(messageOf(secret({ create: false }))).toBe(
        'environments/dev.ts: services.backend.secrets.API_KEY.create must be true; got false. Write create: true to have the stack create the secret, or reference an existing one.',
      );
    });

    test('GIVEN a JSON key with a colon WHEN parsed THEN it is refused: it would break the valueFrom ARN', () => {
      expect(messageOf(secret({ secretArn: SECRET_ARN, field: 'api:key' }))).toBe(
        "environments/dev.ts: services.backend.secrets.API_KEY.field must be a JSON key without colons or spaces; got \"api:key\". Use the key of the secret's JSON value, e.g. 'apiKey'.",
      );
    });

    test('GIVEN a KMS alias ARN WHEN parsed THEN it is refused: IAM grants name the key', () => {
      expect(
        messageOf(secret({ parameterName: '/x', kmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:alias/app' })),
      ).toBe(
        'environments/dev.ts: services.backend.secrets.API_KEY.kmsKeyArn must be a KMS key ARN (arn:…:kms:<region>:<account>:key/<id>); got "arn:aws:kms:eu-west-1:111111111111:alias/app". Copy it from `aws kms describe-key --key-id <alias or id> --query KeyMetadata.Arn`; an alias ARN cannot be granted.',
      );
    });

    test('GIVEN a reference with no source WHEN parsed THEN it is refused with the four forms', () => {
      expect(messageOf(secret({ field: 'apiKey' }))).toMatch(
        /^environments\/dev\.ts: services\.backend\.secrets\.API_KEY must name where the secret is: secretArn, parameterName or create: true; got \{"field":"apiKey"\}\. Use e\.g\./,
      );
    });

    test('GIVEN a reference with two sources WHEN parsed THEN it is refused', () => {
      expect(messageOf(secret({ secretArn: SECRET_ARN, parameterName: '/temporal/dev' }))).toBe(
        `environments/dev.ts: services.backend.secrets.API_KEY must name one source, not secretArn and parameterName; got {"secretArn":"${SECRET_ARN}","parameterName":"/temporal/dev"}. Keep the one the value is read from: secretArn, parameterName or create.`,
      );
    });

    test('GIVEN a JSON field on a parameter WHEN parsed THEN it is refused', () => {
      expect(messageOf(secret({ parameterName: '/temporal/dev', field: 'apiKey' }))).toBe(
        'environments/dev.ts: services.backend.secrets.API_KEY.field is only for a Secrets Manager secret with a JSON value, not with parameterName; got "apiKey". Remove field: the variable gets the whole value.',
      );
    });

    test('GIVEN a key for a secret the stack creates WHEN parsed THEN it is refused: the environment key encrypts it', () => {
      expect(messageOf(secret({ create: true, kmsKeyArn: KEY_ARN }))).toBe(
        `environments/dev.ts: services.backend.secrets.API_KEY.kmsKeyArn must be absent with create: true; got "${KEY_ARN}". The stack encrypts the secrets it creates with the environment's own key: remove kmsKeyArn.`,
      );
    });

    test('GIVEN an unknown field WHEN parsed THEN it is refused as unknown', () => {
      expect(messageOf(secret({ secretArn: SECRET_ARN, versionStage: 'AWSPREVIOUS' }))).toMatch(
        /services\.backend\.secrets\.API_KEY\.versionStage is not a known setting; got "AWSPREVIOUS"\./,
      );
    });

    test("GIVEN a secret ARN in another region WHEN parsed THEN it is refused with the environment's region", () => {
      const arn = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:temporal/dev-AbCdEf';
      expect(messageOf(secret({ secretArn: arn }))).toBe(
        `environments/dev.ts: services.backend.secrets.API_KEY.secretArn must be a secret in the environment's region (eu-west-1); got "${arn}". Create or replicate the secret in eu-west-1 (\`aws secretsmanager replicate-secret-to-regions\`) and use that copy's ARN.`,
      );
    });

    test("GIVEN a secret ARN of another account WHEN parsed THEN it is refused with the environment's account", () => {
      const arn = 'arn:aws:secretsmanager:eu-west-1:999999999999:secret:temporal/dev-AbCdEf';
      expect(messageOf(secret({ secretArn: arn }))).toBe(
        `environments/dev.ts: services.backend.secrets.API_KEY.secretArn must be a secret of the environment's account (111111111111); got "${arn}". Create the secret in account 111111111111: Slipway grants and checks secrets of the environment's own account only.`,
      );
    });

    test('GIVEN a KMS key in another region WHEN parsed THEN it is refused', () => {
      const keyArn = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      expect(messageOf(secret({ parameterName: '/temporal/dev', kmsKeyArn: keyArn }))).toBe(
        `environments/dev.ts: services.backend.secrets.API_KEY.kmsKeyArn must be a key in the environment's region (eu-west-1); got "${keyArn}". A parameter in eu-west-1 is encrypted with a key of eu-west-1: give that key's ARN (\`aws ssm describe-parameters\` names it).`,
      );
    });
  });

  test('GIVEN the reserved names WHEN listed THEN each group says who sets them and what to do', () => {
    for (const group of RESERVED_VARIABLES) {
      expect(group.names.length).toBeGreaterThan(0);
      expect(group.setBy).not.toBe('');
      expect(group.fix).not.toBe('');
    }
  });
});
