import { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import {
  DescribeSecretCommand,
  DescribeSecretCommandOutput,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, ParameterMetadata, SSMClient } from '@aws-sdk/client-ssm';
import {
  isCreatedSecretRef,
  isParameterRef,
  ParameterRef,
  SecretRef,
  SecretsManagerArnRef,
  UNSET_SECRET_VALUE,
} from '@slipway/constructs';
import { createdSecretOutputKey } from '@slipway/constructs/lib/contract';
import type { DoctorCheck } from './checks';
import { DoctorTarget } from './doctor-target';
import { describeStackIfAny } from './stacks';
import { explainAwsError, isNamed } from '../aws-error';

/** The clients the secret checks call, in the environment's region. */
export interface SecretCheckClients {
  readonly secretsManager: SecretsManagerClient;
  readonly ssm: SSMClient;
  /** Reads the outputs of the environment's stack, where the secrets it created are. */
  readonly cloudFormation: CloudFormationClient;
}

/** The id and title of the check when no service has secrets, or when the account's checks are skipped. */
export const SERVICE_SECRETS_CHECK = ['service-secrets', "Services' secrets"] as const;

/**
 * Each secret and parameter the services' settings reference exists in the environment's account and region, has a
 * value ECS can read, and is encrypted with a key the execution role is granted: a task whose secret is missing or
 * unreadable does not start, and a first deploy then rolls back. A secret the stack creates is checked for a value
 * put since. Only metadata is read (DescribeSecret, DescribeParameters), never a secret's value, so a JSON `field` is
 * not checked.
 */
export async function checkServiceSecrets(target: DoctorTarget, clients: SecretCheckClients): Promise<DoctorCheck[]> {
  const references = Object.entries(target.config.services).flatMap(([service, settings]) =>
    Object.entries(settings.secrets ?? {}).map(([variable, ref]) => ({ service, variable, ref })),
  );
  if (references.length === 0) {
    const [id, title] = SERVICE_SECRETS_CHECK;
    return [{ id, title, status: 'skip', detail: `no service of ${target.config.name} has secrets in its settings` }];
  }
  let stackOutputs: Promise<StackOutputs> | undefined;
  const outputs = () => (stackOutputs ??= readStackOutputs(target, clients.cloudFormation));
  const checks: DoctorCheck[] = [];
  for (const { service, variable, ref } of references) {
    const base = {
      id: `service-secret:${service}.${variable}`,
      title: `Secret ${variable} of ${service}`,
    };
    checks.push({ ...base, ...(await checkReference(target, clients, ref, outputs, service, variable)) });
  }
  return checks;
}

type Outcome = Omit<DoctorCheck, 'id' | 'title'>;

function checkReference(
  target: DoctorTarget,
  clients: SecretCheckClients,
  ref: SecretRef,
  outputs: () => Promise<StackOutputs>,
  service: string,
  variable: string,
): Promise<Outcome> {
  if (isCreatedSecretRef(ref)) return checkCreatedSecret(clients, outputs, service, variable);
  if (isParameterRef(ref)) return checkParameter(target, clients.ssm, ref);
  return checkSecret(target, clients.secretsManager, ref);
}

/** A secret referenced by its complete ARN. */
async function checkSecret(
  target: DoctorTarget,
  secretsManager: SecretsManagerClient,
  ref: SecretsManagerArnRef,
): Promise<Outcome> {
  const { account, region } = target.config;
  const id = ref.secretArn;
  let secret: DescribeSecretCommandOutput;
  try {
    secret = await secretsManager.send(new DescribeSecretCommand({ SecretId: id }));
  } catch (error) {
    if (isNamed(error, 'ResourceNotFoundException')) {
      return {
        status: 'fail',
        detail: `no secret ${id} in account ${account}, ${region}: the service's tasks would not start`,
        fix: `Correct secretArn in ${target.configFile} (aws secretsmanager list-secrets), create the secret and put its ARN there, or use { create: true } to have the stack create it.`,
      };
    }
    return { status: 'fail', detail: explainAwsError(error, 'secretsmanager:DescribeSecret') };
  }
  const name = secret.Name ?? id;
  if (secret.DeletedDate) {
    return {
      status: 'fail',
      detail: `${name} is scheduled for deletion on ${secret.DeletedDate.toISOString().slice(0, 10)}: ECS cannot read it`,
      fix: `Restore it: aws secretsmanager restore-secret --secret-id ${secret.ARN ?? id}`,
    };
  }
  const problem = valueProblem(secret) ?? keyProblem(target, ref, secret.KmsKeyId, 'secret');
  if (problem) return problem;
  const field = ref.field ? ` (its JSON key ${ref.field} is not checked: doctor reads no secret values)` : '';
  return { status: 'pass', detail: `${secret.ARN ?? name} exists, with a current value${field}` };
}

/** A Parameter Store parameter, by name: DescribeParameters, which returns metadata and never the value. */
async function checkParameter(target: DoctorTarget, ssm: SSMClient, ref: ParameterRef): Promise<Outcome> {
  const { account, region } = target.config;
  let parameter: ParameterMetadata | undefined;
  try {
    parameter = await describeParameter(ssm, ref.parameterName);
  } catch (error) {
    return { status: 'fail', detail: explainAwsError(error, 'ssm:DescribeParameters') };
  }
  if (!parameter) {
    return {
      status: 'fail',
      detail: `no parameter ${ref.parameterName} in account ${account}, ${region}: the service's tasks would not start`,
      fix: `Create it (aws ssm put-parameter --name ${ref.parameterName} --type SecureString --value <value>), or correct parameterName in ${target.configFile}.`,
    };
  }
  if (parameter.Type === 'SecureString') {
    const problem = keyProblem(target, ref, parameter.KeyId, 'parameter');
    if (problem) return problem;
  }
  return { status: 'pass', detail: `${ref.parameterName} exists (${parameter.Type ?? 'parameter'})` };
}

/**
 * A secret the stack creates: found by the stack output that holds its ARN. Before the first deploy there is none,
 * which is fine; after it, the secret should have a value put since the stack created it with the unset marker.
 */
async function checkCreatedSecret(
  clients: SecretCheckClients,
  outputs: () => Promise<StackOutputs>,
  service: string,
  variable: string,
): Promise<Outcome> {
  const found = await outputs();
  if ('error' in found) return { status: 'fail', detail: found.error };
  const outputKey = createdSecretOutputKey(service, variable);
  const arn = found.outputs?.[outputKey];
  if (!arn) {
    return {
      status: 'pass',
      detail: found.outputs
        ? `${found.stackName} has no output ${outputKey} yet: the next deploy creates the secret (it holds ${UNSET_SECRET_VALUE} until you put the value)`
        : `the first deploy creates the secret (it holds ${UNSET_SECRET_VALUE} until you put the value)`,
    };
  }
  let secret: DescribeSecretCommandOutput;
  try {
    secret = await clients.secretsManager.send(new DescribeSecretCommand({ SecretId: arn }));
  } catch (error) {
    return { status: 'fail', detail: explainAwsError(error, 'secretsmanager:DescribeSecret') };
  }
  // The stack writes one version, the marker; a value put since is a second version (the marker's becomes
  // AWSPREVIOUS). Counting versions tells the two apart without reading either value.
  const versions = Object.keys(secret.VersionIdsToStages ?? {}).length;
  if (versions <= 1) {
    return {
      status: 'fail',
      detail: `${arn} still holds ${UNSET_SECRET_VALUE}, the value the stack created it with: the service runs without its ${variable}`,
      fix: `Put the value, then start new tasks: aws secretsmanager put-secret-value --secret-id ${arn} --secret-string <value>; aws ecs update-service --cluster <ClusterName output> --service <${service} service> --force-new-deployment`,
    };
  }
  return { status: 'pass', detail: `${arn} has a value put since the stack created it` };
}

/** ECS reads the version labelled AWSCURRENT: a secret created without a value has none. */
function valueProblem(secret: DescribeSecretCommandOutput): Outcome | undefined {
  const current = Object.values(secret.VersionIdsToStages ?? {}).some((stages) => stages.includes('AWSCURRENT'));
  if (current) return undefined;
  return {
    status: 'fail',
    detail: `${secret.Name ?? secret.ARN} has no current value (no version labelled AWSCURRENT): ECS cannot start the service's tasks`,
    fix: `Put one: aws secretsmanager put-secret-value --secret-id ${secret.ARN ?? secret.Name} --secret-string <value>`,
  };
}

/**
 * A secret or parameter encrypted with a customer-managed key needs that key in the settings (`kmsKeyArn`): only then
 * is the execution role granted kms:Decrypt. Secrets Manager omits the key for its AWS managed key; Parameter Store
 * names it `alias/aws/ssm`.
 */
function keyProblem(
  target: DoctorTarget,
  ref: SecretsManagerArnRef | ParameterRef,
  keyId: string | undefined,
  what: 'secret' | 'parameter',
): Outcome | undefined {
  const awsManaged = what === 'secret' ? 'alias/aws/secretsmanager' : 'alias/aws/ssm';
  if (keyId === undefined || keyId === awsManaged || keyId.endsWith(`:${awsManaged}`)) return undefined;
  if (ref.kmsKeyArn === undefined) {
    const keyArn = keyId.startsWith('arn:') && keyId.includes(':key/') ? keyId : undefined;
    return {
      status: 'fail',
      detail: `the ${what} is encrypted with the customer-managed key ${keyId}, which the settings do not name: the execution role would not be allowed to decrypt it and the tasks would not start`,
      fix: `Add kmsKeyArn: '${keyArn ?? '<the key ARN>'}' to it in ${target.configFile}${keyArn ? '' : ` (aws kms describe-key --key-id ${keyId} --query KeyMetadata.Arn)`}.`,
    };
  }
  // A key id or key ARN can be compared; an alias cannot, without asking KMS.
  const keyUuid = /^(arn:[^:]+:kms:[^:]+:\d{12}:key\/)?([0-9a-f-]{36}|mrk-[0-9a-f]{32})$/.exec(keyId)?.[2];
  if (keyUuid && !ref.kmsKeyArn.endsWith(`/${keyUuid}`)) {
    return {
      status: 'fail',
      detail: `the ${what} is encrypted with the key ${keyId}, not with kmsKeyArn ${ref.kmsKeyArn}: the execution role would be granted the wrong key`,
      fix: `Set kmsKeyArn in ${target.configFile} to the ARN of ${keyId}.`,
    };
  }
  return undefined;
}

/**
 * The parameter's metadata, or undefined when there is none. DescribeParameters answers "on a best-effort basis": a
 * page may come back empty with a NextToken, so the pages are read until the name is found or they end.
 */
async function describeParameter(ssm: SSMClient, name: string): Promise<ParameterMetadata | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [name] }],
        NextToken: nextToken,
      }),
    );
    const found = page.Parameters?.find((parameter) => parameter.Name === name);
    if (found) return found;
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
}

/** The environment stack's outputs by key; none when it is not deployed yet. */
type StackOutputs =
  { readonly stackName?: string; readonly outputs?: Readonly<Record<string, string>> } | { readonly error: string };

async function readStackOutputs(target: DoctorTarget, cloudFormation: CloudFormationClient): Promise<StackOutputs> {
  const stackName = target.appStackName;
  if (!stackName) return {};
  let stack: Stack | undefined;
  try {
    stack = await describeStackIfAny(cloudFormation, stackName);
  } catch (error) {
    return { error: explainAwsError(error, 'cloudformation:DescribeStacks') };
  }
  // A stack whose first create failed or is under way has no outputs yet: the next deploy creates the secrets.
  if (!stack || stack.StackStatus === 'REVIEW_IN_PROGRESS') return { stackName };
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey && output.OutputValue) outputs[output.OutputKey] = output.OutputValue;
  }
  return { stackName, outputs };
}
