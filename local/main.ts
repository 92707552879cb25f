/**
 * `npm start`: the whole review loop on this machine. Settings from the environment:
 *   PORT (3000), LOCAL_DATA_DIR (.local-data), CONFIDENCE_THRESHOLD (0.9), LOCAL_TASK_COUNT (1),
 *   LOCAL_TASK_TEMPLATE (sentiment), LOCAL_TASK_LIFETIME_SECONDS (86400),
 *   LOCAL_MODEL_URL or LOCAL_MODEL_COMMAND to replace the built-in sentiment model,
 *   LOCAL_PORTAL_ORIGIN (comma-separated) when the portal is reached through a forwarded port,
 *   LOCAL_REVIEW_BACKEND (self-hosted; `a2i` sends the handlers through the A2I adapter and the A2I-compatible API).
 */
import * as path from 'node:path';
import { noteNodeSupport } from '../common/node-support';
import type { ObjectLocation } from '../common/object-locations';
import { OBJECT_LOCATION_EXPECTED, parseObjectLocation } from '../common/object-locations';
import { DataDirError } from './data-dir';
import type { ModelBackend } from './model/model-backend';
import { builtInSentimentModel, commandModel, httpModel } from './model/model-backend';
import type { LocalReviewBackend } from './server';
import { LOCAL, LOCAL_REVIEW_BACKENDS, LOCAL_TASK_OBJECT_LOCATIONS, startLocalServer } from './server';

/** A setting in the environment that local mode cannot use. */
class SettingError extends Error {
  override readonly name = 'SettingError';
}

function setting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new SettingError(`${name} is ${JSON.stringify(raw)}; expected a number from ${min} to ${max}`);
  }
  return value;
}

function model(): { backend: ModelBackend; description: string } {
  if (process.env.LOCAL_MODEL_URL)
    return { backend: httpModel(process.env.LOCAL_MODEL_URL), description: `HTTP ${process.env.LOCAL_MODEL_URL}` };
  if (process.env.LOCAL_MODEL_COMMAND)
    return {
      backend: commandModel(process.env.LOCAL_MODEL_COMMAND),
      description: `command: ${process.env.LOCAL_MODEL_COMMAND}`,
    };
  return { backend: builtInSentimentModel, description: 'built-in sentiment model (VADER + calibration, local/model)' };
}

/** LOCAL_PORTAL_ORIGIN: origins like `https://3000-abc.example.dev`, exactly as the browser sends them. */
function portalOrigins(): string[] {
  const raw = process.env.LOCAL_PORTAL_ORIGIN ?? '';
  return raw
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean)
    .map((origin) => {
      let parsed: URL | undefined;
      try {
        parsed = new URL(origin);
      } catch {
        // reported below
      }
      if (parsed === undefined || parsed.origin !== origin)
        throw new SettingError(
          `LOCAL_PORTAL_ORIGIN has ${JSON.stringify(origin)}; expected origins like https://portal.example.dev (scheme, host and port only)`,
        );
      return origin;
    });
}

/** LOCAL_TASK_OBJECT_LOCATIONS: s3:// URIs separated by commas, as taskObjectLocations is given to the CDK app. */
function taskObjectLocations(): ObjectLocation[] {
  const raw = process.env[LOCAL_TASK_OBJECT_LOCATIONS] ?? '';
  return raw
    .split(',')
    .map((uri) => uri.trim())
    .filter(Boolean)
    .map((uri) => {
      const location = parseObjectLocation(uri);
      if (typeof location === 'string')
        throw new SettingError(`${LOCAL_TASK_OBJECT_LOCATIONS} has ${location}; expected ${OBJECT_LOCATION_EXPECTED}`);
      return location;
    });
}

function reviewBackend(): LocalReviewBackend {
  const raw = process.env.LOCAL_REVIEW_BACKEND || 'self-hosted';
  if (!(LOCAL_REVIEW_BACKENDS as readonly string[]).includes(raw))
    throw new SettingError(
      `LOCAL_REVIEW_BACKEND is ${JSON.stringify(raw)}; expected one of ${LOCAL_REVIEW_BACKENDS.join(', ')}`,
    );
  return raw as LocalReviewBackend;
}

async function main(): Promise<void> {
  noteNodeSupport((line) => console.log(line));
  const chosen = model();
  const threshold = setting('CONFIDENCE_THRESHOLD', 0.9, 0, 1);
  const server = await startLocalServer({
    port: setting('PORT', 3000, 0, 65535),
    dataDir: process.env.LOCAL_DATA_DIR || '.local-data',
    model: chosen.backend,
    confidenceThreshold: threshold,
    taskCount: setting('LOCAL_TASK_COUNT', 1, 1, 3),
    taskAvailabilityLifetimeSeconds: setting('LOCAL_TASK_LIFETIME_SECONDS', 86_400, 60, 864_000),
    taskTemplate: process.env.LOCAL_TASK_TEMPLATE || 'sentiment',
    portalOrigins: portalOrigins(),
    reviewBackend: reviewBackend(),
    taskObjectLocations: taskObjectLocations(),
  });
  const waiting = (await server.workerTasks.openTasks({ id: '' })).length;
  const objects = path.join(server.dataDir.objects, LOCAL.bucket);
  console.log(`
Human review pipeline, local mode
  predict API     POST ${server.url}/predict     GET ${server.url}/loops[/<name>]
  worker portal   ${server.url}/portal   (${waiting} task${waiting === 1 ? '' : 's'} waiting)
  model           ${chosen.description}, threshold ${threshold}
  review backend  ${server.reviewBackend === 'a2i' ? 'A2I adapter over the A2I-compatible API' : 'self-hosted'} (loops in DynamoDB/dynalite; A2I API at ${server.url}/aws/a2i)
  operator CLI    npx review-pipeline --local ${server.url} loops list
  data            ${server.dataDir.root}
    output.json   ${path.join(objects, LOCAL.outputPrefix)}/<flow definition>/YYYY/MM/DD/hh/mm/ss/<loop>/output.json
    dataset       ${path.join(objects, LOCAL.datasetPrefix)}/year=YYYY/month=MM/day=DD/<loop>.jsonl

Try it:
  curl -s -X POST ${server.url}/predict -H 'Content-Type: application/json' \\
    -d '{"instances":[{"features":["I am unhappy with this product"]},{"features":["I enjoy this product"]}]}'
then open the portal, sign in with any name, and review. Ctrl-C stops.
`);
  // The first Ctrl-C lets the deliveries under way finish (what does not finish is delivered after the next start);
  // a second one stops at once.
  // npm and tsx pass a terminal's Ctrl-C on to this process besides the terminal's own: the copies that arrive
  // within a second of the first are the same Ctrl-C.
  let stoppingSince: number | undefined;
  const stop = () => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince > 1_000) process.exit(130);
      return;
    }
    stoppingSince = Date.now();
    console.log('stopping: finishing the work under way (Ctrl-C again to stop now)');
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const known =
    error instanceof DataDirError ||
    error instanceof SettingError ||
    (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE');
  console.error(known ? `local mode could not start: ${(error as Error).message}` : error);
  process.exit(1);
});
