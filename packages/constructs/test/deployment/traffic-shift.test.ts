import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import { AlarmTopic, StoppedTaskAlert } from '../../src/alarms';
import { SlipwayCluster } from '../../src/cluster';
import { SlipwayConfigError } from '../../src/config';
import { AlbIngress } from '../../src/ingress';
import { SlipwayNetwork } from '../../src/network';
import { AlbService } from '../../src/service';
import { TestStack, registryImage, spotSettings } from '../fixtures/stacks';

// Pins the AWS::ECS::Service shape ECS documents for blue/green, canary and linear deployments behind an ALB:
// DeploymentConfiguration.Strategy with its configuration and BakeTimeInMinutes, and LoadBalancers[].
// AdvancedConfiguration naming the alternate target group, the production and test listener rules and the role.

function canaryService(options: { requestsPerTarget?: number } = {}) {
  const stack = new TestStack();
  const network = new SlipwayNetwork(stack, 'Network', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  const cluster = new SlipwayCluster(stack, 'Cluster', { vpc: network.vpc, containerInsights: false }).cluster;
  const ingress = new AlbIngress(stack, 'Ingress', { vpc: network.vpc, testListenerPort: 9000 });
  const stoppedTaskAlert = new StoppedTaskAlert(stack, 'StoppedTasks', {
    cluster,
    topic: new AlarmTopic(stack, 'Alarms').topic,
  });
  const service = new AlbService(stack, 'Backend', {
    cluster,
    listener: ingress.listener,
    serviceName: 'backend',
    ...spotSettings,
    ...(options.requestsPerTarget
      ? {
          desiredCount: undefined,
          autoScaling: {
            minCapacity: 1,
            maxCapacity: 2,
            targetCpuUtilizationPercent: 60,
            requestsPerTarget: options.requestsPerTarget,
          },
        }
      : {}),
    image: registryImage,
    containerPort: 8000,
    healthCheckPath: '/api/health',
    pathPatterns: ['/api/*'],
    priority: 10,
    trafficShift: {
      strategy: ecs.DeploymentStrategy.CANARY,
      canaryConfiguration: { stepPercent: 10, stepBakeTime: Duration.minutes(5) },
      bakeTime: Duration.minutes(10),
      testListener: ingress.testListener!,
      stoppedTaskAlert,
    },
  });
  return { stack, cluster, ingress, service, stoppedTaskAlert, template: Template.fromStack(stack) };
}

describe('AlbService with a traffic shift', () => {
  const { cluster, service, stack, stoppedTaskAlert, template } = canaryService();
  const ref = (construct: { node: { defaultChild?: unknown } }) => ({
    Ref: stack.getLogicalId(construct.node.defaultChild as never),
  });

  test('THEN the ECS service uses the CANARY strategy with its slice, step time and bake time', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Strategy: 'CANARY',
        CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 },
        BakeTimeInMinutes: 10,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
    });
  });

  test('THEN its load balancer entry names the alternate target group, both listener rules and the traffic-shift role', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [
        {
          ContainerName: 'backend',
          ContainerPort: 8000,
          TargetGroupArn: ref(service.targetGroup),
          AdvancedConfiguration: {
            AlternateTargetGroupArn: ref(service.alternateTargetGroup!),
            ProductionListenerRule: ref(service.listenerRule),
            TestListenerRule: ref(service.testListenerRule!),
            RoleArn: {
              'Fn::GetAtt': [stack.getLogicalId(service.trafficShiftRole!.role.node.defaultChild as never), 'Arn'],
            },
          },
        },
      ],
    });
  });

  test('THEN the production and the test rule forward to both target groups, the running one at weight 100', () => {
    for (const listener of ['IngressLoadBalancerHttp', 'IngressLoadBalancerTest']) {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        ListenerArn: { Ref: Match.stringLikeRegexp(`^${listener}`) },
        Priority: 10,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
        Actions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: ref(service.targetGroup), Weight: 100 },
                { TargetGroupArn: ref(service.alternateTargetGroup!), Weight: 0 },
              ],
            },
          },
        ],
      });
    }
  });

  test('THEN the traffic-shift role has no managed policy and may change only this service’s rules, listeners and target groups', () => {
    const roleId = stack.getLogicalId(service.trafficShiftRole!.role.node.defaultChild as never);
    const role = template.findResources('AWS::IAM::Role', {}) as Record<
      string,
      { Properties: Record<string, unknown> }
    >;
    expect(role[roleId].Properties.ManagedPolicyArns).toBeUndefined();
    expect(role[roleId].Properties.AssumeRolePolicyDocument).toEqual({
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' } }],
      Version: '2012-10-17',
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [
          {
            Action: [
              'elasticloadbalancing:DescribeListeners',
              'elasticloadbalancing:DescribeRules',
              'elasticloadbalancing:DescribeTargetGroups',
              'elasticloadbalancing:DescribeTargetHealth',
            ],
            Effect: 'Allow',
            Resource: '*',
          },
          {
            Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
            Effect: 'Allow',
            Resource: [ref(service.targetGroup), ref(service.alternateTargetGroup!)],
          },
          {
            Action: 'elasticloadbalancing:ModifyRule',
            Effect: 'Allow',
            Resource: [ref(service.listenerRule), ref(service.testListenerRule!)],
          },
          {
            Action: 'elasticloadbalancing:ModifyListener',
            Effect: 'Allow',
            Resource: [
              { Ref: Match.stringLikeRegexp('^IngressLoadBalancerHttp') },
              { Ref: Match.stringLikeRegexp('^IngressLoadBalancerTest') },
            ],
          },
        ],
      },
    });
  });

  test('THEN the 5xx-rate, p99-latency, unhealthy-host and failing-new-tasks alarms roll the deployment back', () => {
    expect(service.deploymentAlarms.map((alarm) => alarm.node.id)).toEqual([
      'ErrorRate',
      'LatencyP99',
      'UnhealthyTargets',
      'NewTasksFailing',
    ]);
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Alarms: {
          AlarmNames: [
            'Test-Backend-ErrorRate',
            'Test-Backend-LatencyP99',
            'Test-Backend-UnhealthyTargets',
            'Test-Backend-NewTasksFailing',
          ],
          Enable: true,
          Rollback: true,
        },
      }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Test-Backend-ErrorRate',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'MAX([targetGroup0, targetGroup1])', ReturnData: true }),
        Match.objectLike({
          Id: 'targetGroup0',
          Expression: 'IF(requests0 > 0, 100 * errors0 / requests0, 0)',
          ReturnData: false,
        }),
        Match.objectLike({
          Id: 'targetGroup1',
          Expression: 'IF(requests1 > 0, 100 * errors1 / requests1, 0)',
          ReturnData: false,
        }),
      ]),
    });
    // CloudWatch's metric math takes an array of time series as `[id, id, ...]`: each element names another query
    // of the same alarm (an expression inside the brackets is not the documented form).
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      const queries = (alarm.Properties.Metrics ?? []) as { Id: string; Expression?: string }[];
      for (const { Expression: expression } of queries.filter((query) => query.Expression?.includes('['))) {
        const elements = [...expression!.matchAll(/\[([^\]]*)\]/g)].flatMap((match) =>
          match[1].split(',').map((e) => e.trim()),
        );
        expect(elements.filter((element) => !queries.some((query) => query.Id === element))).toEqual([]);
      }
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Test-Backend-LatencyP99',
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'MAX([p990, p991])' })]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Test-Backend-UnhealthyTargets',
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'MAX([unhealthy0, unhealthy1])' })]),
    });
  });

  describe('its new tasks that fail to start or exit', () => {
    const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
      stack.getLogicalId(construct.node.defaultChild as never);
    const newTasksRule = service.node.findChild('NewTasksFailingRule') as events.Rule;

    test('THEN a rule matches the stopped service tasks of exactly this revision in this cluster, by the two unexpected stop codes', () => {
      expect(template.toJSON().Resources[logicalId(newTasksRule)].Properties.EventPattern).toEqual({
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: {
          clusterArn: [stack.resolve(cluster.clusterArn)],
          taskDefinitionArn: [{ Ref: logicalId(service.taskDefinition) }],
          lastStatus: ['STOPPED'],
          group: [{ prefix: 'service:' }],
          stopCode: ['EssentialContainerExited', 'TaskFailedToStart'],
        },
      });
    });

    test('THEN the rule tells the alarm topic, which is what makes EventBridge count its invocations', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({ detail: Match.objectLike({ taskDefinitionArn: Match.anyValue() }) }),
        Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^AlarmsTopic') } })],
      });
    });

    test("THEN the deployment alarm fires on one such stop, on the rule's matches (TriggeredRules), and stays in ALARM ten minutes so ECS cannot miss it", () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'Test-Backend-NewTasksFailing',
        Namespace: 'AWS/Events',
        MetricName: 'TriggeredRules',
        Dimensions: [{ Name: 'RuleName', Value: { Ref: logicalId(newTasksRule) } }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 10,
        DatapointsToAlarm: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    });

    test('THEN the service is updated after the alarm, and so after the rule names the new revision', () => {
      const resources = template.toJSON().Resources;
      expect(resources[logicalId(service.service)].DependsOn).toEqual(
        expect.arrayContaining([logicalId(service.newTasksFailingAlarm!)]),
      );
    });

    test("THEN the cluster's stopped-task rule leaves this revision's crashes and failed starts to it, not its failed health checks", () => {
      const clusterRule = template.toJSON().Resources[logicalId(stoppedTaskAlert.rule)].Properties.EventPattern;
      expect(clusterRule.detail.$or).toEqual([
        {
          stopCode: ['EssentialContainerExited', 'TaskFailedToStart'],
          taskDefinitionArn: [{ 'anything-but': [{ Ref: logicalId(service.taskDefinition) }] }],
        },
        { stoppedReason: [{ prefix: 'Task failed' }] },
      ]);
    });
  });

  test('GIVEN request-count scaling WHEN the service shifts traffic THEN it is refused', () => {
    expect(() => canaryService({ requestsPerTarget: 1000 })).toThrow(SlipwayConfigError);
    expect(() => canaryService({ requestsPerTarget: 1000 })).toThrow(
      /autoScaling\.requestsPerTarget must be absent with a traffic-shifting deployment; got 1000\. ECS swaps the primary and alternate target groups/,
    );
  });
});

describe('AlbIngress test listener', () => {
  test('THEN it listens on its own port over HTTP and no security group rule opens it to the internet', () => {
    const { template } = canaryService();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 9000, Protocol: 'HTTP' });
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    for (const group of Object.values(groups) as Array<{
      Properties: { SecurityGroupIngress?: Array<{ FromPort: number; CidrIp?: string }> };
    }>) {
      expect((group.Properties.SecurityGroupIngress ?? []).filter((rule) => rule.FromPort === 9000)).toEqual([]);
    }
    expect(template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { FromPort: 9000 } })).toEqual({});
  });

  test.each([80, 443, 0, 70000])('GIVEN test listener port %d THEN it is refused', (port) => {
    const stack = new TestStack();
    const network = new SlipwayNetwork(stack, 'Network', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
    expect(() => new AlbIngress(stack, 'Ingress', { vpc: network.vpc, testListenerPort: port })).toThrow(
      /testListenerPort must be a port from 1 to 65535 other than 80 and 443/,
    );
  });
});
