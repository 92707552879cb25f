/**
 * Consolidation of a review job's answers: one label per item from several workers' labels. Majority vote when no item
 * has two workers (nothing to learn the workers' skill from) or when the job asks for it; Dawid-Skene otherwise, which
 * weighs each worker by an estimated confusion matrix. Both give the same shape, naming the method that produced each
 * label. Pure, no I/O: shared by the CLI and the Lambdas that run review jobs.
 */
import type { DawidSkeneOptions, ItemLabel, WorkerQuality } from './dawid-skene';
import { byLabel, dawidSkene } from './dawid-skene';
import { majorityVote } from './majority';
import type { Observation } from './observations';
import { canonicalOrder, checkLabels, compareText, groupByItem, labelIndex } from './observations';

export type { Observation } from './observations';

export const CONSOLIDATION_METHODS = ['majority', 'dawid-skene'] as const;
export type ConsolidationMethod = (typeof CONSOLIDATION_METHODS)[number];

export interface ConsolidationOptions extends DawidSkeneOptions {
  /** 'auto' by default: majority when every item has at most one worker, Dawid-Skene otherwise. */
  readonly method?: ConsolidationMethod | 'auto';
}

export interface ConsolidatedItem extends ItemLabel {
  readonly method: ConsolidationMethod;
}

export interface WorkerSummary extends Omit<WorkerQuality, 'accuracy'> {
  /** Dawid-Skene's estimate; null under majority vote, which does not model workers. */
  readonly accuracy: number | null;
}

export interface Consolidation {
  readonly method: ConsolidationMethod;
  /** In item id order (code units). */
  readonly items: readonly ConsolidatedItem[];
  /** In worker id order (code units). */
  readonly workers: readonly WorkerSummary[];
  /** Dawid-Skene's EM iterations; 0 under majority vote. */
  readonly iterations: number;
  readonly converged: boolean;
}

/** One label per item, by the method the options and the data call for; throws on a label outside the set. */
export function consolidate(observations: readonly Observation[], options: ConsolidationOptions): Consolidation {
  const method = chooseMethod(observations, options.method ?? 'auto');
  if (method === 'majority') return byMajority(observations, options.labels);
  const result = dawidSkene(observations, options);
  return {
    method,
    items: result.items.map((item) => ({ ...item, method })),
    workers: result.workers,
    iterations: result.iterations,
    converged: result.converged,
  };
}

/** Majority when asked, or when no item has answers from two different workers. */
export function chooseMethod(
  observations: readonly Observation[],
  requested: ConsolidationMethod | 'auto',
): ConsolidationMethod {
  if (requested !== 'auto') return requested;
  const workerOf = new Map<string, string>();
  for (const { itemId, workerId } of observations) {
    const first = workerOf.get(itemId);
    if (first === undefined) workerOf.set(itemId, workerId);
    else if (first !== workerId) return 'dawid-skene';
  }
  return 'majority';
}

/** Each item's majority vote; its posterior is the share of its answers per label, its confidence the agreement. */
function byMajority(observations: readonly Observation[], labels: readonly string[]): Consolidation {
  checkLabels(observations, labelIndex(labels));
  const sorted = canonicalOrder(observations);
  const items = groupByItem(sorted).map(({ itemId, observations: answers }): ConsolidatedItem => {
    const vote = majorityVote(answers.map((answer) => answer.label));
    const shares = labels.map((label) => answers.filter((answer) => answer.label === label).length / answers.length);
    return {
      itemId,
      label: vote.label,
      confidence: vote.agreement,
      posterior: byLabel(labels, shares),
      disputed: vote.disputed,
      answers: answers.length,
      method: 'majority',
    };
  });
  return { method: 'majority', items, workers: answerCounts(sorted), iterations: 0, converged: true };
}

function answerCounts(observations: readonly Observation[]): WorkerSummary[] {
  const counts = new Map<string, number>();
  for (const { workerId } of observations) counts.set(workerId, (counts.get(workerId) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => compareText(a, b))
    .map(([workerId, answers]) => ({ workerId, accuracy: null, answers }));
}
