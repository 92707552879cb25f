/**
 * The A2I review backend: a SageMaker human task UI from the task template and a flow definition that sends each loop
 * to the private workteam and writes its output.json to the output bucket. A2I publishes the ended events itself.
 *
 * A plain class, not a construct: its task UI and flow definition are made in the scope it is given with the ids
 * they had before the review seam existed ('TaskUi', 'FlowDefinition'), so their logical ids, and with them the live
 * flow definition, do not change on redeploy.
 */
import type { Duration } from 'aws-cdk-lib';
import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IDependable } from 'constructs';
import type { Construct } from 'constructs';
import { ENV, REVIEW_ENDED_EVENT } from '../../../../common/contract';
import { acknowledgeWildcardOnGrantee } from '../../../nag';
import type { IReviewBackend, ReviewOutputs } from '../review-backend';
import type { ObjectLocation } from '../../../../common/object-locations';
import { grantOutputObjects, grantTaskObjects } from '../review-backend';
import { FlowDefinition } from './flow-definition';
import { HumanTaskUi } from './human-task-ui';

export interface A2iReviewBackendProps {
  /** Names of the task UI and flow definition start with it. */
  readonly namePrefix: string;
  /** Liquid + crowd-html-elements template. */
  readonly templateContent: string;
  readonly workteamArn: string;
  readonly outputs: ReviewOutputs;
  readonly taskTitle: string;
  readonly taskDescription: string;
  /** Workers who answer each task, 1-3. */
  readonly taskCount: number;
  readonly taskAvailabilityLifetime: Duration;
  readonly taskTimeLimit: Duration;
  /** Where templates may show objects from: A2I presigns `grant_read_access` URLs with the flow definition's role. */
  readonly taskObjectLocations: readonly ObjectLocation[];
}

export class A2iReviewBackend implements IReviewBackend {
  readonly backendName = 'a2i';
  readonly taskUi: HumanTaskUi;
  readonly flowDefinition: FlowDefinition;
  readonly flowDefinitionArn: string;
  readonly outputs: ReviewOutputs;
  readonly handlerEnvironment: Readonly<Record<string, string>>;
  readonly endedEvents: IReviewBackend['endedEvents'];
  private readonly humanLoops: string;

  constructor(scope: Construct, props: A2iReviewBackendProps) {
    this.outputs = props.outputs;
    this.taskUi = new HumanTaskUi(scope, 'TaskUi', {
      namePrefix: props.namePrefix,
      templateContent: props.templateContent,
    });
    this.flowDefinition = new FlowDefinition(scope, 'FlowDefinition', {
      namePrefix: props.namePrefix,
      workteamArn: props.workteamArn,
      humanTaskUi: this.taskUi,
      outputBucket: props.outputs.bucket,
      outputPrefix: props.outputs.prefix,
      encryptionKey: props.outputs.encryptionKey,
      taskTitle: props.taskTitle,
      taskDescription: props.taskDescription,
      taskCount: props.taskCount,
      taskAvailabilityLifetime: props.taskAvailabilityLifetime,
      taskTimeLimit: props.taskTimeLimit,
    });
    grantTaskObjects(this.flowDefinition.role, props.taskObjectLocations);
    this.flowDefinitionArn = this.flowDefinition.flowDefinitionArn;
    this.handlerEnvironment = {
      [ENV.reviewBackend]: this.backendName,
      [ENV.flowDefinitionArn]: this.flowDefinition.flowDefinitionArn,
    };
    // Matched by the name prefix: loops started on the previous flow definition during a deploy still end here.
    this.endedEvents = {
      eventPattern: {
        source: [REVIEW_ENDED_EVENT.a2iSource],
        detailType: [REVIEW_ENDED_EVENT.detailType],
        detail: { flowDefinitionArn: events.Match.prefix(this.flowDefinition.flowDefinitionArnPrefix) },
      },
    };
    this.humanLoops = Arn.format(
      { service: 'sagemaker', resource: 'human-loop', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME },
      Stack.of(scope),
    );
  }

  grantStartReviews(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['sagemaker:StartHumanLoop'],
        resources: [this.flowDefinition.flowDefinitionArn],
      }),
    );
    this.grantDescribe(grantee);
  }

  grantReadReviews(grantee: iam.IGrantable): void {
    this.grantDescribe(grantee);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sagemaker:ListHumanLoops'], resources: ['*'] }),
    );
    acknowledgeWildcardOnGrantee(
      grantee,
      '*',
      'ListHumanLoops has no resource-level permissions; the handler passes its own flow definition.',
    );
    this.grantReadOutputs(grantee);
  }

  grantReadOutputs(grantee: iam.IGrantable): void {
    grantOutputObjects(
      this.outputs,
      grantee,
      'read',
      'A2I writes each answer under a key it makes below the output prefix; read-only.',
    );
  }

  deleteBefore(consumer: IDependable): void {
    // A flow definition kept because reviews are in progress (its delete is refused) keeps their consumer.
    this.flowDefinition.resource.node.addDependency(consumer);
  }

  private grantDescribe(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sagemaker:DescribeHumanLoop'], resources: [this.humanLoops] }),
    );
    acknowledgeWildcardOnGrantee(
      grantee,
      this.humanLoops,
      'Loop names are made per request at run time; DescribeHumanLoop is read-only.',
    );
  }
}
