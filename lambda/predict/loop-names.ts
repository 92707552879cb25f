/**
 * Human-loop names that are honest: the same name always means a review of the same content for the same item in the
 * same pipeline. A name is a readable part of the request key plus a hash of the pipeline's flow definition, the
 * request key, the item id and the item's content (its features). A retried request with the same content (same
 * requestId, or the same body) gives every item its name again, in any order, whatever the model answers this time,
 * so nothing starts twice; a reused requestId with other content, or another pipeline seeing the same requestId, gets
 * other names and new loops, never another item's loop.
 */
import { A2I_NAME_MAX_LENGTH, shortHash, stableStringify } from '../../common/names';
import type { PredictRequest } from './request';

/** 80 bits: no two reviews in an account share a name by chance. */
const NAME_HASH_LENGTH = 20;
const READABLE_MAX_LENGTH = A2I_NAME_MAX_LENGTH - 1 - NAME_HASH_LENGTH;

/** The request's identity: its requestId, or a hash of its instances. */
export function requestKey(request: PredictRequest): string {
  if (request.requestId !== undefined) return request.requestId;
  return `h${shortHash(stableStringify(request.instances.map(({ id, features }) => ({ id, features }))), 24)}`;
}

export interface LoopIdentity {
  /** Loop names are unique per account and Region; the flow definition keeps two pipelines' names apart. */
  readonly flowDefinitionArn: string;
  readonly requestKey: string;
  readonly itemId: string | number;
  /** The item's features: what the reviewer reviews. The model's answer is left out, so a resend is the same loop. */
  readonly content: readonly string[];
}

/** `<readable part of the request key>-<20 hex>`: 1-63 characters of [a-z0-9-]. */
export function loopName(identity: LoopIdentity): string {
  const readable =
    identity.requestKey
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, READABLE_MAX_LENGTH)
      .replace(/^-+|-+$/g, '') || 'loop';
  const commitment = stableStringify([
    identity.flowDefinitionArn,
    identity.requestKey,
    identity.itemId,
    identity.content,
  ]);
  return `${readable}-${shortHash(commitment, NAME_HASH_LENGTH)}`;
}
