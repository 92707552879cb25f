/**
 * Naming rules shared by the CDK app (synth-time validation) and the Lambdas (names made at deploy and run time).
 * Task UIs, flow definitions and human loops all follow the same A2I name rule.
 */
import { createHash } from 'node:crypto';

export const A2I_NAME_PATTERN = /^[a-z0-9](-*[a-z0-9])*$/;
export const A2I_NAME_MAX_LENGTH = 63;
export const CONTENT_HASH_LENGTH = 8;
/** A2I's limit on a human loop's input (HumanLoopInput.InputContent), in characters. */
export const INPUT_CONTENT_MAX_CHARS = 3_145_728;
/** A prefix leaves room for `-` and the content hash. */
export const A2I_NAME_PREFIX_MAX_LENGTH = A2I_NAME_MAX_LENGTH - 1 - CONTENT_HASH_LENGTH;

export function isA2iName(name: string): boolean {
  return name.length <= A2I_NAME_MAX_LENGTH && A2I_NAME_PATTERN.test(name);
}

/** Serializes with sorted object keys so that the same content always gives the same hash. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function shortHash(value: unknown, length = CONTENT_HASH_LENGTH): string {
  const text = typeof value === 'string' ? value : stableStringify(value);
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * `<prefix>-<hash of content>`: resources without an update API (task UI, flow definition) get a new name whenever
 * their content changes, so CloudFormation creates the new one before it deletes the old one.
 */
export function nameWithContentHash(prefix: string, content: unknown): string {
  if (!A2I_NAME_PATTERN.test(prefix) || prefix.length > A2I_NAME_PREFIX_MAX_LENGTH) {
    throw new Error(
      `Name prefix "${prefix}" must match ${A2I_NAME_PATTERN.source} and be at most ${A2I_NAME_PREFIX_MAX_LENGTH} characters`,
    );
  }
  return `${prefix}-${shortHash(content)}`;
}

/**
 * What every flow definition of one pipeline starts with: its ARN up to the content hash (`...flow-definition/<prefix>-`).
 * A template change replaces the flow definition under a new hash; loops of the old one still belong to the pipeline.
 */
export function pipelineFlowDefinitionPrefix(flowDefinitionArn: string): string {
  const hashed = new RegExp(`-[0-9a-f]{${CONTENT_HASH_LENGTH}}$`);
  return hashed.test(flowDefinitionArn) ? flowDefinitionArn.slice(0, -CONTENT_HASH_LENGTH) : flowDefinitionArn;
}
