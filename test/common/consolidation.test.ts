import { mulberry32 } from '../../common/seeded-random';
/**
 * Consolidation of several workers' labels, without mocks: majority vote (as the collector uses it), Dawid-Skene on a
 * synthetic crowd whose workers' accuracies are known, small cases checked by hand, and properties of both methods.
 */
import * as fc from 'fast-check';
import type { Consolidation, Observation } from '../../common/consolidation/consolidate';
import { chooseMethod, consolidate } from '../../common/consolidation/consolidate';
import { dawidSkene } from '../../common/consolidation/dawid-skene';
import { majorityVote } from '../../common/consolidation/majority';

describe('majority vote', () => {
  test('one worker: their label, full agreement', () => {
    expect(majorityVote(['-1'])).toEqual({ label: '-1', disputed: false, agreement: 1 });
  });

  test('majority of three', () => {
    expect(majorityVote(['1', '0', '1'])).toEqual({ label: '1', disputed: false, agreement: 2 / 3 });
  });

  test('a three-way tie is disputed', () => {
    expect(majorityVote(['1', '0', '-1'])).toEqual({ label: null, disputed: true, agreement: 1 / 3 });
  });

  test('a two-way tie is disputed', () => {
    expect(majorityVote(['1', '0'])).toEqual({ label: null, disputed: true, agreement: 0.5 });
  });

  test('no vote: disputed, no agreement', () => {
    expect(majorityVote([])).toEqual({ label: null, disputed: true, agreement: 0 });
  });
});

interface Crowd {
  readonly observations: Observation[];
  readonly truth: ReadonlyMap<string, string>;
  /** Each worker's share of right answers in the data drawn (the estimator's target, free of sampling noise). */
  readonly accuracyInData: ReadonlyMap<string, number>;
}

/**
 * Items with a uniform true class, each labeled by 3 to 5 distinct workers drawn at random; a worker gives the true
 * class with its accuracy, and otherwise one of the other classes, uniformly.
 */
