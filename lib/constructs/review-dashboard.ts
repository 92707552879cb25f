import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../common/contract';

export interface ReviewDashboardProps {
  /** Alarms to show (the dead-letter queues, the API); the dashboard adds one on failed loops. */
  readonly alarms: readonly cloudwatch.Alarm[];
}

/** The pipeline at a glance: predictions, share sent to review, loops, time to answer, overrides, agreement. */
export class ReviewDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly failedLoopsAlarm: cloudwatch.Alarm;
  /** Every alarm of the pipeline: the one on failed loops and those it was given. */
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ReviewDashboardProps) {
    super(scope, id);
    const metric = (service: string, metricName: string, statistic = 'Sum', label?: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service },
        statistic,
        period: Duration.minutes(5),
        label: label ?? metricName,
      });
    const predictions = metric('predict', 'Predictions');
    const lowConfidence = metric('predict', 'LowConfidencePredictions');
    const failed = metric('collector', 'HumanLoopsFailed');

    this.failedLoopsAlarm = failed.createAlarm(this, 'FailedLoopsAlarm', {
      alarmDescription:
        'Human loops failed or expired: check the workteam has workers and the task availability lifetime',
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.alarms = [this.failedLoopsAlarm, ...props.alarms];
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'Predictions', left: [predictions, lowConfidence], width: 8 }),
          new cloudwatch.GraphWidget({
            title: 'Share sent to review (%)',
            left: [
              new cloudwatch.MathExpression({
                expression: '100 * low / IF(all > 0, all, 1)',
                usingMetrics: { low: lowConfidence, all: predictions },
                label: 'low-confidence share',
                period: Duration.minutes(5),
              }),
            ],
            leftYAxis: { min: 0, max: 100 },
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Model latency (ms)',
            left: [metric('predict', 'ModelLatency', 'p50', 'p50'), metric('predict', 'ModelLatency', 'p99', 'p99')],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Human loops',
            left: [
              metric('predict', 'HumanLoopsStarted', 'Sum', 'started'),
              metric('predict', 'HumanLoopsQueued', 'Sum', 'queued'),
              metric('review-retry', 'HumanLoopsStartedFromQueue', 'Sum', 'started from queue'),
              metric('collector', 'HumanLoopsCompleted', 'Sum', 'completed'),
              metric('collector', 'HumanLoopsFailed', 'Sum', 'failed'),
              metric('collector', 'HumanLoopsExpired', 'Sum', 'expired'),
              metric('collector', 'HumanLoopsStopped', 'Sum', 'stopped'),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Time to answer (s)',
            left: [
              metric('collector', 'TimeToAnswer', 'p50', 'p50'),
              metric('collector', 'TimeToAnswer', 'p90', 'p90'),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Override rate and agreement (%)',
            left: [
              new cloudwatch.MathExpression({
                expression: '100 * overrides',
                usingMetrics: { overrides: metric('collector', 'HumanOverrides', 'Average') },
                label: 'human label differs from the model',
                period: Duration.minutes(5),
              }),
              metric('collector', 'WorkerAgreement', 'Average', 'worker agreement'),
            ],
            leftYAxis: { min: 0, max: 100 },
            width: 8,
          }),
        ],
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            alarms: [...this.alarms],
            width: 24,
          }),
        ],
      ],
    });
  }
}
