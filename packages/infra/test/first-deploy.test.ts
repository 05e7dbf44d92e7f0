import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { createApp } from '../src/app';
import { DeliveryStack } from '../src/delivery-stack';
import { constructPaths, formatDestroySummary, summarizeDestroy } from '../src/destroy-summary';
import { findDeliveryStack } from '../src/synth-report';

/**
 * Issue 10, "a first deploy that succeeds": what CloudFormation does on a failed first create and on the
 * retry, read from the templates the pipeline deploys (dev, prod and the pipeline stack itself).
 */

type Resource = {
  Type: string;
  Properties?: Record<string, any>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
};
type Resources = Record<string, Resource>;

let assembly: CloudAssembly;
let delivery: DeliveryStack;
let stacks: CloudFormationStackArtifact[];

beforeAll(() => {
  const app = createApp({ outdir: mkdtempSync(path.join(tmpdir(), 'slipway-first-deploy-')) });
  delivery = findDeliveryStack(app);
  assembly = app.synth();
  stacks = [
    assembly.getStackArtifact(delivery.artifactId),
    ...delivery.stages.map((stage) =>
      assembly.getNestedAssembly(stage.artifactId).getStackArtifact(stage.app.artifactId),
    ),
  ];
});

function stageStack(name: string): CloudFormationStackArtifact {
  const stage = delivery.stages.find((candidate) => candidate.config.name === name)!;
  return assembly.getNestedAssembly(stage.artifactId).getStackArtifact(stage.app.artifactId);
}

function resourcesOf(stack: CloudFormationStackArtifact): Resources {
  return stack.template.Resources;
}

function dependsOn(resource: Resource): string[] {
  return resource.DependsOn === undefined ? [] : ([] as string[]).concat(resource.DependsOn);
}

/** Pseudo parameters that are the same for every create of a stack of the same name in the same account. */
const STABLE_PSEUDO_PARAMETERS = new Set([
  'AWS::StackName',
  'AWS::Region',
  'AWS::AccountId',
  'AWS::Partition',
  'AWS::URLSuffix',
]);

/**
 * Whether a property value comes out the same on every create of the stack: literals and the stable pseudo
 * parameters. A `Ref`/`Fn::GetAtt` to a resource (a generated name) or `AWS::StackId` (a new UUID for every
 * created stack) make it differ.
 */
function isFixedAcrossCreates(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(isFixedAcrossCreates);
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return STABLE_PSEUDO_PARAMETERS.has(object.Ref as string);
  if ('Fn::GetAtt' in object) return false;
  if ('Fn::Sub' in object) {
    const [text, variables] = ([] as unknown[]).concat(object['Fn::Sub']);
    return (
      !/\$\{(?!AWS::(StackName|Region|AccountId|Partition|URLSuffix)\})[^}]+\}/.test(text as string) &&
      isFixedAcrossCreates(variables ?? {})
    );
  }
  return Object.values(object).every(isFixedAcrossCreates);
}

