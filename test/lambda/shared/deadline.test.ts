/** Deadlines: phases that end earlier, and work that cannot outlast its signal. */
import { spawnSync } from 'node:child_process';
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

  test('every call under one deadline shares one signal, which fires when the deadline passes', async () => {
    const deadline = Deadline.in(30);
    const signal = deadline.signal();
    expect(deadline.signal()).toBe(signal);
    expect(deadline.before(10).signal()).not.toBe(signal);
    expect(signal.aborted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(signal.aborted).toBe(true);
  });

  test('a batch of 100 calls listening to one signal is not reported as a leak', () => {
    // In a process of its own: Node warns on the real process, which Jest's sandbox does not see.
    const script = `
      const { Deadline } = require(${JSON.stringify(require.resolve('../../../lambda/shared/deadline'))});
      const signal = Deadline.in(1_000).signal();
      for (let i = 0; i < 100; i++) signal.addEventListener('abort', () => undefined);
      setTimeout(() => undefined, 20);`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stderr).not.toContain('MaxListenersExceededWarning');
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
