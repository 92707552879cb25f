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

export async function readReviewOutput(client: S3Client, outputUri: string): Promise<ReviewOutput> {
  const { bucket, key } = parseS3Uri(outputUri);
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = (await object.Body?.transformToString('utf-8')) ?? '';
  const parsed = OutputJson.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(`${outputUri} is not an A2I output.json: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
  return parsed.data;
}
