/**
 * Deterministic human-loop names: the same request (same requestId, or the same body when there is none) gives every
 * item the same name again, so a retried request cannot start a second loop for an item.
 */
import { A2I_NAME_MAX_LENGTH, shortHash, stableStringify } from '../../common/names';
import type { PredictRequest } from './request';

const ITEM_HASH_LENGTH = 12;
const KEY_PART_MAX_LENGTH = A2I_NAME_MAX_LENGTH - 1 - ITEM_HASH_LENGTH;

/** The request's identity: its requestId, or a hash of its instances. */
export function requestKey(request: PredictRequest): string {
  if (request.requestId !== undefined) return request.requestId;
  return `h${shortHash(stableStringify(request.instances.map(({ id, features }) => ({ id, features }))), 24)}`;
}

/**
 * `<readable part of the request key>-<hash of key and item id>`: 1-63 characters of [a-z0-9-]. Item ids are unique
 * in a request (the index when the caller gives none), so names are distinct per item and survive a reordered retry.
 */
export function loopName(key: string, itemId: string | number): string {
  const readable =
    key
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, KEY_PART_MAX_LENGTH)
      .replace(/^-+|-+$/g, '') || 'loop';
  return `${readable}-${shortHash(stableStringify([key, itemId]), ITEM_HASH_LENGTH)}`;
}
