import { SecretRef, isParameterRef, isSecretsManagerArnRef } from './app-settings-config';
import { EnvironmentConfig, ServiceConfig } from './environment-config';
import { arnOutsideAccountIssue, arnOutsideRegionIssue, perService } from './shared-rules';
import { ConfigIssue } from './slipway-config-error';

// Cross-field rules of the services' own settings (`environment`, `secrets`); `checkEnvironmentRules` runs them with
// the others.

type AppSettingsRule = (config: EnvironmentConfig) => ConfigIssue[];

/** Variables that Slipway or ECS put in a service's container, with who sets them and what to do instead. */
export interface ReservedVariables {
  /** The variable names. */
  readonly names: readonly string[];
  /** Whether they are reserved in this service (the data tier's only when the service uses it). */
  readonly appliesTo: (service: ServiceConfig) => boolean;
  /** Who sets them, phrased to follow "is set by": "Slipway for the database the service uses". */
  readonly setBy: string;
  /** What to do instead. */
  readonly fix: string;
}

/**
 * Every variable a setting may not set, because something else already does: the data tier's connection settings
 * (`dataConnection` in `app/data-tier.ts`), the ingress's client-address source (`HttpApiService`), the build commit
 * Slipway's images carry, what ECS sets in every task, and AWS credentials, which the task role provides.
 */
export const RESERVED_VARIABLES: readonly ReservedVariables[] = [
  {
    names: [
      'PGHOST',
      'PGPORT',
      'PGDATABASE',
      'PGUSER',
      'PGPASSWORD',
      'PGSSLMODE',
      'PGSSLROOTCERT',
      'PGCONNECT_TIMEOUT',
    ],
    appliesTo: (service) => (service.uses ?? []).includes('database'),
    setBy: "Slipway, for the environment's database that the service uses",
    fix: "The service gets the database's connection settings from uses: ['database']: remove this variable, or name it differently.",
  },
  {
    names: ['REDIS_HOST', 'REDIS_PORT', 'REDIS_USERNAME', 'REDIS_PASSWORD'],
    appliesTo: (service) => (service.uses ?? []).includes('cache'),
    setBy: "Slipway, for the environment's cache that the service uses",
    fix: "The service gets the cache's connection settings from uses: ['cache']: remove this variable, or name it differently.",
  },
  {
    names: ['GIT_SHA'],
    appliesTo: () => true,
    setBy:
      "Slipway's image build: the commit the image was built from, which /api/version reports and the pipeline verifies",
    fix: 'Remove it: a different value would make the release verification compare the wrong commit.',
  },
  {
    names: ['CLIENT_ADDRESS_FROM'],
    appliesTo: () => true,
    setBy: "Slipway, from the environment's ingress (where the API reads a client's address)",
    fix: 'Remove it: the ingress decides which header carries the client address.',
  },
  {
    names: [
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_EXECUTION_ENV',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'AWS_CONTAINER_AUTHORIZATION_TOKEN',
      'ECS_CONTAINER_METADATA_URI',
      'ECS_CONTAINER_METADATA_URI_V4',
      'ECS_AGENT_URI',
    ],
    appliesTo: () => true,
    setBy: 'Amazon ECS in every task',
    fix: "Remove it: ECS sets it to the task's own region, credentials endpoint or metadata address.",
  },
  {
    names: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'],
    appliesTo: () => true,
    setBy: "the task's IAM role (static keys would replace its credentials for every AWS SDK call)",
    fix: 'Remove it and grant the task role what the app needs; for another account, name the keys differently and build that client with them explicitly.',
  },
];

/** A variable set by Slipway or ECS may not be set again, neither as a plain value nor as a secret. */
const reservedVariables: AppSettingsRule = perService((service, settings) =>
  (['environment', 'secrets'] as const).flatMap((kind) =>
    Object.keys(settings[kind] ?? {}).flatMap((name): ConfigIssue[] => {
      const reserved = RESERVED_VARIABLES.find((group) => group.names.includes(name) && group.appliesTo(settings));
      return reserved
        ? [
            {
              field: `services.${service}.${kind}`,
              value: name,
              problem: `must not set ${name}, which is set by ${reserved.setBy}`,
              fix: reserved.fix,
            },
          ]
        : [];
    }),
  ),
);

