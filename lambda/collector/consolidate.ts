/** Turning the workers' answers into one label: pure functions, no I/O. */
import { createHash } from 'node:crypto';
import type { Label } from '../../common/dataset';
import { stableStringify } from '../../common/names';

/**
 * The label in one worker's answerContent. A classifier answers `{name: {label}}`: with the template known, `field`
 * names it and only that field counts. Otherwise a single classifier or text field (`{name: "text"}`) gives its value,
 * and anything else (several fields, multi-select) is taken whole, serialized with sorted keys so equal answers compare
 * equal.
 */
export function answerLabel(answerContent: Readonly<Record<string, unknown>>, field?: string): string {
  const values = field === undefined ? Object.values(answerContent) : [answerContent[field]];
  return (values.length === 1 ? labelOf(values[0]) : undefined) ?? stableStringify(answerContent);
}

function labelOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { label?: unknown }).label === 'string') {
    return (value as { label: string }).label;
  }
  return undefined;
}

/** A label in the model's type: "-1" becomes -1 when the model speaks numbers. */
export function inModelType(label: string, modelLabel: Label | undefined): Label {
  if (typeof modelLabel === 'number' && label.trim() !== '' && Number.isFinite(Number(label))) return Number(label);
  return label;
}

export interface Consolidated {
  readonly label: string | null;
  readonly disputed: boolean;
  readonly agreement: number;
}

/** Majority vote. A tie for the most votes is disputed: no label. */
export function consolidate(labels: readonly string[]): Consolidated {
  if (labels.length === 0) return { label: null, disputed: true, agreement: 0 };
  const votes = new Map<string, number>();
  for (const label of labels) votes.set(label, (votes.get(label) ?? 0) + 1);
  const top = Math.max(...votes.values());
  const leaders = [...votes].filter(([, count]) => count === top).map(([label]) => label);
  const agreement = top / labels.length;
  return leaders.length === 1
    ? { label: leaders[0], disputed: false, agreement }
    : { label: null, disputed: true, agreement };
}

export function hashWorkerId(workerId: string, salt: string): string {
  return createHash('sha256').update(`${salt}:${workerId}`).digest('hex').slice(0, 16);
}
