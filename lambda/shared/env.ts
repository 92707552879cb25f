/** Reading a Lambda's environment: each variable checked once, a wrong one named in the error. */
import type { LabelSet } from '../../common/label-set';
import { asLabelSet } from '../../common/label-set';

export type Env = Readonly<Record<string, string | undefined>>;

export function requiredEnv(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new Error(`Environment variable ${name} is not set`);
  return value;
}

export function numberEnv(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`Environment variable ${name} is ${JSON.stringify(raw)}; expected a number from ${min} to ${max}`);
  }
  return value;
}

export function oneOfEnv<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new Error(`Environment variable ${name} is ${JSON.stringify(raw)}; expected one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

export function listEnv<T extends string>(env: Env, name: string, allowed: readonly T[]): T[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new Error(
        `Environment variable ${name} has ${JSON.stringify(item)}; expected some of ${allowed.join(', ')}`,
      );
    }
  }
  return items as T[];
}

/** The label set the task template offers (REVIEW_LABEL_SET), or undefined when the deployment knows none. */
export function labelSetEnv(env: Env, name: string): LabelSet | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  let set: LabelSet | undefined;
  try {
    set = asLabelSet(JSON.parse(raw));
  } catch {
    // reported below
  }
  if (set === undefined) {
    throw new Error(
      `Environment variable ${name} is ${JSON.stringify(raw)}; expected {"field"?: string, "labels": [string, ...]}`,
    );
  }
  return set;
}

/** Reads a configuration once, on first use, so a handler module can be imported before its environment is set. */
export function once<T>(read: () => T): () => T {
  let value: { readonly v: T } | undefined;
  return () => (value ??= { v: read() }).v;
}
