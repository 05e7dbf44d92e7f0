import { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { CodeStarConnectionsClient, GetConnectionCommand } from '@aws-sdk/client-codestar-connections';
import { DescribeAvailabilityZonesCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import type { RDSClient } from '@aws-sdk/client-rds';
import { ListHostedZonesByNameCommand, Route53Client } from '@aws-sdk/client-route-53';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { isHostedZoneHttps, findPlaceholders, findPipelinePlaceholders } from '@slipway/constructs';
import {
  bootstrapCommandFor,
  DEFAULT_BOOTSTRAP_QUALIFIER,
  DoctorTarget,
  pipelineBootstrapCommandFor,
} from './doctor-target';
import { checkDatabaseRestore, DATABASE_RESTORE_CHECK } from './restore-checks';
import { checkImageScanning, IMAGE_SCANNING_CHECK } from './scan-checks';
import { checkServiceSecrets, SERVICE_SECRETS_CHECK } from './secret-checks';
import { describeStackIfAny } from './stacks';
import { explainAwsError, isNamed } from '../aws-error';

/** `pass`: fine; `fail`: fix it before deploying; `skip`: could not or need not be checked from here. */
export type CheckStatus = 'pass' | 'fail' | 'skip';

/** One line of `slipway doctor`. */
export interface DoctorCheck {
  /** Stable id for machines, e.g. `bootstrap-version`. */
  readonly id: string;
  /** What was checked, e.g. `CDK bootstrap version`. */
  readonly title: string;
  readonly status: CheckStatus;
  /** What was found. */
  readonly detail: string;
  /**
   * What to do, for a failed check.
   * @default - nothing to do
   */
  readonly fix?: string;
}

/** The AWS clients the checks call; each in the region it must be called in. */
export interface DoctorClients {
  /** In the environment's region. */
  readonly sts: STSClient;
  /** In the environment's region, where the bootstrap stack is. */
  readonly cloudFormation: CloudFormationClient;
  readonly iam: IAMClient;
  readonly route53: Route53Client;
  /** In the environment's region, whose availability zones the settings list. */
  readonly ec2: EC2Client;
  /** In the environment's region, where the services' secrets are. */
  readonly secretsManager: SecretsManagerClient;
  /** In the environment's region, where the services' parameters are. */
  readonly ssm: SSMClient;
  /** In the environment's region, whose registry holds the CDK bootstrap's image repository. */
  readonly ecr: ECRClient;
  /** In the environment's region, where a database restore's snapshot or source database is. */
  readonly rds: RDSClient;
  /** A client for the connection's region. */
  readonly connections: (region: string) => CodeStarConnectionsClient;
  /**
   * Clients with the credentials of the pipeline's account (`--pipeline-profile`), when that is another account.
   * @default - none: the pipeline account's checks say how to run them
   */
  readonly pipelineAccount?: PipelineAccountClients;
}

/** Clients with the pipeline account's credentials. */
export interface PipelineAccountClients {
  /** Which account the credentials reach. */
  readonly sts: STSClient;
  /** In the environment's region, where CodePipeline deploys its support stack for an environment in another region. */
  readonly cloudFormation: CloudFormationClient;
  /** A client for the connection's region. */
  readonly connections: (region: string) => CodeStarConnectionsClient;
}

/** How the checks run. */
export interface DoctorOptions {
  /** The bootstrap stack's name (`cdk bootstrap --toolkit-stack-name`). */
  readonly toolkitStackName: string;
}

/** The service-linked role ECS needs to manage capacity providers and networking. */
export const ECS_SERVICE_LINKED_ROLE = 'AWSServiceRoleForECS';

/**
 * Every doctor check of one environment, in the order a first deploy meets
 * them. Settings are checked offline first; when the credentials do not reach
 * the environment's account, the checks that would read another account are
 * skipped rather than reported wrongly.
 */
export async function runDoctorChecks(
  target: DoctorTarget,
  clients: DoctorClients,
  options: DoctorOptions,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [checkPlaceholders(target)];
  const credentials = await checkCredentials(target, clients.sts);
  checks.push(credentials.check);
  if (credentials.check.status !== 'pass') {
    const reason = `not checked: needs credentials for account ${target.config.account}`;
    for (const [id, title] of ACCOUNT_CHECKS) checks.push({ id, title, status: 'skip', detail: reason });
    return checks;
  }
  checks.push(...(await checkBootstrap(target, clients.cloudFormation, options.toolkitStackName)));
  checks.push(await checkAvailabilityZones(target, clients.ec2));
  checks.push(await checkEcsServiceLinkedRole(target, clients.iam));
  checks.push(await checkImageScanning(target, clients.ecr));
  // The pipeline account's checks run with --pipeline-profile only once it is known to reach that account.
  const pipelineCredentials = await checkPipelineCredentials(target, clients.pipelineAccount);
  const pipelineClients = pipelineCredentials.status === 'pass' ? clients.pipelineAccount : undefined;
  checks.push(pipelineCredentials);
  checks.push(await checkConnection(target, clients, credentials.callerAccount, pipelineClients));
  checks.push(await checkPipelineRegionBootstrap(target, pipelineClients, options.toolkitStackName));
  checks.push(await checkHostedZone(target, clients.route53));
  checks.push(...(await checkServiceSecrets(target, clients)));
  checks.push(await checkDatabaseRestore(target, clients));
  return checks;
}

const ACCOUNT_CHECKS = [
  ['bootstrap-stack', 'CDK bootstrap stack'],
  ['bootstrap-version', 'CDK bootstrap version'],
  ['bootstrap-trust', 'CDK bootstrap trust'],
  ['availability-zones', 'Availability zones'],
  ['ecs-service-linked-role', 'ECS service-linked role'],
  IMAGE_SCANNING_CHECK,
  ['pipeline-credentials', "Pipeline account's credentials"],
  ['connection', 'CodeConnections connection'],
  ['pipeline-bootstrap', "Pipeline account's bootstrap in this region"],
  ['hosted-zone', 'Route 53 hosted zone'],
  SERVICE_SECRETS_CHECK,
  DATABASE_RESTORE_CHECK,
] as const;

/** No sample placeholder is left in the environment's or the pipeline's settings (`placeholders.ts`). */
export function checkPlaceholders(target: DoctorTarget): DoctorCheck {
  const found = [
    ...findPlaceholders(target.config).map((issue) => ({ file: target.configFile, ...issue })),
    ...(target.pipeline ? findPipelinePlaceholders(target.pipeline) : []).map((issue) => ({
      file: 'environments/index.ts',
      ...issue,
    })),
  ];
  const base = { id: 'placeholders', title: 'Settings placeholders' };
  if (found.length === 0) {
    return {
      ...base,
      status: 'pass',
      detail: `none in ${target.configFile}${target.pipeline ? ' or environments/index.ts' : ''}`,
    };
  }
  return {
    ...base,
    status: 'fail',
    detail: found.map((issue) => `${issue.file}: ${issue.field} ${issue.problem}; got ${issue.value}`).join('; '),
    fix: found.map((issue) => `${issue.field}: ${issue.fix}`).join(' '),
  };
}

/** The credentials work and belong to the environment's account (STS GetCallerIdentity). */
export async function checkCredentials(
  target: DoctorTarget,
  sts: STSClient,
): Promise<{ check: DoctorCheck; callerAccount?: string }> {
  const base = { id: 'credentials', title: 'AWS credentials' };
  const { account, name } = target.config;
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (identity.Account !== account) {
      return {
        callerAccount: identity.Account,
        check: {
          ...base,
          status: 'fail',
          detail: `logged in to account ${identity.Account} as ${identity.Arn}, but ${name} is in account ${account}`,
          fix: `Log in to account ${account} (e.g. AWS_PROFILE=<a profile of ${account}>) and run doctor again.`,
        },
      };
    }
    return {
      callerAccount: identity.Account,
      check: { ...base, status: 'pass', detail: `account ${account} as ${identity.Arn}` },
    };
  } catch (error) {
    return { check: { ...base, status: 'fail', detail: explainAwsError(error, 'sts:GetCallerIdentity') } };
  }
}

/**
 * The bootstrap stack exists with the qualifier the app was synthesized for,
 * its `BootstrapVersion` output is at least what the stacks require (the
 * templates' `CheckBootstrapVersion` rule fails the deploy otherwise), and its
 * `TrustedAccounts` parameter names the pipeline's account.
 */
export async function checkBootstrap(
  target: DoctorTarget,
  cloudFormation: CloudFormationClient,
  toolkitStackName: string,
): Promise<DoctorCheck[]> {
  const { account, region } = target.config;
  const where = `account ${account}, ${region}`;
  const bootstrapCommand = bootstrapCommandFor(target, toolkitStackName);
  const stackBase = { id: 'bootstrap-stack', title: 'CDK bootstrap stack' };
  const versionBase = { id: 'bootstrap-version', title: 'CDK bootstrap version' };
  const trustBase = { id: 'bootstrap-trust', title: 'CDK bootstrap trust' };
  const notRead = (detail: string): DoctorCheck[] => [
    { ...versionBase, status: 'skip', detail },
    { ...trustBase, status: 'skip', detail },
  ];

  let stack: Stack | undefined;
  try {
    stack = await describeStackIfAny(cloudFormation, toolkitStackName);
  } catch (error) {
    return [
      { ...stackBase, status: 'fail', detail: explainAwsError(error, 'cloudformation:DescribeStacks') },
      ...notRead('not checked: the bootstrap stack could not be read'),
    ];
  }
  if (!stack) {
    return [
      {
        ...stackBase,
        status: 'fail',
        detail: `no ${toolkitStackName} stack in ${where}`,
        fix: `Bootstrap the account: ${bootstrapCommand}`,
      },
      ...notRead('not checked: no bootstrap stack'),
    ];
  }
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (!isSettled(status)) {
    return [
      {
        ...stackBase,
        status: 'fail',
        detail: `${toolkitStackName} in ${where} is ${status}`,
        fix: /IN_PROGRESS$/.test(status)
          ? 'Wait for the bootstrap to finish, then run doctor again.'
          : `Read the stack's events in the CloudFormation console, delete it if it never completed, and bootstrap again: ${bootstrapCommand}`,
      },
      ...notRead(`not checked: ${toolkitStackName} is ${status}`),
    ];
  }
  const qualifier = qualifierOf(stack);
  const checks: DoctorCheck[] = [];
  if (qualifier !== target.bootstrapQualifier) {
    checks.push({
      ...stackBase,
      status: 'fail',
      detail: `${toolkitStackName} in ${where} has qualifier ${qualifier}, the app was synthesized for ${target.bootstrapQualifier}`,
      fix: `Bootstrap with the app's qualifier (${bootstrapCommand}), or pass --toolkit-stack-name with the stack that has it.`,
    });
  } else {
    checks.push({
      ...stackBase,
      status: 'pass',
      detail: `${toolkitStackName} in ${where} (${status}, qualifier ${qualifier})`,
    });
  }

  const deployed = Number(output(stack, 'BootstrapVersion'));
  const required = target.requiredBootstrapVersion;
  if (required === undefined) {
    checks.push({ ...versionBase, status: 'pass', detail: `version ${deployed}; the stacks require none` });
  } else if (!Number.isFinite(deployed)) {
    checks.push({
      ...versionBase,
      status: 'fail',
      detail: `${toolkitStackName} has no BootstrapVersion output; the stacks require version ${required}`,
      fix: `It is not a modern CDK bootstrap stack: bootstrap again with ${bootstrapCommand}`,
    });
  } else if (deployed < required) {
    checks.push({
      ...versionBase,
      status: 'fail',
      detail: `version ${deployed}, the stacks require ${required} or later`,
      fix: `Upgrade the bootstrap stack (keep the same --trust): ${bootstrapCommand}`,
    });
  } else {
    checks.push({
      ...versionBase,
      status: 'pass',
      detail: `version ${deployed} (the stacks require ${required} or later)`,
    });
  }

  checks.push(checkTrust(target, stack, bootstrapCommand));
  return checks;
}

function checkTrust(target: DoctorTarget, stack: Stack, bootstrapCommand: string): DoctorCheck {
  const base = { id: 'bootstrap-trust', title: 'CDK bootstrap trust' };
  if (!target.pipeline) return { ...base, status: 'skip', detail: 'no pipeline in the app: nothing else deploys here' };
  const pipelineAccount = target.pipeline.account;
  if (pipelineAccount === target.config.account) {
    return {
      ...base,
      status: 'pass',
      detail: `the pipeline runs in this account (${pipelineAccount}); the bootstrap roles trust their own account`,
    };
  }
  const trusted = (parameter(stack, 'TrustedAccounts') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (trusted.includes(pipelineAccount)) {
    return { ...base, status: 'pass', detail: `trusts the pipeline's account ${pipelineAccount}` };
  }
  return {
    ...base,
    status: 'fail',
    detail: `trusts ${trusted.length > 0 ? trusted.join(', ') : 'no other account'}, not the pipeline's account ${pipelineAccount}`,
    fix: `Bootstrap again with the pipeline's account trusted: ${bootstrapCommand}`,
  };
}

/** ECS's service-linked role exists; without it a new account's first deploy fails creating capacity providers. */
export async function checkEcsServiceLinkedRole(target: DoctorTarget, iam: IAMClient): Promise<DoctorCheck> {
  const base = { id: 'ecs-service-linked-role', title: 'ECS service-linked role' };
  try {
    await iam.send(new GetRoleCommand({ RoleName: ECS_SERVICE_LINKED_ROLE }));
    return { ...base, status: 'pass', detail: `${ECS_SERVICE_LINKED_ROLE} exists in account ${target.config.account}` };
  } catch (error) {
    if (isNamed(error, 'NoSuchEntityException') || isNamed(error, 'NoSuchEntity')) {
      return {
        ...base,
        status: 'fail',
        detail: `${ECS_SERVICE_LINKED_ROLE} does not exist in account ${target.config.account}: the first deploy would fail creating the cluster's capacity providers`,
        fix: 'Create it once: aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com',
      };
    }
    return { ...base, status: 'fail', detail: explainAwsError(error, 'iam:GetRole') };
  }
}

/** The pipeline's CodeConnections connection is AVAILABLE (a PENDING one was never confirmed in the console). */
export async function checkConnection(
  target: DoctorTarget,
  clients: DoctorClients,
  callerAccount: string | undefined,
  pipelineClients?: PipelineAccountClients,
): Promise<DoctorCheck> {
  const base = { id: 'connection', title: 'CodeConnections connection' };
  if (!target.pipeline) return { ...base, status: 'skip', detail: 'no pipeline in the app' };
  const arn = target.pipeline.connectionArn;
  const [, , , region, account] = arn.split(':');
  // With the environment's credentials when the connection is in its account, else with the pipeline account's.
  const client =
    account === callerAccount
      ? clients.connections(region)
      : account === target.pipeline.account
        ? pipelineClients?.connections(region)
        : undefined;
  if (!client) {
    return {
      ...base,
      status: 'skip',
      detail:
        account === target.pipeline.account
          ? `the connection is in the pipeline's account ${account}; run doctor with --pipeline-profile <a profile of ${account}> to check ${arn}`
          : `the connection is in account ${account}; run doctor with credentials for it to check ${arn}`,
    };
  }
  try {
    const connection = (await client.send(new GetConnectionCommand({ ConnectionArn: arn }))).Connection;
    const status = connection?.ConnectionStatus ?? 'UNKNOWN';
    const name = connection?.ConnectionName ?? arn;
    if (status === 'AVAILABLE') return { ...base, status: 'pass', detail: `${name} is AVAILABLE` };
    return {
      ...base,
      status: 'fail',
      detail: `${name} is ${status}, not AVAILABLE: the pipeline's Source action cannot read the repository`,
      fix:
        status === 'PENDING'
          ? 'Open it in the console (Developer Tools → Settings → Connections → Update pending connection) and install or choose the app for the repository.'
          : 'Update the connection in the console (Developer Tools → Settings → Connections), or create a new one and put its ARN in environments/index.ts.',
    };
  } catch (error) {
    if (isNamed(error, 'ResourceNotFoundException')) {
      return {
        ...base,
        status: 'fail',
        detail: `no connection ${arn} in account ${account}, ${region}`,
        fix: 'Create one (aws codeconnections create-connection --provider-type GitHub --connection-name <name>), confirm it in the console and put its ARN in environments/index.ts.',
      };
    }
    return { ...base, status: 'fail', detail: explainAwsError(error, 'codestar-connections:GetConnection') };
  }
}

/**
 * The `--pipeline-profile` credentials reach the pipeline's account, when the pipeline runs in another account than
 * the environment: the checks of the pipeline's side (its connection, its bootstrap in the environment's region) use
 * them.
 */
export async function checkPipelineCredentials(
  target: DoctorTarget,
  pipelineClients: PipelineAccountClients | undefined,
): Promise<DoctorCheck> {
  const base = { id: 'pipeline-credentials', title: "Pipeline account's credentials" };
  const skip = (detail: string): DoctorCheck => ({ ...base, status: 'skip', detail });
  if (!target.pipeline) return skip('no pipeline in the app');
  const pipelineAccount = target.pipeline.account;
  if (pipelineAccount === target.config.account) {
    return skip(`the pipeline runs in this account (${pipelineAccount}): the checks here use the same credentials`);
  }
  if (!pipelineClients) {
    return skip(
      `the pipeline runs in account ${pipelineAccount}: pass --pipeline-profile <a profile of ${pipelineAccount}> to check its side too`,
    );
  }
  try {
    const identity = await pipelineClients.sts.send(new GetCallerIdentityCommand({}));
    if (identity.Account !== pipelineAccount) {
      return {
        ...base,
        status: 'fail',
        detail: `--pipeline-profile reaches account ${identity.Account} as ${identity.Arn}, not the pipeline's account ${pipelineAccount}`,
        fix: `Pass a profile of account ${pipelineAccount} to --pipeline-profile.`,
      };
    }
    return { ...base, status: 'pass', detail: `account ${pipelineAccount} as ${identity.Arn}` };
  } catch (error) {
    return { ...base, status: 'fail', detail: explainAwsError(error, 'sts:GetCallerIdentity (--pipeline-profile)') };
  }
}

/**
 * For an environment in another region than the pipeline: the pipeline's account is bootstrapped in the
 * environment's region. CodePipeline keeps a copy of the deploy's artifacts there, in a support stack
 * (`<pipeline stack>-support-<region>`) that CDK deploys into the pipeline's account with that region's bootstrap.
 * Where the pipeline's account is the environment's, the bootstrap stack checked above is that one.
 */
export async function checkPipelineRegionBootstrap(
  target: DoctorTarget,
  pipelineClients: PipelineAccountClients | undefined,
  toolkitStackName: string,
): Promise<DoctorCheck> {
  const base = { id: 'pipeline-bootstrap', title: "Pipeline account's bootstrap in this region" };
  const skip = (detail: string): DoctorCheck => ({ ...base, status: 'skip', detail });
  if (!target.pipeline) return skip('no pipeline in the app');
  const { account, region } = target.config;
  const pipelineAccount = target.pipeline.account;
  if (target.pipeline.region === region) return skip(`the pipeline runs in ${region}: it needs no support stack here`);
  if (pipelineAccount === account) {
    return skip(
      `the pipeline's account is this account: the bootstrap stack checked above also deploys its support stack for ${region}`,
    );
  }
  if (!pipelineClients) {
    return skip(`needs credentials for the pipeline's account ${pipelineAccount} (--pipeline-profile)`);
  }
  const where = `the pipeline's account ${pipelineAccount}, ${region}`;
  const fix = `Bootstrap it: ${pipelineBootstrapCommandFor(target, toolkitStackName)}`;
  let stack: Stack | undefined;
  try {
    stack = await describeStackIfAny(pipelineClients.cloudFormation, toolkitStackName);
  } catch (error) {
    return {
      ...base,
      status: 'fail',
      detail: explainAwsError(error, 'cloudformation:DescribeStacks (--pipeline-profile)'),
    };
  }
  if (!stack) {
    return {
      ...base,
      status: 'fail',
      detail: `no ${toolkitStackName} stack in ${where}: CodePipeline's support stack for ${region} (its artifact bucket there) cannot deploy`,
      fix,
    };
  }
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (!isSettled(status)) {
    return { ...base, status: 'fail', detail: `${toolkitStackName} in ${where} is ${status}`, fix };
  }
  const qualifier = qualifierOf(stack);
  if (qualifier !== target.bootstrapQualifier) {
    return {
      ...base,
      status: 'fail',
      detail: `${toolkitStackName} in ${where} has qualifier ${qualifier}, the app was synthesized for ${target.bootstrapQualifier}`,
      fix,
    };
  }
  return { ...base, status: 'pass', detail: `${toolkitStackName} in ${where} (${status})` };
}

/**
 * The settings' availability zones exist, and are available, for the environment's account. Zone names map to
 * different zones in each account, and not every letter exists everywhere (ca-central-1 has no "c", and an account
 * sees two of us-west-1's three names): a zone the account lacks fails the first deploy when the subnets are made.
 */
export async function checkAvailabilityZones(target: DoctorTarget, ec2: EC2Client): Promise<DoctorCheck> {
  const base = { id: 'availability-zones', title: 'Availability zones' };
  const { account, region, availabilityZones: wanted } = target.config;
  try {
    const described = await ec2.send(
      new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-type', Values: ['availability-zone'] }] }),
    );
    const zones = described.AvailabilityZones ?? [];
    const available = zones
      .filter((zone) => zone.State === 'available' && zone.ZoneName)
      .map((zone) => zone.ZoneName!)
      .sort();
    const missing = wanted.filter((zone) => !available.includes(zone));
    if (missing.length === 0) {
      return { ...base, status: 'pass', detail: `${wanted.join(', ')} available to account ${account}` };
    }
    const state = (zone: string): string => {
      const found = zones.find((candidate) => candidate.ZoneName === zone);
      return found ? `${zone} is ${found.State}` : `${zone} does not exist`;
    };
    return {
      ...base,
      status: 'fail',
      detail: `in ${region} for account ${account}: ${missing.map(state).join(', ')}; available: ${available.join(', ') || 'none'}`,
      fix: `Set availabilityZones in ${target.configFile} to ${wanted.length} of the available zones (network.maxAzs counts them).`,
    };
  } catch (error) {
    return { ...base, status: 'fail', detail: explainAwsError(error, 'ec2:DescribeAvailabilityZones') };
  }
}

/**
 * The public hosted zone of `https` exists in the environment's account with
 * the id the settings name: Slipway validates the certificate and writes the
 * alias record there, which fails for a zone in another account.
 */
export async function checkHostedZone(target: DoctorTarget, route53: Route53Client): Promise<DoctorCheck> {
  const base = { id: 'hosted-zone', title: 'Route 53 hosted zone' };
  const https = target.config.https;
  if (!https || !isHostedZoneHttps(https)) {
    return { ...base, status: 'skip', detail: 'the settings name no Route 53 hosted zone' };
  }
  const name = https.hostedZoneName.toLowerCase().replace(/\.$/, '');
  const account = target.config.account;
  try {
    const listed = await route53.send(new ListHostedZonesByNameCommand({ DNSName: name, MaxItems: 100 }));
    // The list starts at the name and goes on in name order: keep the zones of exactly this name.
    const zones = (listed.HostedZones ?? []).filter((zone) => zone.Name?.toLowerCase().replace(/\.$/, '') === name);
    const publicZones = zones.filter((zone) => zone.Config?.PrivateZone !== true);
    const zoneId = (id: string | undefined): string => (id ?? '').replace(/^\/hostedzone\//, '');
    const match = publicZones.find((zone) => zoneId(zone.Id) === https.hostedZoneId);
    if (match) {
      return { ...base, status: 'pass', detail: `public zone ${name} (${https.hostedZoneId}) in account ${account}` };
    }
    if (publicZones.length > 0) {
      return {
        ...base,
        status: 'fail',
        detail: `public zone ${name} in account ${account} is ${publicZones.map((zone) => zoneId(zone.Id)).join(', ')}, not ${https.hostedZoneId}`,
        fix: `Set https.hostedZoneId in ${target.configFile} to the zone of this account.`,
      };
    }
    return {
      ...base,
      status: 'fail',
      detail: `no public hosted zone ${name} in account ${account}${zones.length > 0 ? ' (only a private one)' : ''}`,
      fix: `Create the zone in account ${account} and delegate ${name} to its name servers, or point https in ${target.configFile} to a zone of that account.`,
    };
  } catch (error) {
    return { ...base, status: 'fail', detail: explainAwsError(error, 'route53:ListHostedZonesByName') };
  }
}

/** A stack a deploy can build on: its last operation completed, and was neither a rollback nor a deletion. */
function isSettled(status: string): boolean {
  return /_COMPLETE$/.test(status) && !/^(ROLLBACK|DELETE)_/.test(status);
}

/** The qualifier a bootstrap stack was made with (`cdk bootstrap --qualifier`). */
function qualifierOf(stack: Stack): string {
  return parameter(stack, 'Qualifier') ?? DEFAULT_BOOTSTRAP_QUALIFIER;
}

function parameter(stack: Stack, key: string): string | undefined {
  return stack.Parameters?.find((candidate) => candidate.ParameterKey === key)?.ParameterValue;
}

function output(stack: Stack, key: string): string | undefined {
  return stack.Outputs?.find((candidate) => candidate.OutputKey === key)?.OutputValue;
}
