/** Summaries of repeated measurements, and the Markdown they are reported in. */

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('No measurements');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

/** The value at a fraction (0-1) of the sorted values, nearest rank. */
export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

/** `median (min-max)` with the unit. */
export function spread(summary: Summary, unit: string, digits = 0): string {
  const f = (value: number) => value.toFixed(digits);
  return `${f(summary.median)} ${unit} (${f(summary.min)}-${f(summary.max)})`;
}

export function ratio(value: number, baseline: number): string {
  return `${(value / baseline).toFixed(2)}x`;
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Runs each way once per round, in an order that rotates, so every way sees the same machine state. */
export async function alternate<K extends string>(
  ways: Readonly<Record<K, (round: number) => Promise<number>>>,
  rounds: number,
  progress: (message: string) => void,
): Promise<Record<K, number[]>> {
  const names = Object.keys(ways) as K[];
  const results = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (const name of names) await ways[name](-1); // warm-up: module load, first connections, JIT
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length];
      results[name].push(await ways[name](round));
    }
    progress(`round ${round + 1}/${rounds}`);
  }
  return results;
}

/** The ratios of two ways' measurements of the same round, summarized: the machine's drift cancels in each pair. */
export function pairedRatios(values: readonly number[], baseline: readonly number[]): Summary {
  if (values.length !== baseline.length) throw new Error('Paired measurements need one of each per round');
  return summarize(values.map((value, i) => value / baseline[i]));
}

/** A target of the issue that set them, as measured by this run. */
export interface Target {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export function target(name: string, goal: string, measured: string, met: boolean): Target {
  return { name, target: goal, measured, met };
}