/** One variable, one source: a name in both `environment` and `secrets` would leave ECS to pick one. */
const variableInOnePlace: AppSettingsRule = perService((service, settings) =>
  Object.keys(settings.environment ?? {})
    .filter((name) => settings.secrets?.[name] !== undefined)
    .map((name) => ({
      field: `services.${service}.secrets.${name}`,
      value: name,
      problem: `must not also be in services.${service}.environment`,
      fix: `Keep ${name} in one place: in secrets if its value is secret, else in environment.`,
    })),
);

/** A name that says "secret": its value belongs in `secrets`, out of git and out of the task definition. */
const SECRET_LOOKING_NAME =
  /(^|_)(PASSWORD|PASSWD|SECRET|SECRET_KEY|TOKEN|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)$/i;

/** Values that are AWS access keys or private keys whatever their name. */
const SECRET_LOOKING_VALUE = /^(AKIA|ASIA)[A-Z0-9]{16}$|-----BEGIN [A-Z ]*PRIVATE KEY-----/;

const plainValuesNotSecret: AppSettingsRule = perService((service, settings) =>
  Object.entries(settings.environment ?? {}).flatMap(([name, value]): ConfigIssue[] => {
    const fix = `Move it to services.${service}.secrets (e.g. { create: true }, or a Parameter Store SecureString, which is free): a plain value is in git and readable by anyone who can describe the task definition.`;
    if (SECRET_LOOKING_NAME.test(name)) {
      return [
        {
          field: `services.${service}.environment`,
          value: name,
          problem: 'must not hold a password, token or key: the name says it is secret',
          fix,
        },
      ];
    }
    if (SECRET_LOOKING_VALUE.test(value)) {
      return [
        {
          field: `services.${service}.environment.${name}`,
          // Not the value itself: the message would print the key to the terminal and the build log.
          value: `${value.slice(0, 4)}…`,
          problem: 'must not hold an AWS access key or a private key',
          fix: `${fix} Then revoke the key: it is in git's history now.`,
        },
      ];
    }
    return [];
  }),
);

/** Each secret reference with its field path. */
function secretRefs(config: EnvironmentConfig): { field: string; ref: SecretRef }[] {
  return Object.entries(config.services).flatMap(([service, settings]) =>
    Object.entries(settings.secrets ?? {}).map(([name, ref]) => ({
      field: `services.${service}.secrets.${name}`,
      ref,
    })),
  );
}

/**
 * A secret given by ARN is in the environment's region and account: the execution role can only be granted, and
 * `slipway doctor` can only check, what the environment's account holds (a secret of another account also needs a
 * resource policy and a customer-managed key shared with this one).
 */
const secretArnInEnvironment: AppSettingsRule = (config) =>
  secretRefs(config).flatMap(({ field, ref }): ConfigIssue[] => {
    if (!isSecretsManagerArnRef(ref)) return [];
    const issues = [
      arnOutsideRegionIssue(
        `${field}.secretArn`,
        ref.secretArn,
        config,
        'a secret',
        `Create or replicate the secret in ${config.region} (\`aws secretsmanager replicate-secret-to-regions\`) and use that copy's ARN.`,
      ),
      arnOutsideAccountIssue(
        `${field}.secretArn`,
        ref.secretArn,
        config,
        'a secret',
        `Create the secret in account ${config.account}: Slipway grants and checks secrets of the environment's own account only.`,
      ),
    ];
    return issues.filter((issue): issue is ConfigIssue => issue !== undefined);
  });

/** A secret's or parameter's KMS key is in the environment's region: Secrets Manager and Parameter Store use keys of their own region. */
const secretKeyInRegion: AppSettingsRule = (config) =>
  secretRefs(config).flatMap(({ field, ref }): ConfigIssue[] => {
    const keyArn = ref.kmsKeyArn;
    if (keyArn === undefined) return [];
    const issue = arnOutsideRegionIssue(
      `${field}.kmsKeyArn`,
      keyArn,
      config,
      'a key',
      `A ${isParameterRef(ref) ? 'parameter' : 'secret'} in ${config.region} is encrypted with a key of ${config.region}: give that key's ARN (\`aws ${isParameterRef(ref) ? 'ssm describe-parameters' : 'secretsmanager describe-secret'}\` names it).`,
    );
    return issue ? [issue] : [];
  });

/** Every rule of the services' own settings, in the order their problems are reported. */
export const APP_SETTINGS_RULES: readonly AppSettingsRule[] = [
  reservedVariables,
  variableInOnePlace,
  plainValuesNotSecret,
  secretArnInEnvironment,
  secretKeyInRegion,
];
