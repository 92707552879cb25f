/** Deadlines: phases that end earlier, and work that cannot outlast its signal. */
import { Deadline, untilAborted } from '../../../lambda/shared/deadline';

describe('Deadline', () => {
  test('the earliest of two, a phase that ends earlier, and what is left', () => {
    let now = 1_000;
    const clock = () => now;
    const deadline = Deadline.at(5_000, clock).earliest(Deadline.in(3_000, clock));
    expect(deadline.remainingMs()).toBe(3_000);
    expect(deadline.before(1_000).remainingMs()).toBe(2_000);
    now = 3_500;
    expect(deadline.within(500)).toBe(true);
    expect(deadline.before(1_000).within(0)).toBe(true);
  });
});

describe('untilAborted', () => {
  const never = new Promise<string>(() => undefined);

  test('work that ignores its signal is left behind when the signal fires', async () => {
    const controller = new AbortController();
    const raced = untilAborted(never, controller.signal);
    controller.abort(new Error('deadline'));
    await expect(raced).rejects.toThrow('deadline');
  });

  test('a signal that already fired rejects at once; work that finishes first settles as it does', async () => {
    await expect(untilAborted(never, AbortSignal.abort(new Error('over')))).rejects.toThrow('over');
    const controller = new AbortController();
    await expect(untilAborted(Promise.resolve('done'), controller.signal)).resolves.toBe('done');
    await expect(untilAborted(Promise.reject(new Error('failed')), controller.signal)).rejects.toThrow('failed');
  });
});
