import type { Duration } from 'aws-cdk-lib';
import { Arn, ArnFormat, CustomResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { FlowDefinitionData, FlowDefinitionProperties } from '../../../../common/custom-resources';
import { attributeOf, RESOURCE_TYPES } from '../../../../common/custom-resources';
import { A2I_NAME_PATTERN, A2I_NAME_PREFIX_MAX_LENGTH } from '../../../../common/names';
import { acknowledgeWildcardResource } from '../../../nag';
import { HandlerProvider } from '../../handler-function';
import type { HumanTaskUi } from './human-task-ui';
import { HANDLERS } from '../../../../common/handlers';

export interface FlowDefinitionProps {
  /** The name is `<namePrefix>-<hash of the configuration>`. */
  readonly namePrefix: string;
  readonly workteamArn: string;
  readonly humanTaskUi: HumanTaskUi;
  readonly outputBucket: s3.IBucket;
  /** Key prefix under which A2I writes each loop's output.json. */
  readonly outputPrefix: string;
  /**
   * Key A2I encrypts the output with.
   * @default the bucket's default encryption
   */
  readonly encryptionKey?: kms.IKey;
  readonly taskTitle: string;
  readonly taskDescription: string;
  /** Workers who answer each task, 1-3. */
  readonly taskCount: number;
  /** How long a task waits for a worker, at most 10 days for a private workforce. */
  readonly taskAvailabilityLifetime: Duration;
  /** How long a worker has once they take a task, 30 seconds to 8 hours. */
  readonly taskTimeLimit: Duration;
}

/**
 * An A2I flow definition with its service role. The role may only write under the output prefix. Flow definitions
 * cannot be updated: a changed configuration gets a new name, and the handler waits until the new one is Active.
 */
export class FlowDefinition extends Construct {
  readonly flowDefinitionArn: string;
  readonly flowDefinitionName: string;
  readonly role: iam.Role;
  /** The custom resource itself, for ordering against it. */
  readonly resource: CustomResource;
  /** `s3://<bucket>/<prefix>` */
  readonly s3OutputPath: string;
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: FlowDefinitionProps) {
    super(scope, id);
    validate(props);
    this.namePrefix = props.namePrefix;
    this.s3OutputPath = `s3://${props.outputBucket.bucketName}/${props.outputPrefix}`;

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'A2I flow definition: writes human review results under the output prefix',
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteReviewResults',
        actions: ['s3:PutObject'],
        resources: [props.outputBucket.arnForObjects(`${props.outputPrefix}/*`)],
      }),
    );
    acknowledgeWildcardResource(
      this.role,
      props.outputBucket.arnForObjects(`${props.outputPrefix}/*`),
      'A2I writes each loop to a key it makes (<prefix>/<flow definition>/<date>/<loop>/output.json); only under the output prefix.',
    );
    const key = props.encryptionKey ?? props.outputBucket.encryptionKey;
    key?.grant(this.role, 'kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt');

    const provider = HandlerProvider.forStack(
      this,
      HANDLERS.flowDefinition,
      'Creates A2I flow definitions and waits until Active',
    );
    provider.grantSageMaker(
      ['sagemaker:CreateFlowDefinition', 'sagemaker:DescribeFlowDefinition', 'sagemaker:DeleteFlowDefinition'],
      HANDLERS.flowDefinition,
      `${props.namePrefix}-*`,
      'Flow definition names end in a hash of the configuration made at deploy time; the prefix limits them to this pipeline.',
    );
    this.role.grantPassRole(provider.onEvent.grantPrincipal);
    // Before deleting, the handler lists the flow definition's loops in progress: A2I would stop the unanswered ones.
    provider.onEvent.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sagemaker:ListHumanLoops'], resources: ['*'] }),
    );
    acknowledgeWildcardResource(
      provider.onEvent.role!,
      '*',
      'ListHumanLoops has no resource-level permissions; the handler lists only the flow definition it deletes.',
    );

    const resource = (this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: RESOURCE_TYPES.flowDefinition,
      properties: {
        NamePrefix: props.namePrefix,
        RoleArn: this.role.roleArn,
        WorkteamArn: props.workteamArn,
        HumanTaskUiArn: props.humanTaskUi.humanTaskUiArn,
        TaskTitle: props.taskTitle,
        TaskDescription: props.taskDescription,
        TaskCount: props.taskCount,
        TaskAvailabilityLifetimeInSeconds: props.taskAvailabilityLifetime.toSeconds(),
        TaskTimeLimitInSeconds: props.taskTimeLimit.toSeconds(),
        S3OutputPath: this.s3OutputPath,
        KmsKeyId: props.encryptionKey?.keyArn,
      } satisfies FlowDefinitionProperties,
    }));
    // A2I checks at creation that it can use the role.
    resource.node.addDependency(this.role);
    this.flowDefinitionArn = resource.getAttString(attributeOf<FlowDefinitionData>('FlowDefinitionArn'));
    this.flowDefinitionName = resource.getAttString(attributeOf<FlowDefinitionData>('FlowDefinitionName'));
  }

  /**
   * The ARN every flow definition of this construct starts with: the name's hash changes with the configuration, and
   * events of loops started on the previous one (during a deploy) still belong to this pipeline.
   */
  get flowDefinitionArnPrefix(): string {
    return Arn.format(
      {
        service: 'sagemaker',
        resource: 'flow-definition',
        resourceName: `${this.namePrefix}-`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      },
      Stack.of(this),
    );
  }
}

function validate(props: FlowDefinitionProps): void {
  const problems: string[] = [];
  if (!A2I_NAME_PATTERN.test(props.namePrefix) || props.namePrefix.length > A2I_NAME_PREFIX_MAX_LENGTH) {
    problems.push(
      `namePrefix "${props.namePrefix}" must be 1-${A2I_NAME_PREFIX_MAX_LENGTH} lowercase letters, digits or hyphens`,
    );
  }
  const within = (name: string, value: number | undefined, min: number, max: number) => {
    if (
      value !== undefined &&
      !Token.isUnresolved(value) &&
      !(Number.isInteger(value) && value >= min && value <= max)
    ) {
      problems.push(`${name} is ${value}; it must be an integer from ${min} to ${max}`);
    }
  };
  within('taskCount', props.taskCount, 1, 3);
  within('taskAvailabilityLifetime (seconds)', props.taskAvailabilityLifetime.toSeconds(), 1, 864_000);
  within('taskTimeLimit (seconds)', props.taskTimeLimit.toSeconds(), 30, 28_800);
  const length = (text: string) => (Token.isUnresolved(text) ? undefined : text.length);
  within('taskTitle length', length(props.taskTitle), 1, 128);
  within('taskDescription length', length(props.taskDescription), 1, 255);
  if (problems.length > 0) throw new Error(`FlowDefinition: ${problems.join('; ')}`);
}
