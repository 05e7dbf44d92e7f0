import { RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { SecretRef, UNSET_SECRET_VALUE, isCreatedSecretRef, isParameterRef } from '../config/app-settings-config';
import { ServiceConfig } from '../config/environment-config';
import { acknowledgeFindings } from '../nag/acknowledge';

// Where a service's own settings (`services.<name>.environment` and `.secrets`) become container props: plain
// variables as they are, each secret reference as an `ecs.Secret`, whose grant gives the task's execution role read
// access to exactly that secret or parameter (and decrypt with its key) when the container definition takes it.

/** What a service's container gets from its settings. */
export interface ServiceSettingsProps {
  /** Plain environment variables. */
  readonly environment: Record<string, string>;
  /** Secret variables, read by ECS with the task's execution role when a task starts. */
  readonly secrets: Record<string, ecs.Secret>;
  /** The secrets the stack created (`{ create: true }`), by variable. */
  readonly createdSecrets: Record<string, secretsmanager.Secret>;
}

/**
 * The container props of a service's `environment` and `secrets` settings. Imported secrets, parameters and keys, and
 * the secrets the stack creates, are children of `scope`.
 *
 * @param scope the construct that holds the service's imported and created secrets
 * @param serviceName the service, named in the created secrets' descriptions
 * @param settings the service's settings in this environment
 * @param options the environment's key (encrypts created secrets) and removal policy (applies to them)
 */
export function serviceSettingsProps(
  scope: Construct,
  serviceName: string,
  settings: ServiceConfig,
  options: { readonly encryptionKey: kms.IKey; readonly removalPolicy: RemovalPolicy },
): ServiceSettingsProps {
  const secrets: Record<string, ecs.Secret> = {};
  const createdSecrets: Record<string, secretsmanager.Secret> = {};
  for (const [variable, ref] of Object.entries(settings.secrets ?? {})) {
    // One construct per variable: its name is the id, whatever the other variables are called.
    const holder = new Construct(scope, variable);
    if (isCreatedSecretRef(ref)) {
      const secret = createdSecret(holder, serviceName, variable, options);
      createdSecrets[variable] = secret;
      secrets[variable] = ecs.Secret.fromSecretsManager(secret);
    } else {
      secrets[variable] = importedSecret(holder, ref);
    }
  }
  return { environment: { ...settings.environment }, secrets, createdSecrets };
}

function importedSecret(scope: Construct, ref: Exclude<SecretRef, { create: true }>): ecs.Secret {
  if (isParameterRef(ref)) {
    // The name is known at synth, so the ARN is `arn:…:parameter/<name>` without a doubled slash; nothing is added to
    // the template but the ARN (ECS reads the value, SecureString or String, when a task starts). Its grant gives
    // kms:Decrypt on the key, if any, to the role itself.
    const parameter = ssm.StringParameter.fromSecureStringParameterAttributes(scope, 'Parameter', {
      parameterName: ref.parameterName,
      encryptionKey: ref.kmsKeyArn ? kms.Key.fromKeyArn(scope, 'Key', ref.kmsKeyArn) : undefined,
    });
    return ecs.Secret.fromSsmParameter(parameter);
  }
  // The complete ARN: ECS is given it as `valueFrom` (with `:<field>::` for a JSON key), and the grant names it.
  const secret = secretsmanager.Secret.fromSecretAttributes(scope, 'Secret', { secretCompleteArn: ref.secretArn });
  const fromSecret = ecs.Secret.fromSecretsManager(secret, ref.field);
  const keyArn = ref.kmsKeyArn;
  if (keyArn === undefined) return fromSecret;
  // An imported secret's `encryptionKey` grants decrypt to a "via Secrets Manager" principal, which an imported key
  // has no policy to hold and a role cannot be: CDK drops that grant. The role gets it here, with the same condition.
  return {
    arn: fromSecret.arn,
    hasField: fromSecret.hasField,
    grantRead: (grantee) => {
      const grant = fromSecret.grantRead(grantee);
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` } },
        }),
      );
      return grant;
    },
  };
}

function createdSecret(
  scope: Construct,
  serviceName: string,
  variable: string,
  options: { readonly encryptionKey: kms.IKey; readonly removalPolicy: RemovalPolicy },
): secretsmanager.Secret {
  // No fixed name: CloudFormation names it after the stack, so a stack created again after a failed first deploy does
  // not collide with the name of the deleted secret, which Secrets Manager keeps for its recovery window.
  const secret = new secretsmanager.Secret(scope, 'Secret', {
    description: `${variable} of ${serviceName} (${Stack.of(scope).stackName}): put its value with aws secretsmanager put-secret-value, then redeploy the service`,
    encryptionKey: options.encryptionKey,
    // Created without a value, the secret would have no version, and ECS cannot start a task whose secret has no
    // current version: the marker lets the tasks start. CloudFormation writes it once; it writes the value again
    // only if this template value changes.
    secretStringValue: SecretValue.unsafePlainText(UNSET_SECRET_VALUE),
    removalPolicy: options.removalPolicy,
  });
  const reason = `${variable} is a credential the team gets from its issuer and rotates there; Secrets Manager has no rotation function for it.`;
  acknowledgeFindings(
    secret,
    { id: 'AwsSolutions-SMG4', reason },
    { id: 'NIST.800.53.R5-SecretsManagerRotationEnabled', reason },
  );
  return secret;
}
