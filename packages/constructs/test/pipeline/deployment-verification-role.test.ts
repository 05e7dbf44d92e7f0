import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { DeploymentVerificationRole, verificationRoleName } from '../../src/pipeline/deployment-verification-role';

function givenStack(app = new App()) {
  const stack = new Stack(app, 'Dev-Application', { env: { account: '222222222222', region: 'eu-west-1' } });
  const cluster = ecs.Cluster.fromClusterArn(stack, 'Cluster', 'arn:aws:ecs:eu-west-1:222222222222:cluster/dev');
  const services = ['backend', 'frontend'].map((name) =>
    ecs.FargateService.fromFargateServiceArn(stack, name, `arn:aws:ecs:eu-west-1:222222222222:service/dev/${name}`),
  );
  return { stack, cluster, services };
}

describe('DeploymentVerificationRole', () => {
  let template: Template;
  let role: DeploymentVerificationRole;
  beforeAll(() => {
    // GIVEN
    const { stack, cluster, services } = givenStack();
    // WHEN
    role = new DeploymentVerificationRole(stack, 'Verification', {
      pipelineAccount: '111111111111',
      cluster,
      services,
    });
    template = Template.fromStack(stack);
  });

  test('has a fixed name the pipeline account can assume', () => {
    expect(role.roleName).toBe('Dev-Application-eu-west-1-verify');
    expect(role.roleArn('aws')).toBe('arn:aws:iam::222222222222:role/Dev-Application-eu-west-1-verify');
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'Dev-Application-eu-west-1-verify',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } },
          },
        ],
      },
    });
  });

  test('allows each call slipway verify makes on every resource type the Service Authorization Reference requires for it', () => {
    // What ECS authorizes each call against ("Actions, resources, and condition keys for Amazon Elastic Container
    // Service"; for the service-deployment calls also "Permissions required for viewing Amazon ECS service
    // deployments"): an action with two resource types is checked against both, and a grant on one is denied.
    const required: Record<string, string[]> = {
      'ecs:DescribeServices': ['arn:aws:ecs:eu-west-1:222222222222:service/dev/backend'],
      'ecs:ListServiceDeployments': ['arn:aws:ecs:eu-west-1:222222222222:service/dev/backend'],
      'ecs:DescribeServiceDeployments': [
        'arn:aws:ecs:eu-west-1:222222222222:service/dev/backend',
        'arn:aws:ecs:eu-west-1:222222222222:service-deployment/dev/backend/Abc123',
      ],
      'ecs:DescribeTasks': ['arn:aws:ecs:eu-west-1:222222222222:task/dev/0123456789abcdef'],
      'ecs:ListTasks': ['*'],
      // No resource-level permissions: verify reads the task definition of a service asleep by schedule.
      'ecs:DescribeTaskDefinition': ['*'],
    };
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    // A resource CDK joined with `{ Ref: 'AWS::Partition' }`, read in the aws partition.
    const resolveArn = (resource: unknown) =>
      typeof resource === 'string'
        ? resource
        : (resource as any)['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'aws')).join('');
    const allows = (action: string, arn: string) =>
      statements.some(
        (statement) =>
          [statement.Action].flat().includes(action) &&
          [statement.Resource].flat().some((resource) => {
            const pattern = resolveArn(resource);
            return pattern === '*' || new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`).test(arn);
          }),
      );
    for (const [action, arns] of Object.entries(required)) {
      for (const arn of arns) {
        expect({ action, arn, allowed: allows(action, arn) }).toEqual({ action, arn, allowed: true });
      }
    }
  });

  test("can only read the stage's services, their service deployments and tasks, and task definitions", () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            // Authorized on the service resource type; DescribeServiceDeployments also on service-deployment (below)
            Action: ['ecs:DescribeServices', 'ecs:ListServiceDeployments', 'ecs:DescribeServiceDeployments'],
            Effect: 'Allow',
            Resource: [
              'arn:aws:ecs:eu-west-1:222222222222:service/dev/backend',
              'arn:aws:ecs:eu-west-1:222222222222:service/dev/frontend',
            ],
          },
          {
            // DescribeServiceDeployments on the service-deployment resource type,
            // arn:${Partition}:ecs:${Region}:${Account}:service-deployment/${ClusterName}/${ServiceName}/${Id}
            Action: 'ecs:DescribeServiceDeployments',
            Effect: 'Allow',
            Resource: ['backend', 'frontend'].map((name) => ({
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, `:ecs:eu-west-1:222222222222:service-deployment/dev/${name}/*`],
              ],
            })),
          },
          {
            Action: 'ecs:ListTasks',
            Effect: 'Allow',
            Resource: '*',
            Condition: { ArnEquals: { 'ecs:cluster': 'arn:aws:ecs:eu-west-1:222222222222:cluster/dev' } },
          },
          {
            // DescribeTasks on the task resource type, arn:${Partition}:ecs:${Region}:${Account}:task/${ClusterName}/${TaskId}:
            // this environment's cluster only, not every cluster in the account and region
            Action: 'ecs:DescribeTasks',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:eu-west-1:222222222222:task/dev/*']],
            },
          },
          // The images a service asleep by schedule will start; DescribeTaskDefinition has no resource-level permissions.
          { Action: 'ecs:DescribeTaskDefinition', Effect: 'Allow', Resource: '*' },
        ],
      },
    });
    template.resourcePropertiesCountIs(
      'AWS::IAM::Policy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Action: Match.stringLikeRegexp('^(?!ecs:)') })]),
        },
      },
      0,
    );
  });
});

test('the service-deployment and task wildcards of a cluster and services CDK names (tokens) are acknowledged with the id cdk-nag reports', () => {
  // GIVEN a cluster and a service created in the stack, whose names are CloudFormation references
  const app = new App();
  const stack = new Stack(app, 'Prod-Application', { env: { account: '222222222222', region: 'eu-west-1' } });
  const cluster = new ecs.Cluster(stack, 'Cluster', {
    vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-12345678',
      availabilityZones: ['eu-west-1a'],
      privateSubnetIds: ['subnet-12345678'],
    }),
  });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'TaskDefinition');
  taskDefinition.addContainer('backend', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1') });
  const service = new ecs.FargateService(stack, 'Backend', { cluster, taskDefinition });
  // WHEN
  new DeploymentVerificationRole(stack, 'Verification', {
    pipelineAccount: '111111111111',
    cluster,
    services: [service],
  });
  // THEN the role's own policy leaves no AwsSolutions finding unacknowledged
  const template = Template.fromStack(stack);
  const violations = new AwsSolutionsChecks()
    .validateScope(app)
    .violations.filter((violation) =>
      violation.violatingResources.some((resource) =>
        resource.constructPath?.startsWith('Prod-Application/Verification'),
      ),
    );
  expect(violations).toEqual([]);
  // An ARN in the stack's partition, as CDK joins it: arn:<partition><parts…>.
  const arnIn = (...parts: unknown[]) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ...parts]] });
  const clusterName = { Ref: Match.stringLikeRegexp('^Cluster') };
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        {
          Action: 'ecs:DescribeServiceDeployments',
          Effect: 'Allow',
          Resource: arnIn(
            ':ecs:eu-west-1:222222222222:service-deployment/',
            clusterName,
            '/',
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^BackendService'), 'Name'] },
            '/*',
          ),
        },
        {
          Action: 'ecs:DescribeTasks',
          Effect: 'Allow',
          Resource: arnIn(':ecs:eu-west-1:222222222222:task/', clusterName, '/*'),
        },
      ]),
    },
  });
});

test('long stack names are shortened to 64 characters with a stable hash', () => {
  const name = verificationRoleName('A'.repeat(80), 'ap-southeast-2');
  expect(name).toHaveLength(64);
  expect(name).toMatch(/^A+-[0-9a-f]{8}-verify$/);
  expect(verificationRoleName('A'.repeat(80), 'ap-southeast-2')).toBe(name);
  expect(verificationRoleName('A'.repeat(80), 'eu-west-1')).not.toBe(name);
});

test('needs at least one service', () => {
  const { stack, cluster } = givenStack();
  expect(
    () =>
      new DeploymentVerificationRole(stack, 'Verification', { pipelineAccount: '111111111111', cluster, services: [] }),
  ).toThrow(/services must name at least one ECS service/);
});

test('needs a 12-digit pipeline account', () => {
  const { stack, cluster, services } = givenStack();
  expect(
    () => new DeploymentVerificationRole(stack, 'Verification', { pipelineAccount: 'tooling', cluster, services }),
  ).toThrow(/pipelineAccount must be a 12-digit AWS account id; got "tooling"/);
});

test('needs a stack with an explicit account and region', () => {
  const stack = new Stack(new App(), 'Anywhere');
  const cluster = ecs.Cluster.fromClusterArn(stack, 'Cluster', 'arn:aws:ecs:eu-west-1:222222222222:cluster/dev');
  const service = ecs.FargateService.fromFargateServiceArn(
    stack,
    'backend',
    'arn:aws:ecs:eu-west-1:222222222222:service/dev/backend',
  );
  expect(
    () =>
      new DeploymentVerificationRole(stack, 'Verification', {
        pipelineAccount: '111111111111',
        cluster,
        services: [service],
      }),
  ).toThrow(/needs the stack's account and region set explicitly/);
});

describe('services asleep by schedule (scheduledTaskDefinitions)', () => {
  /** A stack with a cluster and two Fargate task definitions, each with its task role and execution role. */
  function givenScheduledStack() {
    const app = new App();
    const stack = new Stack(app, 'Dev-Application', { env: { account: '222222222222', region: 'eu-west-1' } });
    const cluster = new ecs.Cluster(stack, 'Cluster', {
      vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
        vpcId: 'vpc-12345678',
        availabilityZones: ['eu-west-1a'],
        privateSubnetIds: ['subnet-12345678'],
      }),
    });
    const taskDefinitions = ['Backend', 'Worker'].map((name) => {
      const taskDefinition = new ecs.FargateTaskDefinition(stack, `${name}TaskDefinition`);
      taskDefinition.addContainer(name, { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1') });
      taskDefinition.obtainExecutionRole();
      return taskDefinition;
    });
    const services = taskDefinitions.map(
      (taskDefinition, index) =>
        new ecs.FargateService(stack, `Service${index}`, { cluster, taskDefinition, assignPublicIp: false }),
    );
    return { app, stack, cluster, services, taskDefinitions };
  }

  const statementsOf = (template: Template) =>
    Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Record<string, any>[],
    );
  const refTo = (prefix: string) => ({ Ref: Match.stringLikeRegexp(`^${prefix}`) });
  const roleArn = (prefix: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^${prefix}`), 'Arn'] });

  test('GIVEN no scheduled task definitions THEN the role can start, tag, stop and pass nothing', () => {
    const { stack, cluster, services } = givenScheduledStack();
    new DeploymentVerificationRole(stack, 'Verification', { pipelineAccount: '111111111111', cluster, services });
    const actions = statementsOf(Template.fromStack(stack)).flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action) => /RunTask|StopTask|TagResource|PassRole/.test(action))).toEqual([]);
  });

  test('GIVEN scheduled task definitions THEN the role may run exactly their deployed revisions in this cluster', () => {
    // GIVEN
    const { stack, cluster, services, taskDefinitions } = givenScheduledStack();
    // WHEN
    new DeploymentVerificationRole(stack, 'Verification', {
      pipelineAccount: '111111111111',
      cluster,
      services,
      scheduledTaskDefinitions: taskDefinitions,
    });
    // THEN
    const template = Template.fromStack(stack);
    const clusterArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Cluster'), 'Arn'] };
    const tasks = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':ecs:eu-west-1:222222222222:task/', refTo('Cluster'), '/*'],
      ],
    };
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            // The task definition's Ref is the ARN of the revision the deploy registered, not family:*.
            Action: 'ecs:RunTask',
            Effect: 'Allow',
            Resource: [refTo('BackendTaskDefinition'), refTo('WorkerTaskDefinition')],
            Condition: { ArnEquals: { 'ecs:cluster': clusterArn } },
          },
          {
            Action: 'ecs:TagResource',
            Effect: 'Allow',
            Resource: tasks,
            Condition: {
              StringEquals: { 'ecs:CreateAction': 'RunTask', 'aws:RequestTag/slipway:verify': 'night-start' },
              'ForAllValues:StringEquals': { 'aws:TagKeys': ['slipway:verify'] },
            },
          },
          {
            Action: 'ecs:StopTask',
            Effect: 'Allow',
            Resource: tasks,
            Condition: {
              ArnEquals: { 'ecs:cluster': clusterArn },
              StringEquals: { 'aws:ResourceTag/slipway:verify': 'night-start' },
            },
          },
          {
            Action: 'iam:PassRole',
            Effect: 'Allow',
            Resource: [
              roleArn('BackendTaskDefinitionTaskRole'),
              roleArn('BackendTaskDefinitionExecutionRole'),
              roleArn('WorkerTaskDefinitionTaskRole'),
              roleArn('WorkerTaskDefinitionExecutionRole'),
            ],
            Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
          },
        ]),
      },
    });
    // No statement grants these actions on anything else.
    for (const statement of statementsOf(template)) {
      const actions = [statement.Action].flat();
      if (actions.some((action) => /RunTask|StopTask|TagResource|PassRole/.test(action))) {
        expect(actions).toHaveLength(1);
        expect(statement.Condition).toBeDefined();
      }
    }
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('starts and stops one task of each service asleep by schedule'),
    });
  });

  test('GIVEN scheduled task definitions THEN the role leaves no AwsSolutions or NIST 800-53 R5 finding unacknowledged', () => {
    const { app, stack, cluster, services, taskDefinitions } = givenScheduledStack();
    new DeploymentVerificationRole(stack, 'Verification', {
      pipelineAccount: '111111111111',
      cluster,
      services,
      scheduledTaskDefinitions: taskDefinitions,
    });
    for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
      const violations = pack
        .validateScope(app)
        .violations.filter((violation) =>
          violation.violatingResources.some((resource) =>
            resource.constructPath?.startsWith('Dev-Application/Verification'),
          ),
        );
      expect(violations).toEqual([]);
    }
  });
});
