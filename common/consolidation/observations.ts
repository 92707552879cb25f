/**
 * The input of every consolidation method: one worker's label for one item. Checked against the job's label set, and
 * put in one canonical order so that a result never depends on the order the answers arrived in (floating-point sums
 * included). Pure, no I/O.
 */

/** One worker's label for one item. A worker answering an item twice counts twice. */
export interface Observation {
  readonly itemId: string;
  readonly workerId: string;
  readonly label: string;
}

/** Each label's position in the label set; throws on an empty set or a repeated label. */
export function labelIndex(labels: readonly string[]): ReadonlyMap<string, number> {
  if (labels.length === 0) throw new Error('The label set is empty: consolidation needs the labels the task offers');
  const index = new Map<string, number>();
  for (const label of labels) {
    if (typeof label !== 'string') throw new Error(`Labels are strings; the label set has ${JSON.stringify(label)}`);
    if (index.has(label)) throw new Error(`The label set repeats ${JSON.stringify(label)}`);
    index.set(label, index.size);
  }
  return index;
}

/** Throws, naming the item, the worker and the label set, when an observation's label is not one of the labels. */
export function checkLabels(observations: readonly Observation[], index: ReadonlyMap<string, number>): void {
  for (const { itemId, workerId, label } of observations) {
    if (!index.has(label)) {
      throw new Error(
        `Unknown label ${JSON.stringify(label)} from worker ${JSON.stringify(workerId)} on item ` +
          `${JSON.stringify(itemId)}: the label set is ${JSON.stringify([...index.keys()])}`,
      );
    }
  }
}

/** Code-unit order, not the locale's: the same on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A sorted copy, by item, then worker, then label. */
export function canonicalOrder(observations: readonly Observation[]): Observation[] {
  return [...observations].sort(
    (a, b) => compareText(a.itemId, b.itemId) || compareText(a.workerId, b.workerId) || compareText(a.label, b.label),
  );
}

/** One item's observations. */
export interface ItemObservations {
  readonly itemId: string;
  readonly observations: readonly Observation[];
}

/** Observations in canonical order, grouped by item (items in canonical order). */
export function groupByItem(sorted: readonly Observation[]): ItemObservations[] {
  const groups: { itemId: string; observations: Observation[] }[] = [];
  for (const observation of sorted) {
    const last = groups.at(-1);
    if (last !== undefined && last.itemId === observation.itemId) last.observations.push(observation);
    else groups.push({ itemId: observation.itemId, observations: [observation] });
  }
  return groups;
}
