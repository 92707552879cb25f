import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';

/** A REST API and the function behind it. */
export interface ApiWithFunction {
  readonly api: apigw.RestApi;
  readonly fn: lambda.IFunction;
}

export interface SelfHostedMonitoringProps {
  readonly sweeper: lambda.IFunction;
  /** The group that holds only the sweeper's schedule: EventBridge Scheduler's metrics are per group. */
  readonly sweeperSchedules: scheduler.IScheduleGroup;
  readonly table: dynamodb.ITable;
  /** The DynamoDB operations the handlers call on the table (its IAM grant): the ones that can be throttled. */
  readonly tableOperations: readonly string[];
  readonly portal: ApiWithFunction;
  readonly runtimeApi: ApiWithFunction;
}

const PERIOD = Duration.minutes(5);
/** What waits while the sweeper does not run (reads take the same steps, so only loops nobody reads wait). */
const WAITING_STEPS =
  'the steps of loops nobody reads wait: expiry, the end of stops, completing answered loops and re-sending ended events EventBridge did not confirm';

/**
 * The self-hosted backend's alarms and graphs: the sweeper (its errors, whether it runs at all, and whether
 * EventBridge Scheduler could invoke it), the worker portal and the runtime API (5xx answers, their functions' errors
 * and throttles) and the task table (throttled requests). The stack shows them on its dashboard and sends them to the
 * pipeline's alarm topic, like every other alarm.
 */
export class SelfHostedMonitoring extends Construct {
  readonly sweeperErrorsAlarm: cloudwatch.Alarm;
  readonly sweeperNotRunningAlarm: cloudwatch.Alarm;
  readonly sweeperScheduleAlarm: cloudwatch.Alarm;
  readonly portalServerErrorsAlarm: cloudwatch.Alarm;
  readonly portalFunctionAlarm: cloudwatch.Alarm;
  readonly runtimeApiServerErrorsAlarm: cloudwatch.Alarm;
  readonly runtimeApiFunctionAlarm: cloudwatch.Alarm;
  readonly tableThrottlesAlarm: cloudwatch.Alarm;
  readonly alarms: readonly cloudwatch.Alarm[];
  /** One dashboard row. */
  readonly widgets: readonly cloudwatch.IWidget[];

