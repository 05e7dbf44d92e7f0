import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** CloudWatch's limit on an alarm name. */
const MAX_ALARM_NAME_LENGTH = 255;

/**
 * A fixed physical name for an alarm an ECS service watches during deployments:
 * the stack name and the alarm's construct path inside the stack, joined with
 * `-` (e.g. `App-prod-Backend-ErrorRate`).
 *
 * ECS refers to deployment alarms by name. A name CloudFormation generates is a
 * `Ref` to the alarm, so the service depends on the alarm resource; aws-cdk-lib
 * then notes that this "may cause a circular dependency" (it would, for an alarm
 * on the service's own metrics). A name known at synth keeps the service free of
 * that dependency. It is unique where alarm names must be: stack names are unique
 * in an account and region, construct paths within a stack. Names over
 * CloudWatch's 255 characters are cut and end in a hash of the whole name.
 *
 * @param scope the construct the alarm is created in
 * @param id the alarm's construct id
 * @returns the name, or undefined when the stack name is not known at synth
 *   (the alarm then keeps a generated name)
 */
export function deploymentAlarmName(scope: IConstruct, id: string): string | undefined {
  const stack = Stack.of(scope);
  if (Token.isUnresolved(stack.stackName)) return undefined;
  const scopes = scope.node.scopes;
  const inStack = scopes.slice(scopes.indexOf(stack) + 1).map((construct) => construct.node.id);
  const name = [stack.stackName, ...inStack, id].join('-');
  if (name.length <= MAX_ALARM_NAME_LENGTH) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_ALARM_NAME_LENGTH - hash.length - 1)}-${hash}`;
}
