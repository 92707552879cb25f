/**
 * Reading CDK context: one reader collects every problem instead of throwing at the first, so synthesis stops with
 * all of them at once, each naming the key, the value given and what is accepted.
 */

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid CDK context (fix with -c key=value or in cdk.json):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type ContextLookup = (key: string) => unknown;

/** Reads context values of one kind each; records a problem instead of throwing so all problems are reported at once. */
export class ContextReader {
  readonly problems: string[] = [];

  constructor(private readonly lookup: ContextLookup) {}

  has(key: string): boolean {
    const value = this.lookup(key);
    return value !== undefined && value !== null && value !== '';
  }

  problem(key: string, value: unknown, expected: string): undefined {
    this.problems.push(`${key}: got ${describe(value)}; expected ${expected}.`);
    return undefined;
  }

  string(
    key: string,
    rule: { pattern?: RegExp; minLength?: number; maxLength?: number; expected: string },
  ): string | undefined {
    if (!this.has(key)) return undefined;
    const value = this.lookup(key);
    if (typeof value !== 'string') return this.problem(key, value, rule.expected);
    const fits =
      (rule.pattern === undefined || rule.pattern.test(value)) &&
      value.length >= (rule.minLength ?? 1) &&
      value.length <= (rule.maxLength ?? Infinity);
    return fits ? value : this.problem(key, value, rule.expected);
  }

  number(key: string, min: number, max: number, opts: { integer: boolean }): number | undefined {
    if (!this.has(key)) return undefined;
    const value = this.lookup(key);
    const parsed =
      typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    const ok = Number.isFinite(parsed) && (!opts.integer || Number.isInteger(parsed)) && parsed >= min && parsed <= max;
    return ok ? parsed : this.problem(key, value, `${opts.integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }

  boolean(key: string): boolean | undefined {
    if (!this.has(key)) return undefined;
    const value = this.lookup(key);
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    return this.problem(key, value, 'true or false');
  }

  oneOf<T extends string>(key: string, choices: readonly T[]): T | undefined {
    if (!this.has(key)) return undefined;
    const value = this.lookup(key);
    return (choices as readonly unknown[]).includes(value)
      ? (value as T)
      : this.problem(key, value, `one of ${choices.join(', ')}`);
  }

  /**
   * A list given as a JSON array (cdk.json), the same array as a string (`-c key='["a","b"]'`: the CDK CLI passes
   * every -c value as a string), or a comma-separated string (`-c key=a,b`).
   */
  list(key: string): string[] {
    if (!this.has(key)) return [];
    const given = this.lookup(key);
    let value = given;
    if (typeof given === 'string' && given.trim().startsWith('[')) {
      try {
        value = JSON.parse(given) as unknown;
      } catch {
        value = undefined;
      }
    } else if (typeof given === 'string') {
      return given
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
    }
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map((v) => v.trim());
    this.problem(key, given, 'a comma-separated string or a JSON array of strings');
    return [];
  }

  /** Plain email addresses only: no display names, brackets or quotes, a domain with a dot. */
  emails(key: string): string[] {
    const emails = this.list(key);
    const bad = emails.filter((email) => !isPlainEmail(email));
    for (const email of bad) this.problem(key, email, 'email addresses like worker@example.com, separated by commas');
    const duplicate = emails.find((email, i) => emails.findIndex((e) => e.toLowerCase() === email.toLowerCase()) !== i);
    if (duplicate !== undefined) this.problem(key, duplicate, 'each address once');
    return bad.length === 0 ? emails : [];
  }

  /** Keys that only make sense in another mode are an error, not silently ignored. */
  forbid(keys: readonly string[], because: string): void {
    for (const key of keys) {
      if (this.has(key)) this.problems.push(`${key}: got ${describe(this.lookup(key))}; not allowed ${because}.`);
    }
  }
}

/** The HTML standard's "valid email address", with at least one dot in the domain and at most 254 characters. */
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isPlainEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
