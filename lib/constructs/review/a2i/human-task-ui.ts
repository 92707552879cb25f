import { Annotations, CustomResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { HumanTaskUiData, HumanTaskUiProperties } from '../../../../common/custom-resources';
import { attributeOf, RESOURCE_TYPES } from '../../../../common/custom-resources';
import { A2I_NAME_PATTERN, A2I_NAME_PREFIX_MAX_LENGTH } from '../../../../common/names';
import { templateWarnings } from '../../../../common/task-template';
import { UI_TEMPLATE_MAX_CHARS } from '../../../config';
import { HandlerProvider } from '../../handler-function';
import { HANDLERS } from '../../../../common/handlers';

export interface HumanTaskUiProps {
  /** The name is `<namePrefix>-<hash of the template>`. */
  readonly namePrefix: string;
  /** Liquid + crowd-html-elements template, at most 128,000 characters. */
  readonly templateContent: string;
}

/**
 * The worker task template as a SageMaker human task UI. Task UIs cannot be updated: a changed template gets a new
 * name, so the new task UI exists before CloudFormation deletes the old one.
 */
export class HumanTaskUi extends Construct {
  readonly humanTaskUiArn: string;
  readonly humanTaskUiName: string;

  constructor(scope: Construct, id: string, props: HumanTaskUiProps) {
    super(scope, id);
    if (!A2I_NAME_PATTERN.test(props.namePrefix) || props.namePrefix.length > A2I_NAME_PREFIX_MAX_LENGTH) {
      throw new Error(
        `HumanTaskUi namePrefix "${props.namePrefix}" must be 1-${A2I_NAME_PREFIX_MAX_LENGTH} lowercase letters, digits or hyphens`,
      );
    }
    if (props.templateContent.length === 0 || props.templateContent.length > UI_TEMPLATE_MAX_CHARS) {
      throw new Error(
        `HumanTaskUi templateContent has ${props.templateContent.length} characters; it must have 1-${UI_TEMPLATE_MAX_CHARS}`,
      );
    }
    for (const warning of templateWarnings(props.templateContent)) {
      Annotations.of(this).addWarningV2('review-pipeline:template-to-json', `Task template ${warning}`);
    }
    const provider = HandlerProvider.forStack(this, HANDLERS.humanTaskUi, 'Creates SageMaker human task UIs');
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: RESOURCE_TYPES.humanTaskUi,
      properties: { NamePrefix: props.namePrefix, Content: props.templateContent } satisfies HumanTaskUiProperties,
    });
    this.humanTaskUiArn = resource.getAttString(attributeOf<HumanTaskUiData>('HumanTaskUiArn'));
    this.humanTaskUiName = resource.getAttString(attributeOf<HumanTaskUiData>('HumanTaskUiName'));
    provider.grantSageMaker(
      ['sagemaker:CreateHumanTaskUi', 'sagemaker:DescribeHumanTaskUi', 'sagemaker:DeleteHumanTaskUi'],
      'human-task-ui',
      `${props.namePrefix}-*`,
      'Task UI names end in a hash of the template made at deploy time; the prefix limits them to this pipeline.',
    );
  }
}
