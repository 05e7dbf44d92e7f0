import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { SlipwayAppStack } from '../../src/app';
import { EnvironmentConfig } from '../../src/config';
import { enforceSecurityChecks } from '../../src/nag';
import { AlbService } from '../../src/service';
import { sampleServices } from '../fixtures/apps';
import { devLike, prodCanary, variant } from '../fixtures/environments';

function synthesize(
  config: EnvironmentConfig,
  smokeTest = { expectedCommit: '3f2c9a1b7d4e5f60718293a4b5c6d7e8f9012345' },
) {
  const app = new App();
  enforceSecurityChecks(app);
  const stack = new SlipwayAppStack(app, `App-${config.name}`, { config, services: sampleServices(), smokeTest });
  app.synth();
  return { app, stack, template: Template.fromStack(stack) };
}

describe('SlipwayAppStack deployment strategies', () => {
  describe('GIVEN prod-like settings with deployment canary 10 % / 5 min / bake 10 min', () => {
    const { app, stack, template } = synthesize(prodCanary);

    test('THEN every service releases as a canary with the bake time and the smoke test hook', () => {
      const services = template.findResources('AWS::ECS::Service');
      expect(Object.keys(services)).toHaveLength(2);
      for (const service of Object.values(services) as Array<{ Properties: { DeploymentConfiguration: unknown } }>) {
        expect(service.Properties.DeploymentConfiguration).toMatchObject({
          Strategy: 'CANARY',
          CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 },
          BakeTimeInMinutes: 10,
          LifecycleHooks: [
            {
              HookTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^SmokeTestFunction/), 'Arn'] },
              LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
            },
          ],
          Alarms: { Enable: true, Rollback: true },
        });
      }
    });

    test("THEN each service's hook runs the checks whose paths the load balancer routes to it, so none waits for another service", () => {
      // On the stack's first deploy ECS creates the backend before the frontend exists: a check of / in the backend's
      // hook would meet an empty target group (503) until the hook gave up and the create rolled back.
      const hookDetails = (name: string) =>
        template
          .toJSON()
          .Resources[
            stack.getLogicalId((stack.services[name] as AlbService).service.node.defaultChild as never)
          ].Properties.DeploymentConfiguration.LifecycleHooks.map(
            (hook: { HookDetails?: unknown }) => hook.HookDetails,
          );
      expect(hookDetails('backend')).toEqual([{ smokeTestChecks: ['health', 'version'] }]);
      expect(hookDetails('frontend')).toEqual([{ smokeTestChecks: ['page'] }]);
    });

    test('THEN each service is created after the policies of the roles ECS uses in its first deployment', () => {
      // The roles' permissions are separate AWS::IAM::Policy resources; a service that only references the role's ARN
      // could be created, and its first deployment start, before IAM has them.
      const resources = template.toJSON().Resources;
      for (const name of ['backend', 'frontend']) {
        const service = stack.services[name] as AlbService;
        const dependsOn: string[] = resources[stack.getLogicalId(service.service.node.defaultChild as never)].DependsOn;
        const policies = [service.trafficShiftRole!.role, stack.smokeTestHook!.invokeRole].map((role) =>
          stack.getLogicalId(role.node.findChild('DefaultPolicy').node.defaultChild as never),
        );
        expect(dependsOn).toEqual(expect.arrayContaining(policies));
      }
    });

    test('THEN the hook expects the commit the app says its version service was built from', () => {
      expect(stack.smokeTestHook?.expectedCommit).toBe('3f2c9a1b7d4e5f60718293a4b5c6d7e8f9012345');
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ EXPECTED_COMMIT: '3f2c9a1b7d4e5f60718293a4b5c6d7e8f9012345' }) },
      });
    });

    test('THEN the services deploy one after the other, so each smoke test sees the others at their final revision', () => {
      const backend = (stack.services.backend as AlbService).service.node.defaultChild as never;
      const frontend =
        template.toJSON().Resources[
          stack.getLogicalId((stack.services.frontend as AlbService).service.node.defaultChild as never)
        ];
      expect(frontend.DependsOn).toContain(stack.getLogicalId(backend));
    });

    test('THEN each service rolls back when a task of the revision it releases fails to start or exits, on an alarm of its own that notifies the alarm topic', () => {
      const resources = template.toJSON().Resources;
      const topicRef = { Ref: stack.getLogicalId(stack.alarmTopic.topic.node.defaultChild as never) };
      for (const [name, id] of [
        ['backend', 'Backend'],
        ['frontend', 'Frontend'],
      ]) {
        const service = stack.services[name] as AlbService;
        const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
          stack.getLogicalId(construct.node.defaultChild as never);
        const alarmName = `App-prod-${id}-NewTasksFailing`;
        expect(resources[logicalId(service.service)].Properties.DeploymentConfiguration.Alarms.AlarmNames).toEqual([
          `App-prod-${id}-ErrorRate`,
          `App-prod-${id}-LatencyP99`,
          `App-prod-${id}-UnhealthyTargets`,
          alarmName,
        ]);
        const rule = service.node.findChild('NewTasksFailingRule') as events.Rule;
        expect(resources[logicalId(rule)].Properties.EventPattern.detail).toEqual({
          clusterArn: [{ 'Fn::GetAtt': [logicalId(stack.cluster.cluster), 'Arn'] }],
          taskDefinitionArn: [{ Ref: logicalId(service.taskDefinition) }],
          lastStatus: ['STOPPED'],
          group: [{ prefix: 'service:' }],
          stopCode: ['EssentialContainerExited', 'TaskFailedToStart'],
        });
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          AlarmName: alarmName,
          Namespace: 'AWS/Events',
          MetricName: 'TriggeredRules',
          Dimensions: [{ Name: 'RuleName', Value: { Ref: logicalId(rule) } }],
          Period: 60,
          EvaluationPeriods: 10,
          DatapointsToAlarm: 1,
          Threshold: 1,
          TreatMissingData: 'notBreaching',
          AlarmActions: [topicRef],
        });
        // The dashboard's alarm list shows it with the service's other alarms.
        expect(service.alarms).toContain(service.newTasksFailingAlarm);
      }
    });

    test('THEN it has zero unacknowledged AwsSolutions and NIST 800-53 R5 findings', () => {
      for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
        expect(pack.validateScope(app).violations).toEqual([]);
      }
    });
  });

  describe('GIVEN dev-like settings (no deployment setting)', () => {
    const { stack, template } = synthesize(devLike);

    test('THEN the services roll: no strategy, no hook, no test listener, no alternate target group', () => {
      template.hasResourceProperties('AWS::ECS::Service', {
        DeploymentConfiguration: Match.objectLike({
          Strategy: Match.absent(),
          LifecycleHooks: Match.absent(),
          Alarms: { AlarmNames: Match.anyValue(), Enable: true, Rollback: true },
        }),
      });
      expect(stack.smokeTestHook).toBeUndefined();
      expect(stack.ingress?.testListener).toBeUndefined();
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
      expect(
        Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('SmokeTest')),
      ).toEqual([]);
    });

    test('THEN the rolling deployment alarms stay the 5xx rate and the unhealthy targets', () => {
      expect((stack.services.backend as AlbService).deploymentAlarms.map((alarm) => alarm.node.id)).toEqual([
        'ErrorRate',
        'UnhealthyTargets',
      ]);
    });

    test("THEN no service gets the failing-new-tasks alarm: a rolling update's failed starts are the circuit breaker's", () => {
      for (const service of Object.values(stack.services)) {
        expect(service.alarms.map((alarm) => alarm.node.id)).not.toContain('NewTasksFailing');
        expect(service.node.tryFindChild('NewTasksFailingRule')).toBeUndefined();
      }
      expect(stack.stoppedTaskAlert.revisionRules).toEqual([]);
      template.resourceCountIs('AWS::Events::Rule', 1);
    });
  });

  test('GIVEN an explicit rolling deployment THEN the template is the same as without the setting', () => {
    const rolling = variant(devLike, (c) => {
      c.deployment = { strategy: 'rolling' };
    }) as EnvironmentConfig;
    expect(synthesize(rolling).template.toJSON()).toEqual(synthesize(devLike).template.toJSON());
  });
});
