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
import type { ListReviewsQuery, ReviewBackend, ReviewPage, ReviewRequest, ReviewSummary } from './review-backend';

export class A2iReviewBackend implements ReviewBackend {
  constructor(
    private readonly client: SageMakerA2IRuntimeClient,
    private readonly flowDefinitionArn: string,
  ) {}

  async startReview(request: ReviewRequest): Promise<'started' | 'already-started'> {
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
      );
      return 'started';
    } catch (error) {
      // Our names are derived from the request: a loop of that name is this item's loop, started by an earlier try.
      if (error instanceof ConflictException) return 'already-started';
      throw error;
    }
  }

  async describeReview(name: string): Promise<ReviewSummary | undefined> {
    try {
      const loop = await this.client.send(new DescribeHumanLoopCommand({ HumanLoopName: name }));
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
    failureReason: loop.FailureReason,
    failureCode: loop.FailureCode,
    outputUri: loop.HumanLoopOutput?.OutputS3Uri,
  };
}
