/**
 * A service's own settings in one environment: plain environment variables (`services.<name>.environment`) and
 * secrets that ECS injects from Secrets Manager or Parameter Store when a task starts (`services.<name>.secrets`).
 * Only the reference to a secret is in the settings and the task definition, never its value.
 */

/** An existing Secrets Manager secret of the environment's account and region, by its complete ARN. */
export interface SecretsManagerArnRef {
  /**
   * The complete ARN, ending in a hyphen and the six random characters Secrets Manager adds:
   * `aws secretsmanager describe-secret --secret-id <name> --query ARN --output text`.
   */
  readonly secretArn: string;
  /**
   * A key of the secret's JSON value: the variable gets that key's value instead of the whole JSON.
   * @default - the whole secret value
   */
  readonly field?: string;
  /**
   * ARN of the customer-managed KMS key the secret is encrypted with, in the environment's region.
   * @default - the secret uses the AWS managed key `aws/secretsmanager`, which needs no grant
   */
  readonly kmsKeyArn?: string;
  /** Not with `secretArn`. */
  readonly parameterName?: never;
  /** Not with `secretArn`. */
  readonly create?: never;
}

/** An existing Systems Manager Parameter Store parameter (SecureString or String) of the environment's account and region. */
export interface ParameterRef {
  /**
   * The parameter's name, e.g. `/temporal/dev/api-key` (a hierarchy starts with `/`): letters, digits and `_.-/`.
   */
  readonly parameterName: string;
  /**
   * ARN of the customer-managed KMS key a SecureString parameter is encrypted with, in the environment's region.
   * @default - a String parameter, or a SecureString with the AWS managed key `aws/ssm`, which needs no grant
   */
  readonly kmsKeyArn?: string;
  /** Not with `parameterName`. */
  readonly secretArn?: never;
  /** Not with `parameterName`: a parameter holds one value. */
  readonly field?: never;
  /** Not with `parameterName`. */
  readonly create?: never;
}

/**
 * A Secrets Manager secret that the environment's stack creates, encrypted with the environment's KMS key, for the
 * team to fill in (`aws secretsmanager put-secret-value`). Until then it holds `UNSET_SECRET_VALUE`, so the tasks start
 * and the app sees that value; a value put later reaches new tasks only (docs/environments.md).
 */
export interface CreatedSecretRef {
  /** The stack creates the secret; its ARN is the stack output `<Service>Secret<VARIABLE>Arn`. */
  readonly create: true;
  /** Not with `create`. */
  readonly secretArn?: never;
  /** Not with `create`. */
  readonly parameterName?: never;
  /** Not with `create`: the secret holds one plain value. */
  readonly field?: never;
  /** Not with `create`: the environment's own key encrypts it. */
  readonly kmsKeyArn?: never;
}

/** Where a secret environment variable comes from. */
export type SecretRef = SecretsManagerArnRef | ParameterRef | CreatedSecretRef;

/**
 * The value a secret created by the stack (`{ create: true }`) holds until the team puts the real one. A secret
 * created without a value has no version, and ECS cannot start a task whose secret has no current version, so the
 * stack writes this marker: an app reads it as "not configured yet".
 */
export const UNSET_SECRET_VALUE = 'slipway:unset';

/** Whether a secret reference names an existing Secrets Manager secret by its complete ARN. */
export function isSecretsManagerArnRef(ref: SecretRef): ref is SecretsManagerArnRef {
  return ref.secretArn !== undefined;
}

/** Whether a secret reference names a Parameter Store parameter. */
export function isParameterRef(ref: SecretRef): ref is ParameterRef {
  return ref.parameterName !== undefined;
}

/** Whether the stack creates the secret. */
export function isCreatedSecretRef(ref: SecretRef): ref is CreatedSecretRef {
  return ref.create === true;
}
