/**
 * The POST /predict body: parsed, checked against the limits and turned into typed instances.
 * Every problem is a 400 (malformed) or 413 (too large) naming the field and, for 413, the limit.
 */
import * as z from 'zod/mini';
import { PREDICT_LIMITS } from '../../common/contract';
import { badRequest, tooLarge } from '../shared/http';

export interface Instance {
  /** The caller's id, or the index in the request. */
  readonly id: string | number;
  readonly index: number;
  readonly features: readonly string[];
}

export interface PredictRequest {
  readonly instances: readonly Instance[];
  readonly requestId?: string;
}

const Id = z.union([
  z.string().check(z.minLength(1), z.maxLength(PREDICT_LIMITS.maxIdLength)),
  z.int().check(z.gte(0)),
]);
const InstanceShape = z.strictObject({
  id: z.optional(Id),
  features: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
});
const RequestShape = z.strictObject({
  instances: z.array(z.unknown()),
  requestId: z.optional(z.string().check(z.minLength(1), z.maxLength(PREDICT_LIMITS.maxIdLength))),
});

export function parsePredictRequest(body: string | null | undefined, isBase64Encoded = false): PredictRequest {
  const text = decodeBody(body, isBase64Encoded);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw badRequest('body', `The body is not valid JSON: ${(error as Error).message}`);
  }
  const shape = RequestShape.safeParse(raw);
  if (!shape.success) throw issueError(shape.error.issues[0], []);
  const { instances, requestId } = shape.data;
  if (instances.length === 0) throw badRequest('instances', 'instances must hold at least 1 item');
  if (instances.length > PREDICT_LIMITS.maxInstances) {
    throw tooLarge(
      'instances',
      `instances holds ${instances.length} items; at most ${PREDICT_LIMITS.maxInstances} are accepted per request`,
      PREDICT_LIMITS.maxInstances,
    );
  }
  const parsed = instances.map((item, index) => parseInstance(item, index));
  const seen = new Map<string, number>();
  for (const instance of parsed) {
    const key = String(instance.id);
    const first = seen.get(key);
    if (first !== undefined) {
      throw badRequest(
        `instances[${instance.index}].id`,
        `id ${JSON.stringify(instance.id)} is also used by instances[${first}]`,
      );
    }
    seen.set(key, instance.index);
  }
  return { instances: parsed, requestId };
}

function decodeBody(body: string | null | undefined, isBase64Encoded: boolean): string {
  if (body === null || body === undefined || body === '')
    throw badRequest('body', 'The request has no body; send JSON');
  const bytes = isBase64Encoded ? Buffer.byteLength(body, 'base64') : Buffer.byteLength(body, 'utf8');
  if (bytes > PREDICT_LIMITS.maxRequestBytes) {
    throw tooLarge(
      'body',
      `The body has ${bytes} bytes; at most ${PREDICT_LIMITS.maxRequestBytes} are accepted`,
      PREDICT_LIMITS.maxRequestBytes,
    );
  }
  return isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
}

function parseInstance(item: unknown, index: number): Instance {
  const givenId = (item as { id?: unknown } | null)?.id;
  if (typeof givenId === 'number' && Number.isInteger(givenId) && !Number.isSafeInteger(givenId)) {
    throw badRequest(
      `instances[${index}].id`,
      `instances[${index}].id is a number above ${Number.MAX_SAFE_INTEGER} (2^53 - 1), which JSON parsers round, so two items could get the same id; send it as a string`,
    );
  }
  const shape = InstanceShape.safeParse(item);
  if (!shape.success) throw issueError(shape.error.issues[0], ['instances', index]);
  const { features, id } = shape.data;
  const field = `instances[${index}].features`;
  if (features.length > PREDICT_LIMITS.maxFeaturesPerInstance) {
    throw tooLarge(
      field,
      `${field} holds ${features.length} strings; at most ${PREDICT_LIMITS.maxFeaturesPerInstance} are accepted`,
      PREDICT_LIMITS.maxFeaturesPerInstance,
    );
  }
  const characters = features.reduce((sum, feature) => sum + feature.length, 0);
  if (characters > PREDICT_LIMITS.maxCharactersPerInstance) {
    throw tooLarge(
      field,
      `${field} has ${characters} characters; at most ${PREDICT_LIMITS.maxCharactersPerInstance} are accepted per item`,
      PREDICT_LIMITS.maxCharactersPerInstance,
    );
  }
  return { id: id ?? index, index, features };
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (name, part) => (typeof part === 'number' ? `${name}[${part}]` : name ? `${name}.${String(part)}` : String(part)),
    '',
  );
}

/** zod/mini carries no message texts; each issue kind gets its sentence here. */
function issueError(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]) {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const field = fieldName([...path, issue.keys[0]]);
    return badRequest(
      field || 'body',
      `Unknown field ${field}; accepted: ${path.length === 0 ? 'instances, requestId' : 'id, features'}`,
    );
  }
  const field = fieldName(path) || 'body';
  switch (issue.code) {
    case 'invalid_type':
      return badRequest(
        field,
        `${field} must be ${article(issue.expected)}${issue.input === undefined ? ' (it is missing)' : ''}`,
      );
    case 'too_small':
      return badRequest(
        field,
        `${field} must have at least ${issue.minimum} ${issue.origin === 'array' ? 'item' : 'character'}${Number(issue.minimum) === 1 ? '' : 's'}`,
      );
    case 'too_big':
      return badRequest(
        field,
        `${field} must have at most ${issue.maximum} ${issue.origin === 'array' ? 'items' : 'characters'}`,
      );
    case 'invalid_union':
      return badRequest(
        field,
        `${field} must be a string of 1-${PREDICT_LIMITS.maxIdLength} characters or a non-negative integer`,
      );
    default:
      return badRequest(field, `${field} is not valid`);
  }
}

function article(type: string): string {
  return type === 'object' || type === 'array' || type === 'int'
    ? `an ${type === 'int' ? 'integer' : type}`
    : `a ${type}`;
}
