/**
 * A review job's task done as a reviewer does it, in headless Chromium on local mode: the tabular sample's negative
 * predictions started as a job through the CLI, one task taken in the portal, its explanation images shown (SVGs
 * behind local mode's signed object URLs), one record corrected with a reason and the others agreed with, the
 * template's submit button pressed; then the job exported through the CLI, keeping the correction.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { readJob } from '../../cli/review-jobs';
import { parseS3Uri } from '../../lambda/shared/review/output';
import type { LocalServer } from '../../local/server';
import { LOCAL } from '../../local/server';
import { prepareTabularSample } from '../../local/tabular/prepare';
import { chromiumOrSkip, launchChromium } from './chromium';
import { eventually, jsonLines, localCli, localS3, startLocal } from './start';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-browser-'));

let server: LocalServer | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

test("a reviewer completes a tabular review job's task in the browser, and export keeps the correction", async () => {
  if (!chromiumOrSkip()) return;
  server = await startLocal({ taskTemplate: 'tabular-review' });
  const local = server;
  browser = await launchChromium();

  // The sample in the local S3, and the job over its negative predictions, started through the CLI.
  const s3 = localS3(local);
  const prepared = await prepareTabularSample({ s3, bucket: LOCAL.bucket, prefix: 'tabular-sample' });
  const negatives = jsonLines(prepared.manifest).filter((line) => line.prediction === 0);
  const started = await localCli(local, [
    ...['jobs', 'start', 'adult-review', '--manifest', prepared.manifestUri, '--filter', 'prediction=0'],
  ]);
  expect(started.code).toBe(0);
  expect(started.out).toContain(`job adult-review: ${negatives.length} records in`);
  const stored = (await readJob({ s3, bucket: LOCAL.bucket }, 'adult-review'))!;
  s3.destroy();
  const { name, lines: taskLines } = stored.tasks[0];
  expect(taskLines).toEqual([1, 2, 3]);

  // Ana signs in, opens the job's first task and takes it.
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${local.url}/portal/sign-in`);
  await page.fill('input[name=name]', 'Ana');
  await page.click('form.sign-in button');
  await page.waitForURL(`${local.url}/portal`);
  await page.goto(`${local.url}/portal/tasks/${name}`);
  await page.click('form.claim button');
  await page.waitForURL(`${local.url}/portal/tasks/${name}`);
  const task = page.frameLocator('#task iframe');

  // Three records, each with its explanation image shown: loaded, with a size.
  const images = task.locator('section.record img');
  await images.first().waitFor();
  expect(await images.count()).toBe(3);
  const loaded = await eventually(async () => {
    // Evaluated in the frame (a DOM), which this Node-side file has no types for.
    const states: { alt: string; src: string; complete: boolean; width: number }[] = await task
      .locator('body')
      .evaluate(
        'Array.from(document.querySelectorAll("section.record img")).map((img) => ({ alt: img.alt, src: img.src, complete: img.complete, width: img.naturalWidth }))',
      );
    if (!states.every((state) => state.complete)) throw new Error('the images are still loading');
    return states;
  }, 10_000);
  expect(loaded.map(({ alt, width, src }) => ({ alt, shown: width > 0 || `broken: ${src}` }))).toEqual(
    [1, 2, 3].map((row) => ({
      alt: `Feature contributions to the prediction for record ${String(negatives[row - 1].row)}`,
      shown: true,
    })),
  );

  // Record 1: disagree, corrected to 1, with a reason. Records 2 and 3: agree.
  await task.locator('input[name=rating1][value=disagree]').check();
  await task.locator('select[name=correction1]').selectOption('1');
  await task.locator('crowd-text-area[name=reason1] textarea').fill('capital gain says otherwise');
  await task.locator('input[name=rating2][value=agree]').check();
  await task.locator('input[name=rating3][value=agree]').check();
  await task.locator('crowd-button button').click();

  const loop = await eventually(async () => {
    const described = await local.reviews.describe(name);
    if (described.status !== 'Completed') throw new Error(`loop ${name} is ${described.status}`);
    return described;
  }, 10_000);
  expect(pageErrors).toEqual([]);

  // The answer as A2I stores it in the loop's output.json.
  const { bucket, key } = parseS3Uri(loop.outputUri!);
  const output = JSON.parse(local.objects.get(bucket, key)!.body.toString('utf8')) as {
    humanAnswers: { answerContent: Record<string, unknown> }[];
  };
  expect(output.humanAnswers).toHaveLength(1);
  expect(output.humanAnswers[0].answerContent).toMatchObject({
    rating1: { agree: false, disagree: true },
    correction1: '1',
    reason1: 'capital gain says otherwise',
    rating2: { agree: true, disagree: false },
    rating3: { agree: true, disagree: false },
  });

  // Export: only the answered task's three records, the first corrected to 1.
  const out = path.join(work, 'out.manifest');
  const training = path.join(work, 'train.jsonl');
  const exported = await localCli(local, ['jobs', 'export', 'adult-review', '--out', out, '--training', training]);
  expect(exported.err).toBe('');
  expect(exported.code).toBe(0);
  const manifest = jsonLines(fs.readFileSync(out, 'utf8'));
  expect(manifest).toHaveLength(3);
  for (const [i, line] of manifest.entries()) {
    const { 'adult-review': label, 'adult-review-metadata': metadata, ...input } = line;
    expect(input).toEqual(negatives[i]);
    expect(label).toBe(i === 0 ? 1 : 0);
    expect(metadata).toMatchObject({ 'class-name': i === 0 ? '1' : '0', 'human-annotated': 'yes' });
  }
  const rows = jsonLines(fs.readFileSync(training, 'utf8'));
  expect(rows.map((row) => row.label)).toEqual([1, 0, 0]);
  expect(rows.map((row) => row.corrected)).toEqual([true, false, false]);
}, 30_000);
