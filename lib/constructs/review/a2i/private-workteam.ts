import type { CfnResource } from 'aws-cdk-lib';
import { Arn, ArnFormat, CustomResource, Lazy, Stack } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { PrivateWorkteamData, PrivateWorkteamProperties } from '../../../../common/custom-resources';
import { attributeOf, RESOURCE_TYPES } from '../../../../common/custom-resources';
import { shortHash } from '../../../../common/names';
import { acknowledgeWildcardResource } from '../../../nag';
import { HandlerProvider } from '../../handler-function';
import { HANDLERS } from '../../../../common/handlers';

export interface PrivateWorkteamProps {
  readonly userPool: cognito.IUserPool;
  readonly client: cognito.UserPoolClient;
  /** The pool's hosted domain: the workforce portal signs workers in through it, so it must exist first. */
  readonly domain: cognito.UserPoolDomain;
  /** The user pool group whose members form the workteam. */
  readonly groupName: string;
  /** Name used when the workforce is created here (an existing workforce keeps its name). */
  readonly workforceName: string;
  readonly workteamName: string;
  /** Shown to workers; 1-200 characters. */
  readonly description: string;
}

/**
 * The private workforce and workteam over a Cognito user pool, as one custom resource (see lambda/private-workteam).
 * It runs again whenever the app client's declared properties change, because CloudFormation writes the client's
 * declared callback URLs back on every client update and the portal login would break until the URLs are re-applied.
 */
export class PrivateWorkteam extends Construct {
  readonly workteamArn: string;
  readonly workteamName: string;
  readonly portalUrl: string;

  constructor(scope: Construct, id: string, props: PrivateWorkteamProps) {
    super(scope, id);
    const provider = HandlerProvider.forStack(
      this,
      HANDLERS.privateWorkteam,
      'Creates or adopts the private workforce and its workteam',
    );
    const stack = Stack.of(this);
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: RESOURCE_TYPES.privateWorkteam,
      properties: {
        UserPoolId: props.userPool.userPoolId,
        ClientId: props.client.userPoolClientId,
        UserGroup: props.groupName,
        WorkforceName: props.workforceName,
        WorkteamName: props.workteamName,
        WorkteamDescription: props.description,
        ClientSettingsFingerprint: declaredPropertiesFingerprint(props.client.node.defaultChild as CfnResource),
      } satisfies PrivateWorkteamProperties,
    });
    resource.node.addDependency(props.client, props.domain);
    this.workteamArn = resource.getAttString(attributeOf<PrivateWorkteamData>('WorkteamArn'));
    this.workteamName = resource.getAttString(attributeOf<PrivateWorkteamData>('WorkteamName'));
    this.portalUrl = resource.getAttString(attributeOf<PrivateWorkteamData>('PortalUrl'));

    const sagemakerArn = (resource: string, resourceName = '*') =>
      Arn.format({ service: 'sagemaker', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }, stack);
    const role = provider.onEvent.role!;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListWorkforcesAndWorkteams',
        // These list calls have no resource-level permissions.
        actions: ['sagemaker:ListWorkforces', 'sagemaker:ListWorkteams'],
        resources: ['*'],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CreateOurWorkforce',
        actions: ['sagemaker:CreateWorkforce'],
        resources: [sagemakerArn('workforce', props.workforceName)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeOrDeleteTheRegionsWorkforce',
        // The Region has one workforce, possibly under another name (adopted, or created under an earlier
        // workforceName). DeleteWorkforce has no condition keys and workforces take no tags: the handler deletes only
        // the workforce its physical id records as created by it.
        actions: ['sagemaker:DescribeWorkforce', 'sagemaker:DeleteWorkforce'],
        resources: [sagemakerArn('workforce')],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ManageTheWorkteam',
        actions: [
          'sagemaker:CreateWorkteam',
          'sagemaker:DescribeWorkteam',
          'sagemaker:UpdateWorkteam',
          'sagemaker:AddTags',
        ],
        resources: [sagemakerArn('workteam', `private-crowd/${props.workteamName}`)],
      }),
    );
    const anyWorkteam = sagemakerArn('workteam', 'private-crowd/*');
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DeleteOurWorkteams',
        // A renamed workteam is deleted under its old name, which only the physical id still knows.
        actions: ['sagemaker:DeleteWorkteam'],
        resources: [anyWorkteam],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SetThePortalUrlsOnTheClient',
        actions: ['cognito-idp:DescribeUserPoolClient', 'cognito-idp:UpdateUserPoolClient'],
        resources: [props.userPool.userPoolArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadTheWorkforcePoolDomain',
        // SageMaker reads the pool's domain with the caller's rights when it creates the workforce; this action has
        // no resource type.
        actions: ['cognito-idp:DescribeUserPoolDomain'],
        resources: ['*'],
      }),
    );
    const anyPool = Arn.format(
      { service: 'cognito-idp', resource: 'userpool', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME },
      stack,
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RecogniseThisStacksOldPool',
        // Reads the tags of the pool a found workforce uses, to recognise this stack's pool from a failed deploy.
        actions: ['cognito-idp:DescribeUserPool'],
        resources: [anyPool],
      }),
    );
    acknowledgeWildcardResource(
      role,
      '*',
      'ListWorkforces, ListWorkteams and cognito-idp:DescribeUserPoolDomain have no resource-level permissions.',
    );
    acknowledgeWildcardResource(
      role,
      sagemakerArn('workforce'),
      "A Region's single private workforce may exist under any name (adopted, or created under an earlier workforceName); DeleteWorkforce has no condition keys and workforces take no tags, so the handler deletes only the one its physical id records as created by it.",
    );
    acknowledgeWildcardResource(
      role,
      anyWorkteam,
      'DeleteWorkteam only: after a rename the old workteam is deleted under the name kept in the physical id.',
    );
    acknowledgeWildcardResource(
      role,
      anyPool,
      'DescribeUserPool only (read): the pool a found workforce uses is known only at run time; its tags say whether it is this stack’s pool from a failed deploy.',
    );
  }
}

/**
 * A hash of a resource's declared CloudFormation properties, resolved at synthesis. Passed to a custom resource, it
 * makes CloudFormation call the custom resource again whenever that resource's declaration changes.
 */
export function declaredPropertiesFingerprint(resource: CfnResource): string {
  return Lazy.string({
    produce: () => {
      // _toCloudFormation is CDK's own rendering of the resource: every declared property, including CDK defaults.
      const rendered = (resource as unknown as { _toCloudFormation(): unknown })._toCloudFormation();
      const { Resources } = Stack.of(resource).resolve(rendered) as {
        Resources: Record<string, { Properties?: unknown }>;
      };
      const properties = Object.values(Resources).map((r) => r.Properties);
      if (properties.every((p) => p === undefined)) throw new Error(`${resource.node.path} rendered no properties`);
      return shortHash(properties);
    },
  });
}
