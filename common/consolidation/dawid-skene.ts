/**
 * Dawid-Skene: labels for items that several workers of unequal skill labeled, and each worker's estimated skill.
 * A. P. Dawid and A. M. Skene (1979), "Maximum Likelihood Estimation of Observer Error-Rates Using the EM Algorithm",
 * Applied Statistics 28(1), 20-28.
 *
 * Items i, workers j, classes k, l in 1..K; n_ijl is how many times worker j gave label l to item i (0 or 1 in a job
 * where a worker answers an item once), n_i = sum_jl n_ijl. Each item has an unknown true class; the model has
 *   class priors        p_k = P(true class = k)
 *   confusion matrices  pi^j_kl = P(worker j answers l | true class k), each row summing to 1,
 * and, workers answering independently given the true class, the likelihood
 *   L = prod_i sum_k p_k prod_j prod_l (pi^j_kl)^n_ijl.
 * EM, started from majority vote's soft counts (as in the paper, section 3):
 *   start   T_ik = sum_j n_ijk / n_i                                       (share of item i's answers saying k)
 *   M-step  pi^j_kl = (a + d [k = l] + sum_i T_ik n_ijl) / (K a + d + sum_i T_ik sum_l' n_ijl')
 *           p_k     = (b + sum_i T_ik) / (K b + I)                          (I items)
 *   E-step  log T_ik = log p_k + sum_j sum_l n_ijl log pi^j_kl - logsumexp_q(log p_q + sum_j sum_l n_ijl log pi^j_ql)
 * until max_ik |T_ik - T'_ik| < tolerance or the iteration limit. a, d and b are Dirichlet pseudo-counts, making each
 * step a MAP step rather than the paper's maximum likelihood. a (Laplace smoothing at 1) keeps a worker with few
 * answers near a uniform confusion matrix instead of a degenerate one with zeros, and log pi finite. d (1) says a
 * worker is likelier right than wrong in any one way: with few items EM cannot tell "class k, workers right" from
 * "class l, workers all wrong alike", and without d a tiny job's posteriors slide to uniform (one item answered "b" by
 * three workers ends at 1/3 each). The E-step is computed in log space (a long row of small probabilities underflows).
 * Per item: the posterior T_i., its argmax as label and its probability as confidence; two classes within
 * `disputeEpsilon` of the top make the item disputed (label null). Per worker: accuracy = sum_k p_k pi^j_kk, the chance
 * the worker is right on an item drawn from the priors.
 * Cost: O(iterations x (observations x K + workers x K^2)). Deterministic: observations are put in one canonical order
 * (floating-point sums included) and there is no randomness, so the same answers in any order give the same result.
 * Pure, no I/O.
 */
import type { Observation } from './observations';
import { canonicalOrder, checkLabels, compareText, labelIndex } from './observations';

export interface DawidSkeneOptions {
  /** The label set: every observation's label is one of these. */
  readonly labels: readonly string[];
  /** EM iterations at most (one M-step and one E-step each); 100 by default. */
  readonly maxIterations?: number;
  /** Converged when no posterior probability moves by this much in an iteration; 1e-6 by default. */
  readonly tolerance?: number;
  /** Dirichlet pseudo-count `a` added to every cell of every worker's confusion matrix; 1 (Laplace) by default. */
  readonly smoothing?: number;
  /** Dirichlet pseudo-count `d` added to the diagonal (right answers) of every confusion matrix; 1 by default. */
  readonly diagonalPrior?: number;
  /** Dirichlet pseudo-count `b` added to every class prior; 1 by default, 0 for the paper's maximum likelihood. */
  readonly priorSmoothing?: number;
  /** An item whose two most probable classes are this close is disputed; 1e-9 by default. */
  readonly disputeEpsilon?: number;
}

export interface ItemLabel {
  readonly itemId: string;
  /** The most probable class; null when disputed. */
  readonly label: string | null;
  /** The most probable class's posterior probability. */
  readonly confidence: number;
  /** Every label's posterior probability (they sum to 1). */
  readonly posterior: Readonly<Record<string, number>>;
  /** Whether two classes tie for the most probable (within the dispute epsilon). */
  readonly disputed: boolean;
  /** How many answers the item had. */
  readonly answers: number;
}

export interface WorkerQuality {
  readonly workerId: string;
  /** Estimated chance of a right answer: sum over classes of prior x the confusion matrix's diagonal. */
  readonly accuracy: number;
  readonly answers: number;
}

export interface DawidSkeneResult {
  /** In item id order (code units). */
  readonly items: readonly ItemLabel[];
  /** In worker id order (code units). */
  readonly workers: readonly WorkerQuality[];
  /** The estimated class priors. */
  readonly classPriors: Readonly<Record<string, number>>;
  readonly iterations: number;
  readonly converged: boolean;
}

const DEFAULTS = {
  maxIterations: 100,
  tolerance: 1e-6,
  smoothing: 1,
  diagonalPrior: 1,
  priorSmoothing: 1,
  disputeEpsilon: 1e-9,
};
type Settings = typeof DEFAULTS;

