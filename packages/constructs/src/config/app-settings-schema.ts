import { z } from 'zod';
import { SecretRef } from './app-settings-config';
import { rule } from './parse-settings';

// The zod schemas of a service's own settings (`services.<name>.environment`, `services.<name>.secrets`); the
// cross-field rules (reserved names, region and account of ARNs) are in `app-settings-rules.ts`.

/** What a POSIX shell and ECS accept as an environment variable name: a letter or `_`, then letters, digits, `_`. */
export const ENVIRONMENT_VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The complete ARN of a Secrets Manager secret, with the six random characters Secrets Manager appends. */
const SECRET_COMPLETE_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;

/** A Parameter Store name: `name` or a hierarchy `/a/b/name`, of letters, digits and `_.-`, at most 2048 characters. */
const PARAMETER_NAME = /^(?=.{1,2048}$)\/?[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/** A key of a JSON secret: ECS's `valueFrom` separates its parts with `:`, so a key cannot hold one. */
const JSON_KEY = /^[^:\s]+$/;

/** A KMS key ARN (not an alias: IAM grants name the key). */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

const variableName = z
  .string()
  .regex(
    ENVIRONMENT_VARIABLE_NAME,
    rule(
      'must be an environment variable name: a letter or _, then letters, digits or _',
      'Rename it, e.g. TEMPORAL_ADDRESS.',
    ),
  );

/** `services.<name>.environment`: plain variables, each value a string. */
export const serviceEnvironmentSchema = z
  .record(
    variableName,
    z.string(
      rule('must be a string', "Quote the value, e.g. '8080' or 'true': a container's environment holds strings only."),
    ),
  )
  .optional();

/**
 * One entry of `services.<name>.secrets`. The fields are checked one by one, then the object is narrowed to exactly
 * one of the four forms, with a message per missing or conflicting field (a plain zod union would only say "invalid
 * input").
 */
const secretRefSchema = z
  .strictObject({
    // Refused whatever its value (below, with the command that prints the complete ARN): kept in the schema so that
    // the message says why, not "unrecognized key".
    secretName: z.string().optional(),
    secretArn: z
      .string()
      .regex(
        SECRET_COMPLETE_ARN,
        rule(
          'must be the complete ARN of a Secrets Manager secret, ending in a hyphen and six characters',
          'Copy it from `aws secretsmanager describe-secret --secret-id <name> --query ARN --output text`.',
        ),
      )
      .optional(),
    parameterName: z
      .string()
      .regex(
        PARAMETER_NAME,
        rule(
          'must be a Parameter Store name: letters, digits and _.-, a hierarchy starting with /',
          "Give the name, not the ARN, e.g. '/temporal/dev/api-key'.",
        ),
      )
      .optional(),
    create: z
      .literal(
        true,
        rule('must be true', 'Write create: true to have the stack create the secret, or reference an existing one.'),
      )
      .optional(),
    field: z
      .string()
      .regex(
        JSON_KEY,
        rule('must be a JSON key without colons or spaces', "Use the key of the secret's JSON value, e.g. 'apiKey'."),
      )
      .optional(),
    kmsKeyArn: z
      .string()
      .regex(
        KMS_KEY_ARN,
        rule(
          'must be a KMS key ARN (arn:…:kms:<region>:<account>:key/<id>)',
          'Copy it from `aws kms describe-key --key-id <alias or id> --query KeyMetadata.Arn`; an alias ARN cannot be granted.',
        ),
      )
      .optional(),
  })
  .transform((ref, context): SecretRef => {
    let refused = false;
    const problem = (path: string[], text: string, fix: string): void => {
      refused = true;
      context.issues.push({ code: 'custom', path, message: rule(text, fix).error, input: ref });
    };
    const { secretName, secretArn, parameterName, create, field, kmsKeyArn } = ref;
    if (secretName !== undefined) {
      // ECS is documented to take a secret's complete ARN, and a task given the partial ARN `arn:…:secret:<name>`
      // fails to start with AccessDeniedException even when the execution role may read `<name>-??????`
      // (aws/aws-cdk#18555, #20744): a template cannot learn the six random characters from the name.
      problem(
        ['secretName'],
        'is not supported: ECS starts a task only from the complete ARN of a Secrets Manager secret',
        `Replace it with secretArn, the output of \`aws secretsmanager describe-secret --secret-id ${JSON.stringify(secretName)} --query ARN --output text\` (it ends in a hyphen and six random characters).`,
      );
      return z.NEVER;
    }
    const sources = [
      secretArn !== undefined && 'secretArn',
      parameterName !== undefined && 'parameterName',
      create !== undefined && 'create',
    ].filter((source): source is string => source !== false);
    if (sources.length === 0) {
      problem(
        [],
        'must name where the secret is: secretArn, parameterName or create: true',
        "Use e.g. { parameterName: '/temporal/dev/api-key' }, { secretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:temporal/dev-AbCdEf', field: 'apiKey' }, or { create: true } to have the stack create it.",
      );
      return z.NEVER;
    }
    if (sources.length > 1) {
      problem(
        [],
        `must name one source, not ${sources.join(' and ')}`,
        'Keep the one the value is read from: secretArn, parameterName or create.',
      );
      return z.NEVER;
    }
    if (field !== undefined && (parameterName !== undefined || create !== undefined)) {
      problem(
        ['field'],
        `is only for a Secrets Manager secret with a JSON value, not with ${sources[0]}`,
        'Remove field: the variable gets the whole value.',
      );
    }
    if (kmsKeyArn !== undefined && create !== undefined) {
      problem(
        ['kmsKeyArn'],
        'must be absent with create: true',
        "The stack encrypts the secrets it creates with the environment's own key: remove kmsKeyArn.",
      );
    }
    if (refused) return z.NEVER;
    if (secretArn !== undefined) return withOptional({ secretArn }, { field, kmsKeyArn });
    if (parameterName !== undefined) return withOptional({ parameterName }, { kmsKeyArn });
    return { create: true };
  });

/** `services.<name>.secrets`: where each secret variable's value comes from. */
export const serviceSecretsSchema = z.record(variableName, secretRefSchema).optional();

/** `base` with those of `optional` that are set: the parsed settings carry no `undefined` keys. */
function withOptional<Base extends object, Optional extends Record<string, string | undefined>>(
  base: Base,
  optional: Optional,
): Base & Partial<Record<keyof Optional, string>> {
  const present = Object.entries(optional).filter(([, value]) => value !== undefined);
  return { ...base, ...Object.fromEntries(present) };
}
