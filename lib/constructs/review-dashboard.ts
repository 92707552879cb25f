import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { HANDLERS } from '../../common/handlers';
import { METRICS, METRICS_NAMESPACE } from '../../common/metrics';

export interface ReviewDashboardProps {
  /** Alarms to show (the dead-letter queues, the API, the review backend's); the dashboard adds one on failed loops. */
  readonly alarms: readonly cloudwatch.Alarm[];
  /**
   * A row of the review backend's own graphs, above the alarms.
   * @default none
   */
  readonly backendWidgets?: readonly cloudwatch.IWidget[];
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
    const predictions = metric(HANDLERS.predict, METRICS.predictions);
    const lowConfidence = metric(HANDLERS.predict, METRICS.lowConfidencePredictions);
    const failed = metric(HANDLERS.collector, METRICS.loopsFailed);

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
            left: [
              metric(HANDLERS.predict, METRICS.modelLatency, 'p50', 'p50'),
              metric(HANDLERS.predict, METRICS.modelLatency, 'p99', 'p99'),
            ],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Human loops',
            left: [
              metric(HANDLERS.predict, METRICS.loopsStarted, 'Sum', 'started'),
              metric(HANDLERS.predict, METRICS.loopsQueued, 'Sum', 'queued'),
              metric(HANDLERS.reviewRetry, METRICS.loopsStartedFromQueue, 'Sum', 'started from queue'),
              metric(HANDLERS.collector, METRICS.loopsCompleted, 'Sum', 'completed'),
              metric(HANDLERS.collector, METRICS.loopsFailed, 'Sum', 'failed'),
              metric(HANDLERS.collector, METRICS.loopsExpired, 'Sum', 'expired'),
              metric(HANDLERS.collector, METRICS.loopsStopped, 'Sum', 'stopped'),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Time to answer (s)',
            left: [
              metric(HANDLERS.collector, METRICS.timeToAnswer, 'p50', 'p50'),
              metric(HANDLERS.collector, METRICS.timeToAnswer, 'p90', 'p90'),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Override rate and agreement (%)',
            left: [
              new cloudwatch.MathExpression({
                expression: '100 * overrides',
                usingMetrics: { overrides: metric(HANDLERS.collector, METRICS.humanOverrides, 'Average') },
                label: 'human label differs from the model',
                period: Duration.minutes(5),
              }),
              metric(HANDLERS.collector, METRICS.workerAgreement, 'Average', 'worker agreement'),
            ],
            leftYAxis: { min: 0, max: 100 },
            width: 8,
          }),
        ],
        ...(props.backendWidgets ? [[...props.backendWidgets]] : []),
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
