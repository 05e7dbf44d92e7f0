import { App, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { deploymentAlarmName } from '../../src/alarms';
import { TestStack } from '../fixtures/stacks';

describe('deploymentAlarmName', () => {
  test('GIVEN a construct inside a stack WHEN naming its alarm THEN the name is the stack name and the path inside the stack', () => {
    const stack = new TestStack();
    const service = new Construct(new Construct(stack, 'Services'), 'Backend');
    expect(deploymentAlarmName(service, 'ErrorRate')).toBe('Test-Services-Backend-ErrorRate');
  });

  test('GIVEN a stack inside a Stage WHEN naming THEN the stack name includes the Stage, so two environments in one account do not clash', () => {
    const app = new App();
    const dev = new Construct(new Stack(new Stage(app, 'Dev'), 'App'), 'Backend');
    const prod = new Construct(new Stack(new Stage(app, 'Prod'), 'App'), 'Backend');
    expect([deploymentAlarmName(dev, 'ErrorRate'), deploymentAlarmName(prod, 'ErrorRate')]).toEqual([
      'Dev-App-Backend-ErrorRate',
      'Prod-App-Backend-ErrorRate',
    ]);
  });

  test('GIVEN a name over 255 characters WHEN naming THEN it is cut to 255 and ends in a hash of the whole name', () => {
    const stack = new TestStack();
    const deep = new Construct(new Construct(stack, 'A'.repeat(150)), 'B'.repeat(150));
    const name = deploymentAlarmName(deep, 'ErrorRate')!;
    const other = deploymentAlarmName(deep, 'UnhealthyTargets')!;
    expect(name).toHaveLength(255);
    expect(name).toMatch(/^Test-A{150}-B{90}-[0-9a-f]{8}$/);
    expect(other).not.toBe(name);
  });

  test('GIVEN a nested stack, whose name is known only at deploy time, WHEN naming THEN there is no fixed name (CloudFormation generates one)', () => {
    const nested = new NestedStack(new TestStack(), 'Nested');
    expect(deploymentAlarmName(new Construct(nested, 'Backend'), 'ErrorRate')).toBeUndefined();
  });
});
