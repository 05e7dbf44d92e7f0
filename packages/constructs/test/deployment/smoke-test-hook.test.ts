import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  SMOKE_TEST_CHECKS,
  SMOKE_TEST_CHECKS_DETAIL,
  SMOKE_TEST_HOOK_CODE_DIRECTORY,
  SmokeTestHook,
  pathPatternMatches,
  smokeTestChecksByService,
} from '../../src/deployment';
import * as handler from '../../src/deployment/smoke-test-handler';
import { AlbIngress } from '../../src/ingress';
import { SlipwayNetwork } from '../../src/network';
import { TestStack } from '../fixtures/stacks';

function hook() {
  const stack = new TestStack();
  const network = new SlipwayNetwork(stack, 'Network', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  const ingress = new AlbIngress(stack, 'Ingress', { vpc: network.vpc, testListenerPort: 9000 });
  const smokeTest = new SmokeTestHook(stack, 'SmokeTest', {
    vpc: network.vpc,
    loadBalancer: ingress.loadBalancer,
    testListener: ingress.testListener!,
    testListenerPort: 9000,
    expectedCommit: '3f2c9a1b7d4e5f60718293a4b5c6d7e8f9012345',
  });
  return { stack, ingress, smokeTest, template: Template.fromStack(stack) };
}

describe('SmokeTestHook', () => {
  const { stack, ingress, smokeTest, template } = hook();
  const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);

  test('THEN the function runs the compiled handler on Node.js 24 in the private subnets, told where and what to test', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 60,
      VpcConfig: {
        SubnetIds: [
          { Ref: Match.stringLikeRegexp('PrivateSubnet1') },
          { Ref: Match.stringLikeRegexp('PrivateSubnet2') },
        ],
        SecurityGroupIds: [{ 'Fn::GetAtt': [logicalId(smokeTest.securityGroup), 'GroupId'] }],
      },
      Environment: {
        Variables: {
          LOAD_BALANCER_FULL_NAME: { 'Fn::GetAtt': [logicalId(ingress.loadBalancer), 'LoadBalancerFullName'] },
          TEST_LISTENER_PORT: '9000',
          HEALTH_PATH: '/api/health',
          VERSION_PATH: '/api/version',
          PAGE_PATH: '/',
          MAX_ATTEMPTS: '10',
          RETRY_DELAY_SECONDS: '15',
          EXPECTED_COMMIT: '3f2c9a1b7d4e5f60718293a4b5c6d7e8f9012345',
        },
      },
    });
  });

  test('THEN the deployment package is the compiled handler alone, exporting the handler Lambda calls', async () => {
    const files = fs.readdirSync(SMOKE_TEST_HOOK_CODE_DIRECTORY).filter((file) => !file.endsWith('.d.ts'));
    expect(files).toEqual(['index.js']);
    const compiled = await import(path.join(SMOKE_TEST_HOOK_CODE_DIRECTORY, 'index.js'));
    expect(typeof compiled.handler).toBe('function');
  });

  test('THEN ECS invokes it at POST_TEST_TRAFFIC_SHIFT with a role that may invoke only this function', () => {
    expect(smokeTest.hookTarget.bind(smokeTest)).toEqual({
      targetArn: smokeTest.function.functionArn,
      role: smokeTest.invokeRole,
      lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(smokeTest.invokeRole) }],
      PolicyDocument: {
        Statement: [
          {
            Action: 'lambda:InvokeFunction',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [logicalId(smokeTest.function), 'Arn'] },
          },
        ],
      },
    });
  });

  test('THEN only its security group may reach the test listener, and it may reach only that and HTTPS', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [logicalId(ingress.securityGroup), 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 9000,
      ToPort: 9000,
      SourceSecurityGroupId: { 'Fn::GetAtt': [logicalId(smokeTest.securityGroup), 'GroupId'] },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Deployment smoke test hook: to the test listener and the EC2 API only',
      SecurityGroupEgress: [
        { CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: 'HTTPS to the EC2 API' },
      ],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [logicalId(smokeTest.securityGroup), 'GroupId'] },
      FromPort: 9000,
      DestinationSecurityGroupId: { 'Fn::GetAtt': [logicalId(ingress.securityGroup), 'GroupId'] },
    });
  });
});

describe("which checks concern a service: the paths the load balancer's rules route to it", () => {
  const paths = { health: '/api/health', version: '/api/version', page: '/' };

  test.each([
    ['/api/*', '/api/health', true],
    ['/api/*', '/api', false],
    ['/api*', '/api', true],
    ['/*', '/', true],
    ['/API/*', '/api/health', false],
    ['/v?/*', '/v1/users', true],
    ['/v?/*', '/v12/users', false],
    ['/a.b/*', '/axb/c', false],
    ['/a+b', '/a+b', true],
  ])('the path pattern %s matches %s: %s', (pattern, requestPath, matches) => {
    expect(pathPatternMatches(pattern, requestPath)).toBe(matches);
  });

  test('GIVEN the sample services THEN the API gets the health and version checks and the catch-all site the page', () => {
    expect(
      smokeTestChecksByService(
        [{ name: 'frontend' }, { name: 'backend', pathPatterns: ['/api/*'], priority: 10 }],
        paths,
      ),
    ).toEqual({ frontend: ['page'], backend: ['health', 'version'] });
  });

  test('GIVEN overlapping rules THEN the lowest priority number wins, and a service no check reaches gets none', () => {
    expect(
      smokeTestChecksByService(
        [
          { name: 'site' },
          { name: 'api', pathPatterns: ['/api/*'], priority: 20 },
          { name: 'status', pathPatterns: ['/api/health'], priority: 5 },
          { name: 'admin', pathPatterns: ['/admin/*'], priority: 30 },
        ],
        paths,
      ),
    ).toEqual({ site: ['page'], api: ['version'], status: ['health'], admin: [] });
  });

  test("THEN the checks and their HookDetails key are the function's own (its code keeps a copy)", () => {
    expect(SMOKE_TEST_CHECKS).toEqual(handler.SMOKE_TEST_CHECKS);
    expect(SMOKE_TEST_CHECKS_DETAIL).toBe(handler.CHECKS_DETAIL);
  });
});
