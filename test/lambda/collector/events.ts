import type { SQSEvent } from 'aws-lambda';

export const FLOW = 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/sentiment-review-0a1b2c3d';

/** An EventBridge "SageMaker A2I HumanLoop Status Change" event as the SQS target delivers it. */
export function statusChange(
  name: string,
  status: 'Completed' | 'Failed' | 'Stopped',
  outputS3Uri?: string,
  extra: Record<string, unknown> = {},
) {
  return {
    version: '0',
    id: `event-${name}`,
    'detail-type': 'SageMaker A2I HumanLoop Status Change',
    source: 'aws.sagemaker',
    account: '123456789012',
    time: '2026-11-21T10:10:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      creationTime: '2026-11-21T10:00:00.000Z',
      failureCode: null,
      failureReason: null,
      flowDefinitionArn: FLOW,
      humanLoopArn: `arn:aws:sagemaker:eu-west-1:123456789012:human-loop/${name}`,
      humanLoopName: name,
      humanLoopOutput: outputS3Uri ? { outputS3Uri } : null,
      humanLoopStatus: status,
      ...extra,
    },
  };
}

export function sqsEvent(...bodies: unknown[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m${i + 1}`,
      body: JSON.stringify(body),
      attributes: { ApproximateReceiveCount: '1' },
    })),
  } as unknown as SQSEvent;
}

export function outputJson(name: string, labels: string[]) {
  return {
    flowDefinitionArn: FLOW,
    humanLoopName: name,
    inputContent: {
      initialValue: -1,
      taskObject: 'I am unhappy with this product',
      modelProbability: 0.634,
      threshold: 0.9,
    },
    humanAnswers: labels.map((label, i) => ({
      answerContent: { sentiment: { label } },
      acceptanceTime: '2026-11-21T10:01:00.000Z',
      submissionTime: `2026-11-21T10:0${i + 2}:00.000Z`,
      timeSpentInSeconds: 30,
      workerId: `worker-${i}`,
      workerMetadata: { identityData: { identityProviderType: 'Cognito', issuer: 'https://cognito', sub: `sub-${i}` } },
    })),
  };
}
