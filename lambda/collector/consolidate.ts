/**
 * Reading the workers' answers for the collector: the label in an A2I answer, in the model's type, and the salted
 * worker hash. Pure functions, no I/O. The vote itself is common/consolidation/majority.ts, shared with review jobs.
 */
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

export function hashWorkerId(workerId: string, salt: string): string {
  return createHash('sha256').update(`${salt}:${workerId}`).digest('hex').slice(0, 16);
}
