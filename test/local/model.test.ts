import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import calibration from '../../local/model/calibration.json';
import { evaluate, fitCalibration, loadSample, split } from '../../local/model/fit';
import { builtInSentimentModel, commandModel, httpModel, ModelFailure } from '../../local/model/model-backend';
import { predictSentiment } from '../../local/model/sentiment-model';

describe('the built-in sentiment model', () => {
  const { fit, held } = split(loadSample());

  test('the shipped calibration is what fit.ts makes from the sample (reproducible)', () => {
    expect(fitCalibration(fit)).toEqual(calibration);
  });

  test('on the held-out half of the sample: at least 85% accurate and calibrated within 0.1 (ECE)', () => {
    const report = evaluate(calibration, held);
    expect(report.examples).toBe(45);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.85);
    expect(report.ece).toBeLessThan(0.1);
  });

  test('the reference reviews', () => {
    expect(predictSentiment('I enjoy this product').predicted_label).toBe(1);
    expect(predictSentiment('I am unhappy with this product').predicted_label).toBe(-1);
    expect(predictSentiment('sometimes it works').predicted_label).toBe(0);
    for (const text of ['I enjoy this product', 'It is okay']) {
      const { probability } = predictSentiment(text);
      expect(probability).toBeGreaterThan(0);
      expect(probability).toBeLessThanOrEqual(1);
    }
  });

  test('probabilities keep full precision, so 0.89955 stays under a 0.90 threshold', () => {
    // Only the bias weights: the probabilities are exactly these, whatever the text.
    const p = [0.1, 0.00045, 0.89955];
    const model = { weights: p.map((pi) => [Math.log(pi), 0, 0, 0, 0]) };
    const { predicted_label, probability } = predictSentiment('any text', model);
    expect(predicted_label).toBe(1);
    expect(probability).toBeCloseTo(0.89955, 12);
    expect(probability).toBeLessThan(0.9);
  });

  test('speaks JSON Lines as the reference model does: the first feature scored, no trailing newline', async () => {
    const out = await builtInSentimentModel(
      '{"features":["I enjoy this product","a second feature the reference model does not read"]}\n{"features":["I am unhappy with this product"]}',
    );
    expect(out.endsWith('\n')).toBe(false);
    expect(out.split('\n').map((line) => (JSON.parse(line) as { predicted_label: number }).predicted_label)).toEqual([
      1, -1,
    ]);
  });

  test('refuses a line without features', async () => {
    await expect(builtInSentimentModel('{"text":"x"}')).rejects.toThrow(
      new ModelFailure(500, 'Line 1 has no "features" array of strings'),
    );
  });

  test('an empty line is a model error, as json.loads("") is in the reference container', async () => {
    await expect(builtInSentimentModel('{"features":["x"]}\n')).rejects.toThrow(
      new ModelFailure(500, 'Line 2 is empty: json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)'),
    );
  });
});

describe('replacing the model', () => {
  test('by a command reading JSON Lines on stdin', async () => {
    const model = commandModel(`node -e "process.stdin.pipe(process.stdout)"`);
    expect(await model('{"predicted_label":0,"probability":0.4}\n')).toBe('{"predicted_label":0,"probability":0.4}\n');
  });

  test('a failing command is a model failure with its stderr', async () => {
    await expect(commandModel('node -e "console.error(\'no GPU\'); process.exit(2)"')('x')).rejects.toThrow(
      /exited with 2: no GPU/,
    );
  });

  test('by a URL that answers JSON Lines', async () => {
    const server = http.createServer((req, res) => {
      req.resume().on('end', () => res.end('{"predicted_label":1,"probability":0.75}\n'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const model = httpModel(`http://127.0.0.1:${(server.address() as AddressInfo).port}/invocations`);
      expect(await model('{"features":["x"]}\n')).toBe('{"predicted_label":1,"probability":0.75}\n');
    } finally {
      server.close();
    }
  });
});
