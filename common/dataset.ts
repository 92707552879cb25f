/**
 * The retraining dataset: one JSON Lines object per human loop, written by the collector Lambda and read by the
 * operator CLI's export. Keyed by loop name, so a repeated event rewrites the record instead of adding one.
 */

export const DATASET_SCHEMA_VERSION = 1 as const;

export type Label = string | number;

export interface WorkerAnswer {
  /** A salted hash of the worker id: stable within a pipeline, not the worker's identity. */
  readonly worker: string;
  readonly label: Label;
  readonly timeSpentInSeconds?: number;
  readonly submittedAt?: string;
}

export interface DatasetRecord {
  readonly schemaVersion: typeof DATASET_SCHEMA_VERSION;
  readonly humanLoopName: string;
  readonly flowDefinitionArn: string;
  readonly status: 'Completed' | 'Failed' | 'Stopped';
  readonly failureCode?: string;
  readonly failureReason?: string;
  /** What the reviewers saw (`taskObject`). */
  readonly input: unknown;
  readonly model: { readonly label?: Label; readonly probability?: number; readonly threshold?: number };
  /** Absent for failed and stopped loops. */
  readonly human?: {
    /** The majority label; null when the workers tied. */
    readonly label: Label | null;
    readonly disputed: boolean;
    /** Share of workers who gave the majority label (1 when there is one worker). */
    readonly agreement: number;
    /** Whether the human label differs from the model's; null when disputed. */
    readonly overridesModel: boolean | null;
    readonly answers: readonly WorkerAnswer[];
  };
  readonly createdAt: string;
  /** The last worker's submission time. */
  readonly completedAt?: string;
  readonly collectedAt: string;
}

/** `<prefix>/year=YYYY/month=MM/day=DD/<loop>.jsonl`, partitioned by the loop's creation date (UTC). */
export function datasetKey(prefix: string, humanLoopName: string, createdAt: string): string {
  const date = new Date(createdAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${prefix}/year=${date.getUTCFullYear()}/month=${pad(date.getUTCMonth() + 1)}/day=${pad(date.getUTCDate())}/${humanLoopName}.jsonl`;
}

/** Records fit to train on: completed, and not disputed. */
export function isTrainingRecord(record: DatasetRecord): boolean {
  return (
    record.status === 'Completed' && record.human !== undefined && !record.human.disputed && record.human.label !== null
  );
}
