/** The answers of a completed review, read from the output.json A2I wrote (its key comes from the loop, never built). */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod/mini';

const OutputJson = z.object({
  inputContent: z.optional(z.record(z.string(), z.unknown())),
  humanAnswers: z.array(
    z.object({
      answerContent: z.record(z.string(), z.unknown()),
      acceptanceTime: z.optional(z.string()),
      submissionTime: z.optional(z.string()),
      timeSpentInSeconds: z.optional(z.number()),
      workerId: z.optional(z.string()),
    }),
  ),
});
export type ReviewOutput = z.infer<typeof OutputJson>;

export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error(`Not an S3 URI: ${uri}`);
  return { bucket: match[1], key: match[2] };
}

/**
 * Far above any output.json A2I writes (InputContent is at most 3,145,728 characters, TaskCount at most 3), so the
 * reader's memory stays bounded whatever lands under the output prefix.
 */
export const REVIEW_OUTPUT_MAX_BYTES = 16 * 1024 * 1024;

export class ReviewOutputTooLargeError extends Error {
  override readonly name = 'ReviewOutputTooLargeError';
}

export async function readReviewOutput(
  client: S3Client,
  outputUri: string,
  options: { readonly signal?: AbortSignal; readonly maxBytes?: number } = {},
): Promise<ReviewOutput> {
  const { bucket, key } = parseS3Uri(outputUri);
  const maxBytes = options.maxBytes ?? REVIEW_OUTPUT_MAX_BYTES;
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
    abortSignal: options.signal,
  });
  if (object.ContentLength === undefined || object.ContentLength > maxBytes) {
    // Not read: the connection is dropped with the unread body.
    (object.Body as { destroy?: () => void } | undefined)?.destroy?.();
    throw new ReviewOutputTooLargeError(
      `${outputUri} has ${object.ContentLength ?? 'an unknown number of'} bytes; at most ${maxBytes} are read`,
    );
  }
  const text = (await object.Body?.transformToString('utf-8')) ?? '';
  const parsed = OutputJson.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(`${outputUri} is not an A2I output.json: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
  return parsed.data;
}