describe('a failed first create rolls back cleanly and the retry can create the same names again', () => {
  test('no retained resource in any stack (dev, prod, pipeline) has a physical name that is fixed across creates', () => {
    // CloudFormation keeps a resource with DeletionPolicy Retain when a create rolls back or the stack is deleted
    // (RetainExceptOnCreate only on delete). A kept resource with a fixed name makes the next create of the same
    // stack fail with "already exists"; a generated name, or one built from AWS::StackId, does not.
    const offenders: string[] = [];
    for (const stack of stacks) {
      for (const [logicalId, resource] of Object.entries(resourcesOf(stack))) {
        if (resource.DeletionPolicy !== 'Retain' && resource.DeletionPolicy !== 'RetainExceptOnCreate') continue;
        for (const [property, value] of Object.entries(resource.Properties ?? {})) {
          if (/Name$/.test(property) && isFixedAcrossCreates(value)) {
            offenders.push(`${stack.stackName}/${logicalId} (${resource.Type}) ${property}=${JSON.stringify(value)}`);
          }
        }
      }
    }
    expect(stacks.length).toBeGreaterThanOrEqual(3);
    expect(offenders).toEqual([]);
  });

  test('the check itself: a literal or stack-name name is fixed; a generated or stack-id one is not', () => {
    expect(isFixedAcrossCreates('aws-waf-logs-slipway-prod-c8d2a1f0')).toBe(true);
    expect(isFixedAcrossCreates({ 'Fn::Join': ['', ['aws-waf-logs-', { Ref: 'AWS::StackName' }]] })).toBe(true);
    expect(isFixedAcrossCreates({ 'Fn::Sub': 'logs-${AWS::StackName}' })).toBe(true);
    expect(isFixedAcrossCreates({ 'Fn::Sub': 'logs-${AWS::StackId}' })).toBe(false);
    expect(
      isFixedAcrossCreates({
        'Fn::Join': ['', ['aws-waf-logs-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }]],
      }),
    ).toBe(false);
    expect(isFixedAcrossCreates({ Ref: 'SomeBucket' })).toBe(false);
  });

  test("prod's WAF log group keeps the aws-waf-logs- prefix WAF requires, with the stack id's UUID after it", () => {
    const groups = Object.values(resourcesOf(stageStack('prod'))).filter(
      (resource) => resource.Type === 'AWS::Logs::LogGroup' && resource.Properties?.LogGroupName !== undefined,
    );
    expect(groups).toHaveLength(1);
    const name = JSON.stringify(groups[0].Properties!.LogGroupName);
    expect(name).toContain('aws-waf-logs-');
    expect(name).toContain('AWS::StackId');
  });

  test('log groups and the key are retained on delete but removed when the create fails (RetainExceptOnCreate)', () => {
    const prod = resourcesOf(stageStack('prod'));
    const policies = (type: string) =>
      Object.values(prod)
        .filter((resource) => resource.Type === type)
        .map((resource) => resource.DeletionPolicy);
    expect(policies('AWS::Logs::LogGroup').length).toBeGreaterThan(0);
    expect(new Set(policies('AWS::Logs::LogGroup'))).toEqual(new Set(['RetainExceptOnCreate']));
    expect(new Set(policies('AWS::KMS::Key'))).toEqual(new Set(['RetainExceptOnCreate']));
  });

  test("prod's load balancer does not have deletion protection at create, which would make a create rollback fail", () => {
    // ELB refuses to delete a protected load balancer, so a create that fails after the ALB exists would end in
    // ROLLBACK_FAILED. The stack is protected instead (next test).
    for (const resource of Object.values(resourcesOf(stageStack('prod')))) {
      if (resource.Type !== 'AWS::ElasticLoadBalancingV2::LoadBalancer') continue;
      const attributes: { Key: string; Value: string }[] = resource.Properties?.LoadBalancerAttributes ?? [];
      expect(attributes).not.toContainEqual({ Key: 'deletion_protection.enabled', Value: 'true' });
    }
  });

  test('prod turns on its own termination protection as the last resource of the create, which the pipeline path needs', () => {
    // CDK Pipelines deploys with CloudFormation change-set actions, which ignore the Stack's terminationProtection
    // (aws/aws-cdk#17871); `cdk deploy` applies it. CloudFormation lets termination protection change in any
    // stack status but DELETE_IN_PROGRESS/DELETE_COMPLETE, and it never blocks a create rollback.
    const stack = stageStack('prod');
    expect(stack.terminationProtection).toBe(true);
    const resources = resourcesOf(stack);
    const protections = Object.entries(resources).filter(
      ([, resource]) =>
        resource.Type === 'Custom::AWS' &&
        JSON.stringify(resource.Properties?.Create ?? '').includes('updateTerminationProtection'),
    );
    expect(protections).toHaveLength(1);
    const [protectionId, protection] = protections[0];
    const create = JSON.stringify(protection.Properties!.Create);
    expect(create).toContain('\\"EnableTerminationProtection\\":true');
    expect(create).toContain('{"Ref":"AWS::StackId"}');
    // Created after everything else, so a create that fails never leaves a protected ROLLBACK_COMPLETE stack.
    const ownProvider = new Set([
      protection.Properties!.ServiceToken['Fn::GetAtt'][0],
      ...dependsOn(protection).filter((id) => resources[id].Type === 'AWS::IAM::Policy'),
    ]);
    const provider = resources[[...ownProvider][0]].Properties!;
    const providerRole = provider.Role['Fn::GetAtt'][0];
    // The provider's log group: created before the provider, which the protection depends on.
    const providerLogs = provider.LoggingConfig?.LogGroup?.Ref;
    const notAfter = Object.keys(resources).filter(
      (id) =>
        id !== protectionId &&
        !ownProvider.has(id) &&
        id !== providerRole &&
        id !== providerLogs &&
        resources[id].Type !== 'AWS::CDK::Metadata' &&
        !dependsOn(protection).includes(id),
    );
    expect(notAfter).toEqual([]);
  });

  test('dev, without deletionProtection, has neither', () => {
    const stack = stageStack('dev');
    expect(stack.terminationProtection).toBe(false);
    expect(JSON.stringify(stack.template)).not.toContain('updateTerminationProtection');
  });
});

describe('ECS services and the cluster capacity providers', () => {
  test.each(['dev', 'prod'])(
    "every %s service with a capacity provider strategy depends on its cluster's capacity provider association",
    (name) => {
      // AWS: a service using a capacity provider strategy must be created after the cluster's
      // ClusterCapacityProviderAssociations, and deleted before it (else the stack delete fails).
      const resources = resourcesOf(stageStack(name));
      const associations = Object.entries(resources).filter(
        ([, resource]) => resource.Type === 'AWS::ECS::ClusterCapacityProviderAssociations',
      );
      expect(associations).toHaveLength(1);
      const [associationId, association] = associations[0];
      const services = Object.values(resources).filter(
        (resource) => resource.Type === 'AWS::ECS::Service' && resource.Properties?.CapacityProviderStrategy,
      );
      expect(services.length).toBeGreaterThan(0);
      for (const service of services) {
        expect(service.Properties!.Cluster).toEqual(association.Properties!.Cluster);
        expect(dependsOn(service)).toContain(associationId);
      }
    },
  );
});

describe('a deploy does not reset the task count of an autoscaled service', () => {
  /** The ECS services of a stack, with the MinCapacity of the scalable target scaling each, if any. */
  function servicesWithScaling(name: string) {
    const resources = resourcesOf(stageStack(name));
    return Object.entries(resources)
      .filter(([, resource]) => resource.Type === 'AWS::ECS::Service')
      .map(([serviceId, service]) => {
        const target = Object.values(resources).find(
          (candidate) =>
            candidate.Type === 'AWS::ApplicationAutoScaling::ScalableTarget' &&
            JSON.stringify(candidate.Properties?.ResourceId ?? '').includes(`"${serviceId}"`),
        );
        return { serviceId, service, minCapacity: target?.Properties?.MinCapacity as number | undefined };
      });
  }

  test('autoscaled services (prod) leave DesiredCount out, so CloudFormation keeps the running count on update', () => {
    // AWS::ECS::Service DesiredCount: omitted on update keeps the current count; set, it resets the count to it.
    const services = servicesWithScaling('prod');
    expect(services).toHaveLength(2);
    for (const { service, minCapacity } of services) {
      expect(minCapacity).toBe(2);
      expect(service.Properties).not.toHaveProperty('DesiredCount');
    }
  });

  test('scheduled services (dev) leave it out too, so a deploy at night leaves them asleep', () => {
    // A fixed DesiredCount would reset the count to 1 on every deploy, waking a service the schedule put to sleep.
    const services = servicesWithScaling('dev');
    expect(services).toHaveLength(2);
    for (const { service, minCapacity } of services) {
      expect(minCapacity).toBe(1);
      expect(service.Properties).not.toHaveProperty('DesiredCount');
    }
  });
});

describe('tearing an environment down: what destroy:<environment> says before the CDK CLI asks', () => {
  function summary(name: string) {
    const stage = delivery.stages.find((candidate) => candidate.config.name === name)!;
    return summarizeDestroy(stageStack(name), constructPaths(stage.app));
  }

  test('prod: its key, log groups and access-log bucket are kept, the database leaves a final snapshot', () => {
    const prod = summary('prod');
    expect(prod.terminationProtection).toBe(true);
    const kept = prod.kept.map((resource) => `${resource.policy} ${resource.type} ${resource.path}`);
    expect(kept).toEqual(
      expect.arrayContaining([
        'RetainExceptOnCreate AWS::KMS::Key Key/Key',
        'RetainExceptOnCreate AWS::Logs::LogGroup Backend/Logs',
        'RetainExceptOnCreate AWS::Logs::LogGroup Network/FlowLogs',
        'Snapshot AWS::RDS::DBCluster Database/Cluster',
      ]),
    );
    expect(kept.some((line) => / AWS::S3::Bucket Ingress\/AccessLogs$/.test(line))).toBe(true);
    // Every resource whose DeletionPolicy keeps something is listed, and the rest are counted as deleted.
    const resources = Object.values(resourcesOf(stageStack('prod'))).filter((r) => r.Type !== 'AWS::CDK::Metadata');
    const keeping = resources.filter((r) =>
      ['Retain', 'RetainExceptOnCreate', 'Snapshot'].includes(r.DeletionPolicy ?? ''),
    );
    expect(prod.kept).toHaveLength(keeping.length);
    expect(prod.deleted).toBe(resources.length - keeping.length + 1); // the cluster is deleted after its snapshot
    const lines = formatDestroySummary([prod]);
    expect(lines[0]).toBe(`Deleting ${prod.stackName} removes ${prod.deleted} resources. It leaves behind:`);
    expect(lines).toContainEqual(expect.stringMatching(/^  kept +AWS::KMS::Key +Key\/Key$/));
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^  snapshot +AWS::RDS::DBCluster +Database\/Cluster \(deleted after a final snapshot, which is kept\)$/,
      ),
    );
    expect(lines.join('\n')).toContain(`${prod.stackName} has termination protection`);
  });

  test("dev, without deletionProtection, keeps only the database's final snapshot", () => {
    // Every database is snapshotted when CloudFormation deletes or replaces it (a restore, a torn-down stack).
    const dev = summary('dev');
    expect(dev.kept).toEqual([{ path: 'Database/Cluster', type: 'AWS::RDS::DBCluster', policy: 'Snapshot' }]);
    const lines = formatDestroySummary([dev]);
    expect(lines.slice(0, 2)).toEqual([
      `Deleting ${dev.stackName} removes ${dev.deleted} resources. It leaves behind:`,
      '  snapshot  AWS::RDS::DBCluster  Database/Cluster (deleted after a final snapshot, which is kept)',
    ]);
    expect(lines.join('\n')).not.toContain('termination protection');
  });
});
