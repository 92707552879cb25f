import { Arn, ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { FactName } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import type { ModelConfig } from '../config';
import { DEFAULT_MODEL_IMAGES } from '../config';
import { isGraviton } from '../config/instance-types';
import { acknowledgeWildcardResource } from '../nag';

export interface ModelEndpointProps {
  /** An existing endpoint, or the model archive (and compute) to build one from. */
  readonly model: ModelConfig;
  /**
   * Key for the endpoint's storage volume (instance endpoints only).
   * @default SageMaker's AWS-managed key
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The model behind the predict API: an existing SageMaker endpoint, or a model + endpoint config + endpoint built
 * from a model.tar.gz that serves the JSON Lines contract (see README).
 */
export class ModelEndpoint extends Construct {
  readonly endpointName: string;
  readonly endpointArn: string;
  /** Only for a built endpoint: the role the model container runs with. */
  readonly executionRole?: iam.Role;

  constructor(scope: Construct, id: string, props: ModelEndpointProps) {
    super(scope, id);
    if (props.model.kind === 'existing') {
      this.endpointName = props.model.endpointName;
      this.endpointArn = Arn.format(
        {
          service: 'sagemaker',
          resource: 'endpoint',
          // SageMaker ARNs carry the endpoint name in lower case.
          resourceName: props.model.endpointName.toLowerCase(),
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        },
        Stack.of(this),
      );
    } else {
      const built = this.buildEndpoint(props.model, props.encryptionKey);
      this.endpointName = built.endpoint.attrEndpointName;
      // Ref of AWS::SageMaker::Endpoint is its ARN.
      this.endpointArn = built.endpoint.ref;
      this.executionRole = built.role;
    }
  }

  /** Allows `sagemaker:InvokeEndpoint` on this endpoint only. */
  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:InvokeEndpoint'],
      resourceArns: [this.endpointArn],
    });
  }

  private buildEndpoint(model: Extract<ModelConfig, { kind: 'new' }>, key: kms.IKey | undefined) {
    const stack = Stack.of(this);
    const [, bucket, objectKey] = /^s3:\/\/([^/]+)\/(.+)$/.exec(model.modelDataUrl)!;
    const graviton = model.compute.kind === 'instances' && isGraviton(model.compute.instanceType);
    const image = model.modelImageUri
      ? imageFromUri(model.modelImageUri, stack)
      : defaultImage(stack, DEFAULT_MODEL_IMAGES[graviton ? 'arm64' : 'x86_64']);

    const role = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'SageMaker model: reads the model archive, pulls the image, writes its logs',
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadModelArchive',
        actions: ['s3:GetObject'],
        resources: [
          Arn.format(
            {
              service: 's3',
              region: '',
              account: '',
              resource: bucket,
              resourceName: objectKey,
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            },
            stack,
          ),
        ],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PullImage',
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        resources: [image.repositoryArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EcrLoginAndMetrics',
        // Neither has resource-level permissions; CreateModel's role documentation grants both on *.
        actions: ['ecr:GetAuthorizationToken', 'cloudwatch:PutMetricData'],
        resources: ['*'],
      }),
    );
    const endpointLogGroups = Arn.format(
      {
        service: 'logs',
        resource: 'log-group',
        resourceName: '/aws/sagemaker/Endpoints/*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      stack,
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteEndpointLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [endpointLogGroups],
      }),
    );

    acknowledgeWildcardResource(
      role,
      '*',
      'ecr:GetAuthorizationToken and cloudwatch:PutMetricData have no resource-level permissions (CreateModel role documentation).',
    );
    acknowledgeWildcardResource(
      role,
      endpointLogGroups,
      'SageMaker names the endpoint log group after the endpoint name it generates at deploy time.',
    );

    const cfnModel = new sagemaker.CfnModel(this, 'Model', {
      executionRoleArn: role.roleArn,
      // Only when asked for: the reference model downloads its tokenizer and packages at start, and serverless
      // endpoints do not support isolation at all (the config refuses that combination).
      enableNetworkIsolation: model.networkIsolation ? true : undefined,
      primaryContainer: {
        image: image.uri,
        modelDataUrl: model.modelDataUrl,
        environment: {
          SAGEMAKER_PROGRAM: 'inference.py',
          SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
          SAGEMAKER_REGION: Aws.REGION,
          SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
        },
      },
    });
    cfnModel.node.addDependency(role);

    const variant: sagemaker.CfnEndpointConfig.ProductionVariantProperty =
      model.compute.kind === 'serverless'
        ? {
            variantName: 'AllTraffic',
            modelName: cfnModel.attrModelName,
            serverlessConfig: {
              memorySizeInMb: model.compute.memorySizeInMB,
              maxConcurrency: model.compute.maxConcurrency,
            },
          }
        : {
            variantName: 'AllTraffic',
            modelName: cfnModel.attrModelName,
            initialInstanceCount: model.compute.instanceCount,
            instanceType: model.compute.instanceType,
            initialVariantWeight: 1,
          };
    const config = new sagemaker.CfnEndpointConfig(this, 'Config', {
      productionVariants: [variant],
      // Serverless endpoints have no storage volume to encrypt and reject a key.
      kmsKeyId: model.compute.kind === 'instances' ? key?.keyArn : undefined,
    });
    const endpoint = new sagemaker.CfnEndpoint(this, 'Endpoint', { endpointConfigName: config.attrEndpointConfigName });
    if (key && model.compute.kind === 'instances') key.grant(role, 'kms:CreateGrant', 'kms:DescribeKey');
    return { endpoint, role };
  }
}

interface ContainerImage {
  readonly uri: string;
  readonly repositoryArn: string;
}

function defaultImage(stack: Stack, { repository, tag }: { repository: string; tag: string }): ContainerImage {
  const account = stack.regionalFact(FactName.DLC_REPOSITORY_ACCOUNT);
  return {
    uri: `${account}.dkr.ecr.${stack.region}.${stack.urlSuffix}/${repository}:${tag}`,
    repositoryArn: Arn.format(
      {
        service: 'ecr',
        account,
        resource: 'repository',
        resourceName: repository,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      },
      stack,
    ),
  };
}

/** `<account>.dkr.ecr.<region>.<suffix>/<repo>[:tag|@digest]` (validated by the config parser). */
function imageFromUri(uri: string, stack: Stack): ContainerImage {
  const [registry, ...pathParts] = uri.split('/');
  const repository = pathParts.join('/').replace(/[:@].*$/, '');
  const [account, , , region] = registry.split('.');
  return {
    uri,
    repositoryArn: Arn.format(
      {
        service: 'ecr',
        account,
        region,
        resource: 'repository',
        resourceName: repository,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      },
      stack,
    ),
  };
}