  constructor(scope: Construct, id: string, props: SelfHostedMonitoringProps) {
    super(scope, id);
    const { sweeper, sweeperSchedules, table, portal, runtimeApi } = props;

    const sweeperErrors = sweeper.metricErrors({ period: PERIOD, statistic: 'Sum', label: 'sweeper errors' });
    this.sweeperErrorsAlarm = anyInPeriod(
      this,
      'SweeperErrorsAlarm',
      sweeperErrors,
      `The review sweeper failed (an error or a timeout: see its logs). Each run takes every step that is due, so one failure is made up by the next run; while it keeps failing, ${WAITING_STEPS}. A step that fails on one loop is a warning in its logs, not an error here`,
    );
    // Lambda reports Invocations only for periods with a run: a missing point is a period without one. Two of three
    // five-minute periods, so that one late or partial point (metrics can arrive minutes late) raises nothing.
    this.sweeperNotRunningAlarm = sweeper
      .metricInvocations({ period: PERIOD, statistic: 'Sum' })
      .createAlarm(this, 'SweeperNotRunningAlarm', {
        alarmDescription: `The review sweeper has not run in two of the last three ${PERIOD.toMinutes()}-minute periods (it runs every minute): check that its schedule is enabled, the schedule failures alarm, and the function's throttles. Until it runs, ${WAITING_STEPS}`,
        threshold: 1,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    const scheduleFailures = sumOfCounts('schedule failed or dropped', {
      targetErrors: sweeperSchedules.metricTargetErrors({ period: PERIOD, statistic: 'Sum' }),
      dropped: sweeperSchedules.metricDropped({ period: PERIOD, statistic: 'Sum' }),
    });
    this.sweeperScheduleAlarm = anyInPeriod(
      this,
      'SweeperScheduleFailuresAlarm',
      scheduleFailures,
      "EventBridge Scheduler could not invoke the review sweeper (TargetErrorCount or InvocationDroppedCount of the sweeper's schedule group). A skipped run is made up by the next one; if it repeats, check that the scheduler role may invoke the function and that the function exists",
    );

    [this.portalServerErrorsAlarm, this.portalFunctionAlarm] = apiAlarms(this, 'Portal', portal, {
      name: 'worker portal',
      impact: 'workers may be unable to open or answer tasks',
    });
    [this.runtimeApiServerErrorsAlarm, this.runtimeApiFunctionAlarm] = apiAlarms(this, 'RuntimeApi', runtimeApi, {
      name: 'A2I runtime API',
      impact: 'A2I clients and the operator CLI get errors starting, reading or stopping loops',
    });

    // DynamoDB reports these per operation (dimensions TableName and Operation): one metric per operation used.
    const tableCount = (metricName: string, id: string, label: string) =>
      sumOfCounts(
        label,
        Object.fromEntries(
          props.tableOperations.map((operation) => [
            `${id}${operation}`,
            table.metric(metricName, {
              dimensionsMap: { TableName: table.tableName, Operation: operation },
              period: PERIOD,
              statistic: 'Sum',
            }),
          ]),
        ),
      );
    const tableThrottles = tableCount('ThrottledRequests', 'throttled', 'task table throttled requests');
    // CloudWatch ignores treatMissingData on AWS/DynamoDB metrics (an alarm on them keeps its state when no data
    // comes); the expression fills the gaps with zeros, so the alarm returns to OK when throttling stops.
    this.tableThrottlesAlarm = anyInPeriod(
      this,
      'TaskTableThrottlesAlarm',
      tableThrottles,
      "DynamoDB throttled requests to the task table (on demand: the table's or the account's throughput limit, or a hot item). The SDK retries them, but portal, runtime API and sweeper calls may fail: check the table's metrics and the account's DynamoDB quotas",
    );

    this.alarms = [
      this.sweeperErrorsAlarm,
      this.sweeperNotRunningAlarm,
      this.sweeperScheduleAlarm,
      this.portalServerErrorsAlarm,
      this.portalFunctionAlarm,
      this.runtimeApiServerErrorsAlarm,
      this.runtimeApiFunctionAlarm,
      this.tableThrottlesAlarm,
    ];
    const graph = (title: string, left: cloudwatch.IMetric[]) => new cloudwatch.GraphWidget({ title, left, width: 6 });
    this.widgets = [
      graph('Sweeper', [
        sweeper.metricInvocations({ period: PERIOD, statistic: 'Sum', label: 'runs' }),
        sweeperErrors,
        scheduleFailures,
      ]),
      graph('Portal and runtime API: 5xx', [
        portal.api.metricServerError({ period: PERIOD, statistic: 'Sum', label: 'portal' }),
        runtimeApi.api.metricServerError({ period: PERIOD, statistic: 'Sum', label: 'runtime API' }),
      ]),
      graph('Portal and runtime API: function errors and throttles', [
        portal.fn.metricErrors({ period: PERIOD, statistic: 'Sum', label: 'portal errors' }),
        portal.fn.metricThrottles({ period: PERIOD, statistic: 'Sum', label: 'portal throttles' }),
        runtimeApi.fn.metricErrors({ period: PERIOD, statistic: 'Sum', label: 'runtime API errors' }),
        runtimeApi.fn.metricThrottles({ period: PERIOD, statistic: 'Sum', label: 'runtime API throttles' }),
      ]),
      graph('Task table', [tableThrottles, tableCount('SystemErrors', 'systemErrors', 'task table system errors')]),
    ];
  }
}

/** The pipeline's alarm on a count of failures: one or more in a period; no data means nothing failed. */
function anyInPeriod(scope: Construct, id: string, metric: cloudwatch.IMetric, alarmDescription: string) {
  return new cloudwatch.Alarm(scope, id, {
    metric,
    alarmDescription,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** Counts that AWS may leave out when they are zero, added up with each gap taken as zero. */
function sumOfCounts(label: string, metrics: Record<string, cloudwatch.IMetric>): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: Object.keys(metrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics: metrics,
    label,
    period: PERIOD,
  });
}

/** An API's 5xx answers, and its function's errors and throttles: what each means and what to do. */
function apiAlarms(
  scope: Construct,
  prefix: string,
  { api, fn }: ApiWithFunction,
  { name, impact }: { readonly name: string; readonly impact: string },
): [serverErrors: cloudwatch.Alarm, functionFailures: cloudwatch.Alarm] {
  return [
    anyInPeriod(
      scope,
      `${prefix}ServerErrorsAlarm`,
      api.metricServerError({ period: PERIOD, statistic: 'Sum' }),
      `The ${name} answered 5xx: its function failed or timed out (502/504: see the function's logs by request id) or Lambda throttled it (500); ${impact}`,
    ),
    anyInPeriod(
      scope,
      `${prefix}FunctionFailuresAlarm`,
      sumOfCounts('errors and throttles', {
        errors: fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
        throttles: fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
      }),
      `The ${name}'s function failed (an error or a timeout: see its logs) or was throttled (the account's Lambda concurrency is used up: raise the quota); ${impact}`,
    ),
  ];
}
