/**
 * Majority vote over one item's answers: the most frequent label, a tie for the most votes reported as disputed, and
 * the share of the answers that gave the leading label as agreement. Pure, no I/O: shared by the collector Lambda (one
 * human loop at a time) and by review jobs that consolidate many items at once (see consolidate.ts).
 */

export interface MajorityVote {
  /** The label with the most votes; null when several tie for the most, or when there is no vote. */
  readonly label: string | null;
  readonly disputed: boolean;
  /** Share of the votes that gave the leading label (1 for a single vote, 0 for none). */
  readonly agreement: number;
}

/** Majority vote. A tie for the most votes is disputed: no label. */
export function majorityVote(labels: readonly string[]): MajorityVote {
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
