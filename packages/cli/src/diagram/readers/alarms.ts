import { ofType, StackScope } from './stack-scope';
import type { TemplateResource } from '../../assembly/cloud-assembly';
import { literalString, referencedId, referencedIds, resourceName } from '../../assembly/template-values';

/** Alarms that notify the same topics. */
export interface AlarmGroupView {
  readonly key: string;
  readonly alarms: readonly string[];
  readonly topics: readonly string[];
}

/** Alarm labels by the topics they notify (`topic (email)` labels joined with `|`), across a Stage's stacks. */
export type AlarmsByTopics = Map<string, { alarms: string[]; topics: string[] }>;

/** Add the CloudWatch alarms of one stack to `groups`, grouped by the SNS topics their actions notify. */
export function readAlarms(scope: StackScope, groups: AlarmsByTopics): void {
  const { resources } = scope;
  for (const [id, resource] of ofType(scope, 'AWS::CloudWatch::Alarm')) {
    const topics = [...referencedIds(resource.Properties?.AlarmActions)]
      .filter((target) => resources[target]?.Type === 'AWS::SNS::Topic')
      .map((target) => topicLabel(scope, target))
      .sort();
    const groupKey = topics.join('|');
    const group = groups.get(groupKey) ?? { alarms: [], topics };
    group.alarms.push(alarmLabel(scope, id, resource));
    groups.set(groupKey, group);
  }
}

function topicLabel(scope: StackScope, topicId: string): string {
  const { resources } = scope;
  const topic = resources[topicId];
  const protocols = Object.values(resources)
    .filter(
      (candidate) =>
        candidate.Type === 'AWS::SNS::Subscription' && referencedId(candidate.Properties?.TopicArn) === topicId,
    )
    .map((subscription) => literalString(subscription.Properties?.Protocol) ?? '?');
  for (const inline of Array.isArray(topic?.Properties?.Subscription) ? topic!.Properties!.Subscription : []) {
    protocols.push(literalString(inline?.Protocol) ?? '?');
  }
  const name = literalString(topic?.Properties?.TopicName) ?? resourceName(scope.stack, topicId, topic);
  const unique = [...new Set(protocols)].sort();
  return unique.length > 0 ? `${name} (${unique.join(', ')})` : name;
}

function alarmLabel(scope: StackScope, id: string, resource: TemplateResource): string {
  return literalString(resource.Properties?.AlarmName) ?? resourceName(scope.stack, id, resource);
}
