/**
 * What local mode prints: a line per prediction batch, loop started (or found from an earlier request), answer,
 * loop end and dataset record, and the handlers' Powertools lines as readable text.
 */
import * as fs from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { captureHandlerLogs, readableLogLine } from '../../local/handler-logs';
import { datasetRecord, eventually, predictLoops, REFERENCE_REVIEWS, startLocal } from './start';

test('a batch, its loops, an answer, the end and the dataset record each get one readable line', async () => {
  const server = await startLocal();
  try {
    const names = await predictLoops(server, 'demo-1', REFERENCE_REVIEWS);
    const started = names.filter((name) => name !== undefined);
    // The lines follow the answer: wait for the last loop's.
    await eventually(() => expect(server.logs).toHaveLength(1 + started.length));
    expect(server.logs[0]).toBe(
      `POST /predict (requestId "demo-1"): 4 predictions, ${started.length} under the threshold 0.9`,
    );
    for (const name of started)
      expect(server.logs).toContainEqual(
        expect.stringMatching(
          new RegExp(`^human loop ${name} started for prediction \\d \\(label -?\\d at 0\\.\\d+\\)$`),
        ),
      );

    // The same request again starts nothing, and says where its loops are.
    server.logs.length = 0;
    await predictLoops(server, 'demo-1', REFERENCE_REVIEWS);
    await eventually(() => expect(server.logs).toHaveLength(1 + started.length));
    expect(server.logs[0]).toMatch(/all of their loops already existed \(an earlier request with this requestId/);
    expect(server.logs).toContainEqual(
      `human loop ${started[0]} already exists for prediction 1 (label 1 at 0.8995542500543615): ${server.url}/loops/${started[0]}`,
    );

    server.logs.length = 0;
    const worker = { id: 'w-ana', name: 'Ana' };
    const lease = await server.workerTasks.claim(started[0], worker);
    await server.workerTasks.answer(started[0], worker, lease.token, { sentiment: { label: '1' } });
    await datasetRecord(server, started[0]);

    // An answer without the lease is refused, and says so.
    await expect(server.workerTasks.answer(started[1], worker, 'no-lease', {})).rejects.toThrow();
    expect(server.logs).toContainEqual(
      expect.stringMatching(new RegExp(`^answer to human loop ${started[1]} from Ana refused: \\w+`)),
    );
    const lines = await eventually(() => {
      const record = server.logs.find((line) => line.startsWith('dataset record'));
      if (record === undefined) throw new Error('no dataset record line yet');
      return server.logs;
    });
    expect(lines.slice(0, 2)).toEqual([
      `answer to human loop ${started[0]} from Ana`,
      `human loop ${started[0]} ended Completed (event from review-pipeline.reviews)`,
    ]);
    const recordLine = lines.find((line) => line.startsWith('dataset record'))!;
    const file = /written: (.+)$/.exec(recordLine)![1];
    expect(file.startsWith(`${server.dataDir.root}/s3/local-review-output/dataset/`)).toBe(true);
    expect(recordLine).toBe(`dataset record for human loop ${started[0]} written: ${file}`);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ humanLoopName: started[0] });
  } finally {
    await server.close();
  }
});

test('a refused request is one line naming what was wrong, without what it held', async () => {
  const server = await startLocal();
  try {
    await fetch(`${server.url}/predict`, { method: 'POST', body: '{"requestId":"x","instances":[]}' });
    await fetch(`${server.url}/predict`, { method: 'POST', body: 'my secret review, not JSON' });
    await fetch(`${server.url}/predict`, {
      method: 'POST',
      body: JSON.stringify({
        requestId: `forged\nhuman loop x started${'-'.repeat(200)}`,
        instances: [{ features: ['a'] }],
      }),
    });
    await eventually(() => expect(server.logs).toHaveLength(3));
    expect(server.logs[0]).toBe('POST /predict: answered 400 BadRequest (field instances)');
    expect(server.logs[1]).toMatch(/^POST \/predict: answered 400 BadRequest( \(field body\))?$/);
    expect(server.logs[2]).toMatch(/^POST \/predict: answered 400 BadRequest \(field requestId\)$/);
  } finally {
    await server.close();
  }
});

describe("the handlers' Powertools lines", () => {
  test('become a level, the message and the extra keys, with errors as name and message', () => {
    const line = JSON.stringify({
      level: 'WARN',
      message: 'Human loop could not start; queueing it',
      timestamp: '2026-11-22T10:00:00.000Z',
      service: 'review-pipeline-local',
      sampling_rate: 0,
      humanLoopName: 'demo-1-abc',
      error: {
        name: 'ThrottlingException',
        message: 'Rate exceeded',
        stack: 'ThrottlingException: Rate exceeded\n at x',
      },
    });
    expect(readableLogLine(line)).toBe(
      'WARN Human loop could not start; queueing it: humanLoopName=demo-1-abc error="ThrottlingException: Rate exceeded"',
    );
    expect(readableLogLine('plain text')).toBeUndefined();
    expect(readableLogLine('{"not":"a log line"}')).toBeUndefined();
  });

  test('a real Powertools logger in dev mode is captured readably, other console output is left alone', () => {
    const captured: string[] = [];
    const before = process.env.POWERTOOLS_DEV;
    process.env.POWERTOOLS_DEV = 'true';
    const passedOn = jest.spyOn(console, 'info').mockImplementation(() => undefined);
    const release = captureHandlerLogs((line) => captured.push(line));
    try {
      const logger = new Logger({ serviceName: 'review-pipeline-local', logLevel: 'WARN' });
      logger.error('Queued human loop still cannot start; it stays queued', {
        humanLoopName: 'a-1',
        receiveCount: '2',
      });
      logger.info('not at this level');
      console.info('plain text stays on the console');
      expect(passedOn).toHaveBeenCalledWith('plain text stays on the console');
    } finally {
      release();
      passedOn.mockRestore();
      if (before === undefined) delete process.env.POWERTOOLS_DEV;
      else process.env.POWERTOOLS_DEV = before;
    }
    expect(captured).toEqual([
      'ERROR Queued human loop still cannot start; it stays queued: humanLoopName=a-1 receiveCount=2',
    ]);
  });
});