function syntheticCrowd(seed: number, items: number, accuracies: readonly number[], labels: readonly string[]): Crowd {
  const random = mulberry32(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const observations: Observation[] = [];
  const truth = new Map<string, string>();
  const right = accuracies.map(() => 0);
  const given = accuracies.map(() => 0);
  for (let i = 0; i < items; i++) {
    const itemId = `item-${i}`;
    const trueClass = pick(labels.length);
    truth.set(itemId, labels[trueClass]);
    const workers = accuracies.map((_, j) => j);
    for (let n = workers.length - 1; n > 0; n--) {
      const m = pick(n + 1);
      [workers[n], workers[m]] = [workers[m], workers[n]];
    }
    for (const j of workers.slice(0, 3 + pick(3))) {
      const answer = random() < accuracies[j] ? trueClass : (trueClass + 1 + pick(labels.length - 1)) % labels.length;
      observations.push({ itemId, workerId: `worker-${j}`, label: labels[answer] });
      given[j] += 1;
      if (answer === trueClass) right[j] += 1;
    }
  }
  const accuracyInData = new Map(accuracies.map((_, j) => [`worker-${j}`, right[j] / given[j]]));
  return { observations, truth, accuracyInData };
}

/** Share of items labeled right; a tie among t leaders counts 1/t when the truth is one of them (a random pick). */
function labelAccuracy(result: Consolidation, truth: ReadonlyMap<string, string>): number {
  let right = 0;
  for (const item of result.items) {
    const leaders = Object.keys(item.posterior).filter((label) => item.posterior[label] === item.confidence);
    const answer = item.disputed ? leaders : [item.label];
    if (answer.includes(truth.get(item.itemId) ?? '')) right += 1 / answer.length;
  }
  return right / result.items.length;
}

describe('Dawid-Skene on a synthetic crowd', () => {
  // 3 classes, so chance is 1/3: the worst worker is barely better than a coin, the next two worse than the rest.
  const accuracies = [0.95, 0.9, 0.8, 0.7, 0.6, 0.45, 0.35];
  const labels = ['cat', 'dog', 'fox'];
  // 600 items (about 340 answers a worker): with 300, a worker's own accuracy in the data strays from the one it was
  // drawn with by 0.035 (one standard error), and all seven within 0.07 held for under half of the seeds tried.
  const crowd = syntheticCrowd(1979, 600, accuracies, labels);
  const result = consolidate(crowd.observations, { labels });

  test('uses Dawid-Skene and converges', () => {
    expect(result.method).toBe('dawid-skene');
    expect(result.converged).toBe(true);
    expect(result.iterations).toBeLessThan(100);
    expect(result.items).toHaveLength(600);
  });

  test("estimates each worker's accuracy within 0.07 of its accuracy in the data, 0.1 of the one drawn with", () => {
    expect(result.workers.map((worker) => worker.workerId)).toEqual(accuracies.map((_, j) => `worker-${j}`));
    result.workers.forEach((worker, j) => {
      expect(worker.accuracy).not.toBeNull();
      expect(Math.abs((worker.accuracy ?? 0) - (crowd.accuracyInData.get(worker.workerId) ?? 0))).toBeLessThan(0.07);
      expect(Math.abs((worker.accuracy ?? 0) - accuracies[j])).toBeLessThan(0.1);
    });
  });

  test('labels more items right than majority vote', () => {
    const majority = consolidate(crowd.observations, { labels, method: 'majority' });
    const dsAccuracy = labelAccuracy(result, crowd.truth);
    const majorityAccuracy = labelAccuracy(majority, crowd.truth);
    expect(dsAccuracy).toBeGreaterThan(0.87);
    expect(majorityAccuracy).toBeLessThan(0.88);
    expect(dsAccuracy).toBeGreaterThan(majorityAccuracy + 0.03);
  });
});

describe('Dawid-Skene, small cases', () => {
  const labels = ['a', 'b', 'c'];
  const answers = (itemId: string, byWorker: Record<string, string>): Observation[] =>
    Object.entries(byWorker).map(([workerId, label]) => ({ itemId, workerId, label }));
  /** Ten items where the good workers agree and `bad` answers otherwise on all but two. */
  const calibration = [...Array(10).keys()].flatMap((i) => {
    const truth = labels[i % 3];
    const wrong = i < 2 ? truth : labels[(i + 1) % 3];
    return answers(`calibration-${i}`, { good1: truth, good2: truth, bad: wrong });
  });
  const item = (result: Consolidation, itemId: string) => result.items.find((found) => found.itemId === itemId);

  test('unanimous: the label, confidently', () => {
    const result = consolidate(answers('x', { w1: 'b', w2: 'b', w3: 'b' }), { labels });
    expect(result.method).toBe('dawid-skene');
    expect(result.items).toEqual([
      expect.objectContaining({ itemId: 'x', label: 'b', disputed: false, answers: 3, method: 'dawid-skene' }),
    ]);
    expect(result.items[0].confidence).toBeGreaterThan(0.9);
  });

  test('a dissenting low-quality worker is outvoted', () => {
    const result = consolidate([...calibration, ...answers('x', { good1: 'c', good2: 'c', bad: 'a' })], { labels });
    expect(item(result, 'x')).toMatchObject({ label: 'c', disputed: false });
    expect(item(result, 'x')?.confidence).toBeGreaterThan(0.95);
    const accuracy = Object.fromEntries(result.workers.map((worker) => [worker.workerId, worker.accuracy ?? 0]));
    expect(accuracy.bad).toBeLessThan(accuracy.good1);
  });

  test("a tie is broken by the workers' quality", () => {
    const observations = [...calibration, ...answers('x', { good1: 'b', bad: 'c' })];
    expect(item(consolidate(observations, { labels, method: 'majority' }), 'x')).toMatchObject({
      label: null,
      disputed: true,
      confidence: 0.5,
      method: 'majority',
    });
    expect(item(consolidate(observations, { labels }), 'x')).toMatchObject({
      label: 'b',
      disputed: false,
      method: 'dawid-skene',
    });
  });

  test('an exact tie between equals stays disputed', () => {
    const result = dawidSkene(answers('x', { w1: 'a', w2: 'b' }), { labels: ['a', 'b'] });
    expect(result.items[0]).toMatchObject({ label: null, disputed: true, confidence: 0.5 });
  });

  test('a single answer still gets a label', () => {
    const result = consolidate([...calibration, ...answers('x', { good1: 'a' })], { labels });
    expect(item(result, 'x')).toMatchObject({ label: 'a', disputed: false, answers: 1, method: 'dawid-skene' });
  });

  test('when every item has one worker, majority vote: each label as given', () => {
    const observations = [...answers('x', { w1: 'a' }), ...answers('y', { w2: 'c' }), ...answers('y', { w2: 'c' })];
    const result = consolidate(observations, { labels });
    expect(result).toEqual({
      method: 'majority',
      items: [
        {
          itemId: 'x',
          label: 'a',
          confidence: 1,
          posterior: { a: 1, b: 0, c: 0 },
          disputed: false,
          answers: 1,
          method: 'majority',
        },
        {
          itemId: 'y',
          label: 'c',
          confidence: 1,
          posterior: { a: 0, b: 0, c: 1 },
          disputed: false,
          answers: 2,
          method: 'majority',
        },
      ],
      workers: [
        { workerId: 'w1', accuracy: null, answers: 1 },
        { workerId: 'w2', accuracy: null, answers: 2 },
      ],
      iterations: 0,
      converged: true,
    });
  });

  test('the job chooses the method, or the data does', () => {
    const twoWorkers = answers('x', { w1: 'a', w2: 'b' });
    expect(chooseMethod(twoWorkers, 'auto')).toBe('dawid-skene');
    expect(chooseMethod(twoWorkers, 'majority')).toBe('majority');
    expect(chooseMethod(answers('x', { w1: 'a' }), 'auto')).toBe('majority');
    expect(chooseMethod(answers('x', { w1: 'a' }), 'dawid-skene')).toBe('dawid-skene');
  });

  test('an unknown label is refused, naming the item, the worker and the labels', () => {
    const observations = [...answers('x', { w1: 'a', w2: 'b' }), ...answers('y', { w3: 'maybe' })];
    const message = 'Unknown label "maybe" from worker "w3" on item "y": the label set is ["a","b","c"]';
    expect(() => consolidate(observations, { labels })).toThrow(message);
    expect(() => consolidate(observations, { labels, method: 'majority' })).toThrow(message);
  });

  test('a label set must be given, without repeats, and the options in range', () => {
    expect(() => consolidate([], { labels: [] })).toThrow('The label set is empty');
    expect(() => dawidSkene([], { labels: ['a', 'a'] })).toThrow('The label set repeats "a"');
    expect(() => dawidSkene([], { labels, maxIterations: 0 })).toThrow('maxIterations');
    expect(() => dawidSkene([], { labels, smoothing: 0 })).toThrow('smoothing');
    expect(() => dawidSkene([], { labels, tolerance: -1 })).toThrow('tolerance');
  });

  test('empty input: nothing to label', () => {
    expect(consolidate([], { labels })).toEqual({
      method: 'majority',
      items: [],
      workers: [],
      iterations: 0,
      converged: true,
    });
    expect(dawidSkene([], { labels })).toMatchObject({ items: [], workers: [], iterations: 0, converged: true });
  });

  test('stops at the iteration limit, saying it did not converge', () => {
    const result = dawidSkene(calibration, { labels, maxIterations: 1, tolerance: 0 });
    expect(result).toMatchObject({ iterations: 1, converged: false });
  });
});

describe('consolidation properties', () => {
  const labels = ['x', 'y', 'z'];
  const observation = fc.record({
    itemId: fc.constantFrom('i1', 'i2', 'i3', 'i4', 'i5'),
    workerId: fc.constantFrom('w1', 'w2', 'w3', 'w4'),
    label: fc.constantFrom(...labels),
  });
  const observations = fc.array(observation, { maxLength: 30 });
  const method = fc.constantFrom('auto' as const, 'majority' as const, 'dawid-skene' as const);

  test('posteriors are probabilities summing to 1; confidence is the largest; label null exactly when disputed', () => {
    fc.assert(
      fc.property(observations, method, (given, chosen) => {
        for (const item of consolidate(given, { labels, method: chosen }).items) {
          const probabilities = Object.values(item.posterior);
          expect(probabilities).toHaveLength(labels.length);
          expect(Math.abs(probabilities.reduce((sum, p) => sum + p, 0) - 1)).toBeLessThan(1e-9);
          for (const p of probabilities) expect(p >= 0 && p <= 1).toBe(true);
          expect(item.confidence).toBe(Math.max(...probabilities));
          expect(item.confidence >= 0 && item.confidence <= 1).toBe(true);
          expect(item.label === null).toBe(item.disputed);
        }
      }),
    );
  });

  test('the same answers in any order give the same result', () => {
    const shuffled = observations.chain((given) =>
      fc.tuple(fc.constant(given), fc.shuffledSubarray(given, { minLength: given.length, maxLength: given.length })),
    );
    fc.assert(
      fc.property(shuffled, method, ([given, reordered], chosen) => {
        expect(consolidate(reordered, { labels, method: chosen })).toEqual(
          consolidate(given, { labels, method: chosen }),
        );
      }),
    );
  });

  test('every worker who answered is estimated, with an accuracy in [0, 1]', () => {
    fc.assert(
      fc.property(observations, (given) => {
        const result = dawidSkene(given, { labels });
        expect(result.workers.map((worker) => worker.workerId)).toEqual(
          [...new Set(given.map((o) => o.workerId))].sort(),
        );
        for (const worker of result.workers) expect(worker.accuracy >= 0 && worker.accuracy <= 1).toBe(true);
        expect(result.items.reduce((sum, item) => sum + item.answers, 0)).toBe(given.length);
      }),
    );
  });
});
