/**
 * The retraining dataset: one JSON Lines object per human loop, written by the collector Lambda and read by the
 * operator CLI's export. Keyed by loop name, so a repeated event rewrites the record instead of adding one.
 */

/** 2: answers carry `valid`, and `human.invalidAnswers` counts answers outside the template's label set. */
export const DATASET_SCHEMA_VERSION = 2 as const;

export type Label = string | number;

export interface WorkerAnswer {
  /** A salted hash of the worker id: stable within a pipeline, not the worker's identity. */
  readonly worker: string;
  /** What the worker gave (cut to 200 characters when it is not one of the labels). */
  readonly label: Label;
  /** Whether the label is one the task template offers (true when the deployment knows no label set). */
  readonly valid: boolean;
  readonly timeSpentInSeconds?: number;
  readonly submittedAt?: string;
}

export interface DatasetRecord {
  readonly schemaVersion: 1 | typeof DATASET_SCHEMA_VERSION;
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
    /** The majority of the valid answers; null when they tied or there is none. */
    readonly label: Label | null;
    readonly disputed: boolean;
    /** Share of the valid answers that gave the majority label (1 when there is one worker). */
    readonly agreement: number;
    /** Answers outside the template's label set: a bypassed or broken task form. Absent in schema version 1. */
    readonly invalidAnswers?: number;
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

/** Records fit to train on: completed, not disputed, and every answer one of the template's labels. */
export function isTrainingRecord(record: DatasetRecord): boolean {
  return (
    record.status === 'Completed' &&
    record.human !== undefined &&
    !record.human.disputed &&
    record.human.label !== null &&
    (record.human.invalidAnswers ?? 0) === 0
  );
}
