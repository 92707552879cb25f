import { datasetKey, isTrainingRecord } from '../../../common/dataset';
import { hashWorkerId } from '../../../lambda/collector/consolidate';
import { buildRecord } from '../../../lambda/collector/record';

describe('records', () => {
  const loop = {
    humanLoopName: 'order-7-3f1c0a9b2d4e',
    flowDefinitionArn: 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/sentiment-review-0a1b2c3d',
    humanLoopStatus: 'Completed' as const,
    creationTime: '2026-11-21T10:00:00.000Z',
  };
  const answer = (label: string, workerId: string, submissionTime: string) => ({
    answerContent: { sentiment: { label } },
    workerId,
    submissionTime,
    timeSpentInSeconds: 12,
  });
  const output = (...answers: { answerContent: Record<string, unknown> }[]) => ({
    inputContent: {
      initialValue: -1,
      taskObject: 'I am unhappy with this product',
      modelProbability: 0.634,
      threshold: 0.9,
    },
    humanAnswers: answers,
  });
  const now = new Date('2026-11-21T12:00:00Z');

  test('a completed loop: input, model label and probability, threshold, human label, answers, agreement, override, times', () => {
    const record = buildRecord(loop, output(answer('0', 'w1', '2026-11-21T10:05:00Z')), 'salt', now);

    expect(record).toEqual({
      schemaVersion: 2,
      humanLoopName: loop.humanLoopName,
      flowDefinitionArn: loop.flowDefinitionArn,
      status: 'Completed',
      input: 'I am unhappy with this product',
      model: { label: -1, probability: 0.634, threshold: 0.9 },
      human: {
        label: 0,
        disputed: false,
        agreement: 1,
        overridesModel: true,
        invalidAnswers: 0,
        answers: [
          {
            worker: hashWorkerId('w1', 'salt'),
            label: 0,
            valid: true,
            timeSpentInSeconds: 12,
            submittedAt: '2026-11-21T10:05:00Z',
          },
        ],
      },
      createdAt: '2026-11-21T10:00:00.000Z',
      completedAt: '2026-11-21T10:05:00Z',
      collectedAt: '2026-11-21T12:00:00.000Z',
    });
    expect(isTrainingRecord(record)).toBe(true);
  });

  test('a confirmed label does not override the model', () => {
    const record = buildRecord(loop, output(answer('-1', 'w1', '2026-11-21T10:05:00Z')), 'salt', now);
    expect(record.human?.overridesModel).toBe(false);
  });

  test('TaskCount 3 with a tie: disputed, no label, kept out of training', () => {
    const record = buildRecord(
      loop,
      output(
        answer('1', 'w1', '2026-11-21T10:01:00Z'),
        answer('0', 'w2', '2026-11-21T10:03:00Z'),
        answer('-1', 'w3', '2026-11-21T10:02:00Z'),
      ),
      'salt',
      now,
    );
    expect(record.human).toMatchObject({ label: null, disputed: true, overridesModel: null });
    expect(record.completedAt).toBe('2026-11-21T10:03:00Z');
    expect(isTrainingRecord(record)).toBe(false);
  });

  const sentiment = { field: 'sentiment', labels: ['-1', '0', '1'] };

  test.each([
    ['a label the template does not offer', 'banana'],
    ['markup posted instead of a label', '<img src=x onerror=alert(1)>'],
  ])('%s is recorded as an invalid answer and the record is never training data', (_, given) => {
    const record = buildRecord(loop, output(answer(given, 'w1', '2026-11-21T10:05:00Z')), 'salt', now, sentiment);
    expect(record.human).toMatchObject({
      label: null,
      disputed: false,
      invalidAnswers: 1,
      answers: [{ label: given, valid: false }],
    });
    expect(isTrainingRecord(record)).toBe(false);
  });

  test('with TaskCount 3, the valid answers vote; one invalid answer keeps the record out of training', () => {
    const record = buildRecord(
      loop,
      output(
        answer('1', 'w1', '2026-11-21T10:01:00Z'),
        answer('1', 'w2', '2026-11-21T10:02:00Z'),
        answer('x'.repeat(500), 'w3', '2026-11-21T10:03:00Z'),
      ),
      'salt',
      now,
      sentiment,
    );
    expect(record.human).toMatchObject({ label: 1, disputed: false, agreement: 1, invalidAnswers: 1 });
    expect(record.human?.answers[2].label).toBe('x'.repeat(200));
    expect(isTrainingRecord(record)).toBe(false);
  });

  test("a loop that outlived a template change is checked against its own template's labels, carried in its input", () => {
    const old = {
      ...output({ ...answer('x', 'w1', '2026-11-21T10:01:00Z'), answerContent: { mood: { label: 'happy' } } }),
    };
    const carried = {
      ...old,
      inputContent: { ...old.inputContent, labelSet: { field: 'mood', labels: ['happy', 'sad'] } },
    };
    expect(buildRecord(loop, carried, 'salt', now, sentiment).human).toMatchObject({
      label: 'happy',
      invalidAnswers: 0,
    });
    expect(buildRecord(loop, old, 'salt', now, sentiment).human?.invalidAnswers).toBe(1);
  });

  test('an answer in another field than the classifier is invalid', () => {
    const other = { ...answer('1', 'w1', '2026-11-21T10:01:00Z'), answerContent: { comment: '1' } };
    const record = buildRecord(loop, output(other), 'salt', now, sentiment);
    expect(record.human?.invalidAnswers).toBe(1);
  });

  test('a failed loop keeps its failure code and has no human part', () => {
    const record = buildRecord(
      { ...loop, humanLoopStatus: 'Failed', failureCode: 'Expired', failureReason: 'No worker' },
      undefined,
      'salt',
      now,
    );
    expect(record).toMatchObject({ status: 'Failed', failureCode: 'Expired', failureReason: 'No worker' });
    expect(record.human).toBeUndefined();
    expect(isTrainingRecord(record)).toBe(false);
  });

  test('the dataset key is partitioned by the loop creation date and named after the loop', () => {
    expect(datasetKey('dataset', 'order-7-abc', '2026-01-05T23:59:59Z')).toBe(
      'dataset/year=2026/month=01/day=05/order-7-abc.jsonl',
    );
  });
});
