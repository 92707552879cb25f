/** The review port on Amazon A2I's runtime API: one flow definition, human loops named by the caller. */
import type { HumanLoopStatus as A2iStatus, SageMakerA2IRuntimeClient } from '@aws-sdk/client-sagemaker-a2i-runtime';
import {
  ConflictException,
  DeleteHumanLoopCommand,
  DescribeHumanLoopCommand,
  InternalServerException,
  ListHumanLoopsCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  StartHumanLoopCommand,
  StopHumanLoopCommand,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-sagemaker-a2i-runtime';
import type { CallOptions, HumanLoop, ListPage, ListQuery, ReviewErrorKind, ReviewPort, StartRequest } from './port';
import { ReviewError } from './port';

const KINDS: [new (...args: never[]) => Error, ReviewErrorKind][] = [
  [ValidationException, 'Validation'],
  [ResourceNotFoundException, 'ResourceNotFound'],
  [ConflictException, 'Conflict'],
  [ThrottlingException, 'Throttling'],
  [ServiceQuotaExceededException, 'ServiceQuotaExceeded'],
  [InternalServerException, 'InternalServer'],
];

/** A2I's exceptions as the port's error kinds; anything else (transport, abort) as it is. */
async function mapErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const kind = KINDS.find(([type]) => error instanceof type)?.[1];
    if (kind === undefined) throw error;
    // A2I's own error name stays in the message, for the logs.
    throw new ReviewError(kind, `${(error as Error).name}: ${(error as Error).message}`, { cause: error });
  }
}

export class A2iReviewPort implements ReviewPort {
  constructor(
    private readonly client: SageMakerA2IRuntimeClient,
    readonly flowDefinitionArn: string,
  ) {}

  async start(request: StartRequest, options: CallOptions = {}): Promise<{ humanLoopArn: string }> {
    const { HumanLoopArn } = await mapErrors(() =>
      this.client.send(
        new StartHumanLoopCommand({
          HumanLoopName: request.name,
          FlowDefinitionArn: this.flowDefinitionArn,
          HumanLoopInput: { InputContent: JSON.stringify(request.input) },
          DataAttributes: request.contentClassifiers?.length
            ? { ContentClassifiers: [...request.contentClassifiers] }
            : undefined,
        }),
        { abortSignal: options.signal },
      ),
    );
    return { humanLoopArn: HumanLoopArn ?? '' };
  }

  async describe(name: string, options: CallOptions = {}): Promise<HumanLoop> {
    const loop = await mapErrors(() =>
      this.client.send(new DescribeHumanLoopCommand({ HumanLoopName: name }), { abortSignal: options.signal }),
    );
    return {
      name: loop.HumanLoopName ?? name,
      arn: loop.HumanLoopArn ?? '',
      status: status(loop.HumanLoopStatus),
      createdAt: loop.CreationTime ?? new Date(0),
      flowDefinitionArn: loop.FlowDefinitionArn ?? '',
      failureCode: loop.FailureCode,
      failureReason: loop.FailureReason,
      outputUri: loop.HumanLoopOutput?.OutputS3Uri,
    };
  }

  async list(query: ListQuery, options: CallOptions = {}): Promise<ListPage> {
    const page = await mapErrors(() =>
      this.client.send(
        new ListHumanLoopsCommand({
          FlowDefinitionArn: this.flowDefinitionArn,
          CreationTimeAfter: query.createdAfter,
          CreationTimeBefore: query.createdBefore,
          SortOrder: query.sortOrder ?? 'Descending',
          MaxResults: query.maxResults,
          NextToken: query.nextToken,
        }),
        { abortSignal: options.signal },
      ),
    );
    return {
      loops: (page.HumanLoopSummaries ?? []).map((loop) => ({
        name: loop.HumanLoopName ?? '',
        status: status(loop.HumanLoopStatus),
        createdAt: loop.CreationTime ?? new Date(0),
        flowDefinitionArn: loop.FlowDefinitionArn ?? this.flowDefinitionArn,
        failureReason: loop.FailureReason,
      })),
      nextToken: page.NextToken,
    };
  }

  async stop(name: string, options: CallOptions = {}): Promise<void> {
    await mapErrors(() =>
      this.client.send(new StopHumanLoopCommand({ HumanLoopName: name }), { abortSignal: options.signal }),
    );
  }

  async delete(name: string, options: CallOptions = {}): Promise<void> {
    await mapErrors(() =>
      this.client.send(new DeleteHumanLoopCommand({ HumanLoopName: name }), { abortSignal: options.signal }),
    );
  }
}

function status(value: A2iStatus | undefined): HumanLoop['status'] {
  return value ?? 'InProgress';
}
