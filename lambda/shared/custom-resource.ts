/**
 * What every Provider-framework handler in this project shares: the event and response types, a log line that
 * leaves out the pre-signed ResponseURL and the resource properties, typed property parsing, and not-found detection.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import * as z from 'zod/mini';

export type CustomResourceEvent = CloudFormationCustomResourceEvent;

export interface CustomResourceResponse<Data = Record<string, string>> {
  readonly PhysicalResourceId: string;
  readonly Data?: Data;
}

/** The event without `ResponseURL` (a pre-signed URL that can answer for the stack) and without the properties. */
export function eventSummary(event: CustomResourceEvent): Record<string, string | undefined> {
  return {
    requestType: event.RequestType,
    resourceType: event.ResourceType,
    logicalResourceId: event.LogicalResourceId,
    physicalResourceId: 'PhysicalResourceId' in event ? event.PhysicalResourceId : undefined,
    stackId: event.StackId,
    requestId: event.RequestId,
  };
}

/**
 * CloudFormation hands every property over as a string; the schema coerces and checks them.
 * A mismatch is a bug in the construct, reported with each failing property named.
 */
export function parseProperties<T>(schema: z.ZodMiniType<T>, properties: unknown): T {
  const result = schema.safeParse(properties);
  if (!result.success) {
    throw new Error(`Invalid resource properties: ${z.prettifyError(result.error).replace(/\n/g, '; ')}`);
  }
  return result.data;
}

/** SageMaker reports a missing resource as ResourceNotFound, or as a ValidationException that says so. */
export function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ResourceNotFound' || error.name === 'ResourceNotFoundException') return true;
  return (
    error.name === 'ValidationException' &&
    /does not exist|not found|cannot be found|could not find/i.test(error.message)
  );
}
