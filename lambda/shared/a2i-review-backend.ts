/** The review port on Amazon A2I: one flow definition, human loops named by the caller. */
import type { HumanLoopStatus } from '@aws-sdk/client-sagemaker-a2i-runtime';
import {
  ConflictException,
  DescribeHumanLoopCommand,
  ListHumanLoopsCommand,
  ResourceNotFoundException,
  StartHumanLoopCommand,
  StopHumanLoopCommand,
} from '@aws-sdk/client-sagemaker-a2i-runtime';
import type { SageMakerA2IRuntimeClient } from '@aws-sdk/client-sagemaker-a2i-runtime';
import type {
  CallOptions,
  ListReviewsQuery,
  ReviewBackend,
  ReviewPage,
  ReviewRequest,
  ReviewSummary,
} from './review-backend';
import { ReviewConflictError } from './review-backend';

export class A2iReviewBackend implements ReviewBackend {
  constructor(
    private readonly client: SageMakerA2IRuntimeClient,
    readonly flowDefinitionArn: string,
  ) {}

  async startReview(request: ReviewRequest, options: CallOptions = {}): Promise<void> {
    try {
      await this.client.send(
        new StartHumanLoopCommand({
          HumanLoopName: request.name,
          FlowDefinitionArn: this.flowDefinitionArn,
          HumanLoopInput: { InputContent: JSON.stringify(request.input) },
          DataAttributes: request.contentClassifiers?.length
            ? { ContentClassifiers: [...request.contentClassifiers] }
            : undefined,
        }),
        { abortSignal: options.signal },
      );
    } catch (error) {
      // A2I: "the same name as another active human loop but ... different input data".
      if (error instanceof ConflictException) throw new ReviewConflictError(request.name);
      throw error;
    }
  }

  async describeReview(name: string, options: CallOptions = {}): Promise<ReviewSummary | undefined> {
    try {
      const loop = await this.client.send(new DescribeHumanLoopCommand({ HumanLoopName: name }), {
        abortSignal: options.signal,
      });
      return summary(loop);
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  async stopReview(name: string): Promise<boolean> {
    try {
      await this.client.send(new StopHumanLoopCommand({ HumanLoopName: name }));
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return false;
      throw error;
    }
  }

  async listReviews(query: ListReviewsQuery): Promise<ReviewPage> {
    const page = await this.client.send(
      new ListHumanLoopsCommand({
        FlowDefinitionArn: this.flowDefinitionArn,
        CreationTimeAfter: query.createdAfter,
        NextToken: query.nextToken,
        MaxResults: query.maxResults,
        SortOrder: 'Descending',
      }),
    );
    return { reviews: (page.HumanLoopSummaries ?? []).map((loop) => summary(loop)), nextToken: page.NextToken };
  }
}

/** The fields DescribeHumanLoop and ListHumanLoops both give (Describe adds the failure code and the output). */
interface LoopFields {
  HumanLoopName?: string;
  FlowDefinitionArn?: string;
  HumanLoopStatus?: HumanLoopStatus;
  CreationTime?: Date;
  FailureReason?: string;
  FailureCode?: string;
  HumanLoopOutput?: { OutputS3Uri?: string };
}

function summary(loop: LoopFields): ReviewSummary {
  return {
    name: loop.HumanLoopName ?? '',
    status: loop.HumanLoopStatus ?? 'InProgress',
    createdAt: (loop.CreationTime ?? new Date(0)).toISOString(),
    flowDefinitionArn: loop.FlowDefinitionArn,
    failureReason: loop.FailureReason,
    failureCode: loop.FailureCode,
    outputUri: loop.HumanLoopOutput?.OutputS3Uri,
  };
}
