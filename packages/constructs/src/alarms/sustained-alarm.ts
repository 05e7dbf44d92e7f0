import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/** An alarm on a condition that holds for a while (`sustainedAlarm`). */
export interface SustainedAlarmOptions {
  /** The metric, with the period each evaluation covers. */
  readonly metric: cloudwatch.IMetric;
  /** The value the metric is compared with. */
  readonly threshold: number;
  /**
   * How the metric is compared with the threshold.
   * @default cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
   */
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;
  /** Consecutive periods that must all breach before the alarm fires. */
  readonly periods: number;
  /**
   * Periods the alarm looks back over (CloudWatch's evaluation periods): with more than `periods`, it fires on
   * `periods` breaching periods anywhere in that window and stays in ALARM until the window holds fewer (an "M out
   * of N" alarm), so a short burst stays visible for the window.
   * @default - `periods`
   */
  readonly window?: number;
  /** What the alarm means, for the person it notifies: the resource and the condition. */
  readonly description: string;
  /**
   * A fixed name (`deploymentAlarmName`), for an alarm ECS watches during deployments.
   * @default - a name CloudFormation generates
   */
  readonly alarmName?: string;
  /**
   * What the alarm does on ALARM and on OK.
   * @default - nothing
   */
  readonly actions?: readonly cloudwatch.IAlarmAction[];
}

/**
 * An alarm that fires only when every one of `periods` consecutive periods breaches, and treats a period without data
 * as not breaching: a resource that stops publishing (a paused Aurora Serverless database, a cache with no traffic,
 * an EventBridge metric that is only sent when it is not zero) stays OK rather than alarming or going INSUFFICIENT_DATA.
 */
export function sustainedAlarm(scope: Construct, id: string, options: SustainedAlarmOptions): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmName: options.alarmName,
    metric: options.metric,
    threshold: options.threshold,
    comparisonOperator: options.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: options.window ?? options.periods,
    datapointsToAlarm: options.periods,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: options.description,
  });
  if (options.actions && options.actions.length > 0) {
    alarm.addAlarmAction(...options.actions);
    alarm.addOkAction(...options.actions);
  }
  return alarm;
}