/** Observations as indices into the item, worker and label lists, in canonical order. */
interface Data {
  readonly labels: readonly string[];
  readonly itemIds: readonly string[];
  readonly workerIds: readonly string[];
  readonly item: Int32Array;
  readonly worker: Int32Array;
  readonly label: Int32Array;
}

/** Class priors and confusion matrices (worker j, true class k, answer l at (j K + k) K + l), with their logs. */
interface Parameters {
  readonly prior: Float64Array;
  readonly logPrior: Float64Array;
  readonly confusion: Float64Array;
  readonly logConfusion: Float64Array;
}

/** Labels, confidence and the workers' estimated accuracies by Dawid-Skene EM; throws on a label outside the set. */
export function dawidSkene(observations: readonly Observation[], options: DawidSkeneOptions): DawidSkeneResult {
  const settings = settingsOf(options);
  const data = indexData(observations, options.labels);
  if (data.item.length === 0) {
    const classPriors = byLabel(data.labels, uniform(data.labels.length));
    return { items: [], workers: [], classPriors, iterations: 0, converged: true };
  }
  const { posterior, parameters, iterations, converged } = expectationMaximisation(data, settings);
  return {
    items: itemLabels(data, posterior, settings.disputeEpsilon),
    workers: workerQualities(data, parameters),
    classPriors: byLabel(data.labels, parameters.prior),
    iterations,
    converged,
  };
}

/** The options with their defaults, checked. */
function settingsOf(options: DawidSkeneOptions): Settings {
  const settings: Settings = {
    maxIterations: options.maxIterations ?? DEFAULTS.maxIterations,
    tolerance: options.tolerance ?? DEFAULTS.tolerance,
    smoothing: options.smoothing ?? DEFAULTS.smoothing,
    diagonalPrior: options.diagonalPrior ?? DEFAULTS.diagonalPrior,
    priorSmoothing: options.priorSmoothing ?? DEFAULTS.priorSmoothing,
    disputeEpsilon: options.disputeEpsilon ?? DEFAULTS.disputeEpsilon,
  };
  checkSettings(settings);
  return settings;
}

/** From majority vote's soft counts, M-step then E-step until the posteriors settle or the iteration limit. */
function expectationMaximisation(
  data: Data,
  settings: Settings,
): { posterior: Float64Array; parameters: Parameters; iterations: number; converged: boolean } {
  let posterior = softVotes(data);
  let parameters: Parameters;
  let iterations = 0;
  let converged: boolean;
  do {
    parameters = maximise(data, posterior, settings);
    const next = expect(data, parameters);
    converged = largestChange(posterior, next) < settings.tolerance;
    posterior = next;
    iterations += 1;
  } while (iterations < settings.maxIterations && !converged);
  return { posterior, parameters, iterations, converged };
}

function checkSettings(settings: Settings): void {
  const { maxIterations, tolerance, smoothing, diagonalPrior, priorSmoothing, disputeEpsilon } = settings;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new Error('maxIterations is an integer from 1');
  if (!(smoothing > 0) || !Number.isFinite(smoothing)) throw new Error('smoothing is a finite number above 0');
  for (const [name, value] of Object.entries({ tolerance, diagonalPrior, priorSmoothing, disputeEpsilon })) {
    if (!(value >= 0) || !Number.isFinite(value)) throw new Error(`${name} is a finite number from 0`);
  }
}

/** Checks the labels, then numbers items and workers in id order and the observations in canonical order. */
function indexData(observations: readonly Observation[], labels: readonly string[]): Data {
  const labelOf = labelIndex(labels);
  checkLabels(observations, labelOf);
  const sorted = canonicalOrder(observations);
  const itemIds = [...new Set(sorted.map((o) => o.itemId))];
  const workerIds = [...new Set(sorted.map((o) => o.workerId))].sort(compareText);
  const itemOf = new Map(itemIds.map((id, i) => [id, i]));
  const workerOf = new Map(workerIds.map((id, j) => [id, j]));
  return {
    labels: [...labels],
    itemIds,
    workerIds,
    item: Int32Array.from(sorted, (o) => itemOf.get(o.itemId) ?? -1),
    worker: Int32Array.from(sorted, (o) => workerOf.get(o.workerId) ?? -1),
    label: Int32Array.from(sorted, (o) => labelOf.get(o.label) ?? -1),
  };
}

/** The start: each item's share of answers per class (majority vote's soft counts). */
function softVotes(data: Data): Float64Array {
  const classes = data.labels.length;
  const votes = new Float64Array(data.itemIds.length * classes);
  const answers = new Float64Array(data.itemIds.length);
  for (let n = 0; n < data.item.length; n++) {
    votes[data.item[n] * classes + data.label[n]] += 1;
    answers[data.item[n]] += 1;
  }
  for (let i = 0; i < votes.length; i++) votes[i] /= answers[Math.floor(i / classes)];
  return votes;
}

