import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmNotificationsProps {
  /** Subscribed by email; AWS sends a confirmation message first, and nothing arrives until it is confirmed. */
  readonly email: string;
}

/**
 * An encrypted, SSL-only SNS topic with an email subscription, for the pipeline's alarms: a review that reaches a
 * dead-letter queue, or loops that fail, must reach a person before SQS's 14-day retention runs out.
 */
export class AlarmNotifications extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmNotificationsProps) {
    super(scope, id);
    // CloudWatch cannot publish to a topic under the AWS-managed SNS key: the topic gets a key that allows it.
    const key = new kms.Key(this, 'Key', {
      description: 'Encrypts the alarm notification topic of the review pipeline',
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
    });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Review pipeline alarms',
      masterKey: key,
      enforceSSL: true,
    });
    this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }

  /** Sends each alarm's state changes to ALARM and back to OK to the topic. */
  notifyOn(alarms: readonly cloudwatch.Alarm[]): void {
    const action = new actions.SnsAction(this.topic);
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
}
