import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { EnvironmentKey } from '../security/environment-key';

/** Props of `AlarmTopic`. */
export interface AlarmTopicProps {
  /**
   * Email subscribed to the topic (the address must confirm the subscription once).
   * @default - no subscription
   */
  readonly email?: string;
  /**
   * An existing SNS topic that also receives every alarm (e.g. a chat integration): `sns.Topic.fromTopicArn(...)`.
   * @default - none
   */
  readonly additionalTopic?: sns.ITopic;
  /**
   * Key encrypting the topic; its policy must let CloudWatch alarms use it.
   * @default - a new key with rotation
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Where the environment's alarms go: a KMS-encrypted, SSL-only SNS topic with
 * an optional email subscription, plus an optional existing topic.
 */
export class AlarmTopic extends Construct {
  /** The environment's alarm topic. */
  public readonly topic: sns.Topic;
  /** What an alarm does on ALARM and OK to reach this topic (and the additional one): pass it as a construct's `alarmActions`. */
  public readonly alarmActions: readonly cloudwatch.IAlarmAction[];

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      masterKey: props.encryptionKey ?? new EnvironmentKey(this, 'Key').key,
      enforceSSL: true,
    });
    // The topic policy that enforceSSL creates replaces SNS's default policy, so CloudWatch
    // needs an explicit grant, limited to this account's alarms in this region.
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
        },
      }),
    );
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    this.alarmActions = [
      new actions.SnsAction(this.topic),
      ...(props.additionalTopic ? [new actions.SnsAction(props.additionalTopic)] : []),
    ];
  }

  /** Send `alarm`'s ALARM and OK transitions to this topic (and the additional topic). */
  public notify(alarm: cloudwatch.Alarm): void {
    alarm.addAlarmAction(...this.alarmActions);
    alarm.addOkAction(...this.alarmActions);
  }
}