/** M-step: smoothed class priors and confusion matrices from the posteriors. */
function maximise(data: Data, posterior: Float64Array, settings: Settings): Parameters {
  const { smoothing, diagonalPrior, priorSmoothing } = settings;
  const classes = data.labels.length;
  const items = data.itemIds.length;
  const prior = new Float64Array(classes).fill(priorSmoothing);
  for (let i = 0; i < items; i++) for (let k = 0; k < classes; k++) prior[k] += posterior[i * classes + k];
  for (let k = 0; k < classes; k++) prior[k] /= classes * priorSmoothing + items;
  const confusion = new Float64Array(data.workerIds.length * classes * classes).fill(smoothing);
  for (let matrix = 0; matrix < confusion.length; matrix += classes * classes) {
    for (let k = 0; k < classes; k++) confusion[matrix + k * (classes + 1)] += diagonalPrior;
  }
  for (let n = 0; n < data.item.length; n++) {
    const row = data.worker[n] * classes * classes + data.label[n];
    for (let k = 0; k < classes; k++) confusion[row + k * classes] += posterior[data.item[n] * classes + k];
  }
  for (let row = 0; row < confusion.length; row += classes) normalise(confusion, row, classes);
  return { prior, logPrior: prior.map(Math.log), confusion, logConfusion: confusion.map(Math.log) };
}

/** Divides `length` values from `start` by their sum. */
function normalise(values: Float64Array, start: number, length: number): void {
  let sum = 0;
  for (let k = start; k < start + length; k++) sum += values[k];
  for (let k = start; k < start + length; k++) values[k] /= sum;
}

/** E-step: each item's posterior over classes, in log space, normalised by log-sum-exp. */
function expect(data: Data, parameters: Parameters): Float64Array {
  const classes = data.labels.length;
  const logs = new Float64Array(data.itemIds.length * classes);
  for (let i = 0; i < data.itemIds.length; i++) logs.set(parameters.logPrior, i * classes);
  for (let n = 0; n < data.item.length; n++) {
    const row = data.worker[n] * classes * classes + data.label[n];
    const at = data.item[n] * classes;
    for (let k = 0; k < classes; k++) logs[at + k] += parameters.logConfusion[row + k * classes];
  }
  for (let at = 0; at < logs.length; at += classes) softmax(logs, at, classes);
  return logs;
}

/** Turns `length` log-weights from `start` into probabilities, in place, without overflow or underflow to all 0. */
function softmax(values: Float64Array, start: number, length: number): void {
  let max = -Infinity;
  for (let k = start; k < start + length; k++) max = Math.max(max, values[k]);
  for (let k = start; k < start + length; k++) values[k] = Math.exp(values[k] - max);
  normalise(values, start, length);
}

function largestChange(before: Float64Array, after: Float64Array): number {
  let largest = 0;
  for (let n = 0; n < before.length; n++) largest = Math.max(largest, Math.abs(after[n] - before[n]));
  return largest;
}

function itemLabels(data: Data, posterior: Float64Array, disputeEpsilon: number): ItemLabel[] {
  const classes = data.labels.length;
  const answers = new Int32Array(data.itemIds.length);
  for (const i of data.item) answers[i] += 1;
  return data.itemIds.map((itemId, i) => {
    const probabilities = posterior.subarray(i * classes, (i + 1) * classes);
    const { best, confidence, disputed } = leader(probabilities, disputeEpsilon);
    return {
      itemId,
      label: disputed ? null : data.labels[best],
      confidence,
      posterior: byLabel(data.labels, probabilities),
      disputed,
      answers: answers[i],
    };
  });
}

/** The most probable class (the first in label order among equals), and whether another is within epsilon of it. */
function leader(
  probabilities: ArrayLike<number>,
  disputeEpsilon: number,
): { best: number; confidence: number; disputed: boolean } {
  let best = 0;
  for (let k = 1; k < probabilities.length; k++) if (probabilities[k] > probabilities[best]) best = k;
  const confidence = probabilities[best];
  let disputed = false;
  for (let k = 0; k < probabilities.length; k++) {
    if (k !== best && confidence - probabilities[k] <= disputeEpsilon) disputed = true;
  }
  return { best, confidence, disputed };
}

function workerQualities(data: Data, parameters: Parameters): WorkerQuality[] {
  const classes = data.labels.length;
  const answers = new Int32Array(data.workerIds.length);
  for (const j of data.worker) answers[j] += 1;
  return data.workerIds.map((workerId, j) => {
    let accuracy = 0;
    for (let k = 0; k < classes; k++) {
      accuracy += parameters.prior[k] * parameters.confusion[(j * classes + k) * classes + k];
    }
    return { workerId, accuracy, answers: answers[j] };
  });
}

function uniform(classes: number): Float64Array {
  return new Float64Array(classes).fill(1 / classes);
}

/** `{label: value}` in label-set order. */
export function byLabel(labels: readonly string[], values: ArrayLike<number>): Record<string, number> {
  return Object.fromEntries(labels.map((label, k) => [label, values[k]]));
}
