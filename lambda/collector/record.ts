/** A dataset record from a loop's review-ended event and, when completed, its output.json. Pure. */
import { majorityVote } from '../../common/consolidation/majority';
import type { DatasetRecord, Label } from '../../common/dataset';
import { DATASET_SCHEMA_VERSION } from '../../common/dataset';
import type { LabelSet } from '../../common/label-set';
import { asLabelSet, inLabelSet } from '../../common/label-set';
import type { ReviewEnded } from '../shared/review/ended-event';
import type { ReviewOutput } from '../shared/review/output';
import { answerLabel, hashWorkerId, inModelType } from './consolidate';

/** An invalid answer is kept for inspection, cut to this many characters (it may be anything a form can post). */
const INVALID_LABEL_MAX_LENGTH = 200;

export function buildRecord(
  loop: ReviewEnded,
  output: ReviewOutput | undefined,
  salt: string,
  now: Date,
  labelSet?: LabelSet,
): DatasetRecord {
  const input = output?.inputContent ?? {};
  const modelLabel = label(input.initialValue);
  // The loop's own template's labels when it carried them (a loop may outlive a template change).
  const labels = asLabelSet(input.labelSet) ?? labelSet;
  const base: DatasetRecord = {
    schemaVersion: DATASET_SCHEMA_VERSION,
    humanLoopName: loop.humanLoopName,
    flowDefinitionArn: loop.flowDefinitionArn,
    status: loop.humanLoopStatus,
    failureCode: loop.failureCode || undefined,
    failureReason: loop.failureReason || undefined,
    input: input.taskObject,
    model: { label: modelLabel, probability: number(input.modelProbability), threshold: number(input.threshold) },
    createdAt: new Date(loop.creationTime).toISOString(),
    collectedAt: now.toISOString(),
  };
  if (loop.humanLoopStatus !== 'Completed' || output === undefined) return base;

  const answers = output.humanAnswers.map((answer) => {
    const given = answerLabel(answer.answerContent, labels?.field);
    const valid = labels === undefined || inLabelSet(labels, given);
    return {
      worker: hashWorkerId(answer.workerId ?? 'unknown', salt),
      label: valid ? inModelType(given, modelLabel) : given.slice(0, INVALID_LABEL_MAX_LENGTH),
      valid,
      timeSpentInSeconds: answer.timeSpentInSeconds,
      submittedAt: answer.submissionTime,
    };
  });
  const validAnswers = answers.filter((answer) => answer.valid);
  const vote = majorityVote(validAnswers.map((answer) => String(answer.label)));
  const humanLabel = vote.label === null ? null : inModelType(vote.label, modelLabel);
  const submissions = answers
    .map((answer) => answer.submittedAt)
    .filter((t): t is string => t !== undefined)
    .sort();
  return {
    ...base,
    human: {
      label: humanLabel,
      disputed: validAnswers.length > 0 && vote.disputed,
      agreement: vote.agreement,
      invalidAnswers: answers.length - validAnswers.length,
      overridesModel:
        humanLabel === null || modelLabel === undefined ? null : String(humanLabel) !== String(modelLabel),
      answers,
    },
    completedAt: submissions.at(-1),
  };
}

function label(value: unknown): Label | undefined {
  return typeof value === 'string' || typeof value === 'number' ? value : undefined;
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
