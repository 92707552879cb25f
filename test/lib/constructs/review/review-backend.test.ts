/**
 * The pipeline's constructs take any review backend through IReviewBackend: a backend that is not A2I gets its
 * environment into every handler that builds the port, its grants on the right roles, and its ended events, from
 * its own bus, to the collector; nothing of A2I appears.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { IDependable } from 'constructs';
import { ModelEndpoint } from '../../../../lib/constructs/model-endpoint';
import { PredictApi } from '../../../../lib/constructs/predict-api';
import type { IReviewBackend } from '../../../../lib/constructs/review/review-backend';
import { ReviewCollector } from '../../../../lib/constructs/review-collector';

/** A backend as a self-hosted one will look to the pipeline: its own variable, actions, bus and event source. */
class FakeBackend implements IReviewBackend {
  readonly backendName = 'self-hosted' as const;
  readonly flowDefinitionArn = 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/fake-0a1b2c3d';
  // REVIEW_BACKEND names a backend: HandlerFunction bundles the handlers for it.
  readonly handlerEnvironment = { REVIEW_BACKEND: 'self-hosted', FAKE_TABLE: 'loops-table' };
  readonly outputs: IReviewBackend['outputs'];
  readonly endedEvents: IReviewBackend['endedEvents'];
  readonly deletedBefore: IDependable[] = [];

  constructor(stack: Stack) {
    this.outputs = { bucket: new s3.Bucket(stack, 'Outputs'), prefix: 'answers' };
    this.endedEvents = {
      eventBus: new events.EventBus(stack, 'Bus'),
      eventPattern: { source: ['fake.reviews'], detailType: ['Review ended'] },
    };
  }

  grantStartReviews(grantee: iam.IGrantable): void {
    this.grant(grantee, 'fake:StartReview');
  }
  grantReadReviews(grantee: iam.IGrantable): void {
    this.grant(grantee, 'fake:ReadReviews');
  }
  grantReadOutputs(grantee: iam.IGrantable): void {
    this.grant(grantee, 'fake:ReadOutputs');
  }
  deleteBefore(consumer: IDependable): void {
    this.deletedBefore.push(consumer);
  }
  private grant(grantee: iam.IGrantable, action: string): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [action], resources: ['arn:aws:fake:::loops'] }),
    );
  }
}

const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Pipeline');
const reviews = new FakeBackend(stack);
const endpoint = new ModelEndpoint(stack, 'Model', { model: { kind: 'existing', endpointName: 'sentiment' } });
new PredictApi(stack, 'PredictApi', { endpoint, reviews, confidenceThreshold: 0.9 });
const collector = new ReviewCollector(stack, 'Collector', {
  reviews,
  bucket: new s3.Bucket(stack, 'Dataset'),
  datasetPrefix: 'dataset',
});
const template = Template.fromStack(stack);

function roleOf(description: RegExp): string {
  const [fn] = Object.values(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp(description.source) },
    }),
  ) as { Properties: { Role: { 'Fn::GetAtt': [string] } } }[];
  return fn.Properties.Role['Fn::GetAtt'][0];
}

function actionsOf(role: string): string[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
    Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: { Action: string | string[] }[] } };
  }[];
  return policies
    .filter((policy) => policy.Properties.Roles.some((r) => r.Ref === role))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement.flatMap((s) => s.Action));
}

test("every handler that builds the review port gets the backend's environment", () => {
  for (const description of [/^POST \/predict/, /^GET \/loops/, /^Starts the human loops/]) {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp(description.source),
      Environment: { Variables: Match.objectLike(reviews.handlerEnvironment) },
    });
  }
});

test("the backend's grants land on the roles that need them, and no other", () => {
  const review = /^fake:|HumanLoop|s3:GetObject/;
  const fake = (role: string) => actionsOf(role).filter((action) => review.test(action));
  expect(fake(roleOf(/^POST \/predict/))).toEqual(['fake:StartReview']);
  expect(fake(roleOf(/^Starts the human loops/))).toEqual(['fake:StartReview']);
  expect(fake(roleOf(/^GET \/loops/))).toEqual(['fake:ReadReviews']);
  expect(fake(roleOf(/retraining dataset/))).toEqual(['fake:ReadOutputs']);
});

test("the collector's rule takes the backend's ended events from its bus, and the backend goes first", () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    EventBusName: { Ref: Match.stringLikeRegexp('^Bus') },
    EventPattern: { source: ['fake.reviews'], 'detail-type': ['Review ended'] },
  });
  expect(reviews.deletedBefore).toEqual([collector]);
});

test('the retry queue is retained and fed by the predict Lambda', () => {
  template.hasResource('AWS::SQS::Queue', {
    DeletionPolicy: 'Retain',
    Properties: Match.objectLike({ RedrivePolicy: Match.objectLike({ maxReceiveCount: 8 }) }),
  });
  expect(actionsOf(roleOf(/^POST \/predict/))).toEqual(expect.arrayContaining(['sqs:SendMessage']));
});
