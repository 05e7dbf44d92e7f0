import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { SlipwayCluster } from '../../src/cluster';
import { SlipwayNetwork } from '../../src/network';
import { TestStack } from '../fixtures/stacks';

function cluster(props: { containerInsights?: boolean; serviceDiscoveryNamespace?: string }) {
  const stack = new TestStack();
  const network = new SlipwayNetwork(stack, 'Network', { availabilityZones: ['eu-west-1a'] });
  const construct = new SlipwayCluster(stack, 'Cluster', { vpc: network.vpc, ...props });
  return { construct, template: Template.fromStack(stack) };
}

describe('SlipwayCluster', () => {
  test('GIVEN defaults THEN FARGATE and FARGATE_SPOT are available, Container Insights on, no namespace', () => {
    const { construct, template } = cluster({});
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: ['FARGATE', 'FARGATE_SPOT'],
    });
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    template.resourceCountIs('AWS::ServiceDiscovery::PrivateDnsNamespace', 0);
    expect(construct.containerInsights).toBe(true);
    expect(construct.namespace).toBeUndefined();
  });

  test('GIVEN insights off and a namespace THEN insights are disabled and dev.local is a private namespace in the VPC', () => {
    const { construct, template } = cluster({ containerInsights: false, serviceDiscoveryNamespace: 'dev.local' });
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }],
    });
    template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'dev.local' });
    expect(construct.namespace?.namespaceName).toBe('dev.local');
  });
});

describe('the bootstrap steps in docs/pipeline.md', () => {
  // ECS needs its service-linked role before a cluster's capacity providers can be associated; a brand-new
  // account has none, and IAM's CreateServiceLinkedRole fails when the role already exists.
  const doc = readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'docs', 'pipeline.md'), 'utf8');
  const bootstrap = doc.slice(doc.indexOf('### 1. Bootstrap the accounts'), doc.indexOf('### 2. '));

  test('THEN they create the ECS service-linked role, only when it does not exist yet', () => {
    expect(bootstrap.length).toBeGreaterThan(0);
    const commands = bootstrap.replace(/\\\n\s*/g, ' ');
    expect(commands).toMatch(
      /aws iam get-role --role-name AWSServiceRoleForECS[^\n]*\|\|\s*aws iam create-service-linked-role --aws-service-name ecs\.amazonaws\.com/,
    );
  });
});
