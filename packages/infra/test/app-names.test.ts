import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { defineEnvironment, EnvironmentConfig } from '@slipway/constructs';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { pipeline } from '#environments';
import { dev } from '#environments/dev';
import { prod } from '#environments/prod';
import { createApp } from '../src/app';

/**
 * Two teams generate an app each and deploy both into one account and region. CloudFormation, CloudWatch, API
 * Gateway, IAM, Cloud Map and CloudWatch Logs refuse a second resource of a type with a name already taken there
 * (stack names, dashboard names, role names, log group names), so no fixed name may be the same in both apps.
 */
const ACCOUNT = '111111111111';
const REGION = dev.region;

/**
 * Properties named `*Name` that are unique only inside a parent resource, never in the account and region:
 * a container name inside its task definition (ECS), a stage inside its API (API Gateway), an ECS service inside
 * its cluster, a WAF rule, or a rule's metric, inside its web ACL.
 */
const SCOPED_TO_A_PARENT = new Set(['ContainerName', 'StageName', 'ServiceName', 'MetricName', 'RuleName']);

/** Resource types whose `*Name` property is scoped to a parent, or not required to be unique at all. */
const NOT_UNIQUE_IN_THE_ACCOUNT: Readonly<Record<string, string>> = {
  // An inline policy's name is unique per role (IAM).
  'AWS::IAM::Policy.PolicyName': 'per role',
  // A scaling policy's name is unique per scalable target (Application Auto Scaling).
  'AWS::ApplicationAutoScaling::ScalingPolicy.PolicyName': 'per scalable target',
  // A Cloud Map service's name is unique within its namespace (the namespace carries the app's name).
  'AWS::ServiceDiscovery::Service.Name': 'per namespace',
  // API Gateway identifies a VPC link by its generated id; its name is a label.
  'AWS::ApiGatewayV2::VpcLink.Name': 'a label',
  // The database created inside the cluster: unique per cluster (RDS DatabaseName).
  'AWS::RDS::DBCluster.DatabaseName': 'per cluster',
  'AWS::RDS::DBInstance.DBName': 'per instance',
  // The user's name inside Valkey; the account-wide identifier is its UserId, which carries the construct path.
  'AWS::ElastiCache::User.UserName': 'per user group',
  // The log group RDS names after the cluster's generated identifier (the token).
  'Custom::LogRetention.LogGroupName': 'named after a generated identifier',
};

/**
 * The app's environments as `projen new --app-name <name>` writes them (namespaces `<env>.<app>.local`, each app's
 * own prod domain), all in one account and region.
 */
function environmentsOf(appName: string): EnvironmentConfig[] {
  return [dev, prod].map((config) =>
    defineEnvironment({
      ...config,
      account: ACCOUNT,
      region: REGION,
      serviceDiscovery: { namespace: `${config.name}.${appName}.local` },
      // Each app on its own name inside the same zone.
      ...(config.https ? { https: { ...config.https, domainName: `${appName}.${config.https.domainName}` } } : {}),
    }),
  );
}

/** Every fixed name in a cloud assembly: stack names and each resource's literal `*Name` properties. */
function physicalNames(assembly: CloudAssembly): Set<string> {
  const names = new Set<string>();
  const stacks = [assembly, ...assembly.nestedAssemblies.map((nested) => nested.nestedAssembly)].flatMap(
    (a) => a.stacks,
  );
  for (const stack of stacks) {
    names.add(`stack ${stack.stackName}`);
    for (const resource of Object.values<{ Type: string; Properties?: Record<string, unknown> }>(
      stack.template.Resources ?? {},
    )) {
      for (const [key, value] of Object.entries(resource.Properties ?? {})) {
        if (!key.endsWith('Name') || SCOPED_TO_A_PARENT.has(key)) continue;
        if (NOT_UNIQUE_IN_THE_ACCOUNT[`${resource.Type}.${key}`]) continue;
        const literal = literalOf(value);
        if (literal) names.add(`${resource.Type}.${key} ${literal}`);
      }
      // A web ACL's metric name is the WebACL dimension of its CloudWatch metrics (its rules' included), which
      // the account and region share: unlike a rule's, it is not scoped to a parent.
      if (resource.Type === 'AWS::WAFv2::WebACL') {
        const metric = literalOf((resource.Properties?.VisibilityConfig as { MetricName?: unknown })?.MetricName);
        if (metric) names.add(`${resource.Type}.VisibilityConfig.MetricName ${metric}`);
      }
    }
  }
  return names;
}

/** A name as far as it is fixed: a string, or the literal parts of an Fn::Join around tokens. */
function literalOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })?.['Fn::Join'];
  if (join) return join[1].map((part) => (typeof part === 'string' ? part : '<token>')).join(join[0]);
  return undefined;
}

function synthesize(appName: string): Set<string> {
  const app = createApp({
    appName,
    outdir: mkdtempSync(path.join(tmpdir(), `slipway-${appName}-`)),
    environments: environmentsOf(appName),
    pipeline: { ...pipeline, account: ACCOUNT, region: REGION },
  });
  return physicalNames(app.synth());
}

test('two apps in one account and region share no physical name', () => {
  // GIVEN two apps with different names, every environment and the pipeline in one account and region
  // WHEN both are synthesized
  const shop = synthesize('shop');
  const billing = synthesize('billing');
  // THEN names were found (the test looks at something) and none is in both
  expect([...shop].filter((name) => name.startsWith('stack '))).toEqual(
    expect.arrayContaining(['stack shop-dev', 'stack shop-prod', 'stack shop-pipeline']),
  );
  expect([...shop].some((name) => name.startsWith('AWS::CloudWatch::Dashboard.DashboardName shop-'))).toBe(true);
  expect([...shop].filter((name) => billing.has(name))).toEqual([]);
});
