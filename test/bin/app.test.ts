/**
 * The real `cdk synth` of the CLI, offline and without AWS credentials: bundles the Lambdas with esbuild, runs the
 * AwsSolutions checks and CloudFormation's built-in validation. Slower than the unit tests (a few seconds per run).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');

/** The environment of a machine with no AWS account: no credentials, no profile, no instance metadata. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_') && !key.startsWith('CDK_')),
  );
  return {
    ...env,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    CI: 'true',
  };
}

interface SourceMap {
  readonly sources: string[];
  readonly sourcesContent?: (string | null)[];
}

async function synth(context: string[]) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-synth-'));
  const args = [
    'synth',
    '--quiet',
    '--no-notices',
    '--no-version-reporting',
    '-o',
    outdir,
    ...context.flatMap((c) => ['-c', c]),
  ];
  const result = await run(CDK, args, { cwd: ROOT, env: offlineEnv(), timeout: 240_000 });
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { pluginName: string; violations: unknown[] }[];
  };
  const stacks = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  const templates = Object.fromEntries(
    stacks.map((file) => [file, fs.readFileSync(path.join(outdir, file), 'utf8')] as [string, string]),
  );
  const sourceMaps = fs
    .readdirSync(outdir)
    .filter((entry) => fs.existsSync(path.join(outdir, entry, 'index.js.map')))
    .map((entry) => JSON.parse(fs.readFileSync(path.join(outdir, entry, 'index.js.map'), 'utf8')) as SourceMap);
  fs.rmSync(outdir, { recursive: true, force: true });
  return { ...result, report, stacks, templates, sourceMaps };
}

const existing = synth(['endpointName=sentiment-endpoint']);
// The CLI passes every -c value as a string: this is the README's form of a list.
const archive = synth([
  'modelDataUrl=s3://model-bucket/sentiment/model.tar.gz',
  'workerEmails=["ana@example.com","bo@example.com"]',
]);

test.each([
  ['-c endpointName', existing],
  ['-c modelDataUrl and -c workerEmails', archive],
])(
  'cdk synth with only %s succeeds offline with both stacks and a clean validation report',
  async (_name, result) => {
    const { report, stacks } = await result;
    expect(stacks.sort()).toEqual(['ReviewPipeline.template.json', 'ReviewWorkforce.template.json']);
    expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
  },
  240_000,
);

test("workerEmails given as a JSON list on the command line invites each address, not the list's text", async () => {
  const workforce = JSON.parse((await archive).templates['ReviewWorkforce.template.json']) as {
    Resources: Record<string, { Type: string; Properties: { Username?: string } }>;
  };
  const users = Object.values(workforce.Resources)
    .filter((resource) => resource.Type === 'AWS::Cognito::UserPoolUser')
    .map((resource) => resource.Properties.Username)
    .sort();
  expect(users).toEqual(['ana@example.com', 'bo@example.com']);
}, 240_000);

test('every Lambda bundle maps to our source files without carrying their text', async () => {
  const { sourceMaps } = await existing;
  expect(sourceMaps.length).toBeGreaterThanOrEqual(5);
  for (const map of sourceMaps) {
    expect(map.sources.some((source) => source.includes('lambda/'))).toBe(true);
    expect(map.sourcesContent ?? []).toEqual([]);
  }
}, 240_000);

test('cdk synth with bad context exits 1 and prints the problem, not a stack trace', async () => {
  const failure = (await synth(['endpointName=ep', 'taskCount=4']).catch((error: unknown) => error)) as {
    code: number;
    stderr: string;
  };
  expect(failure.code).toBe(1);
  expect(failure.stderr).toContain('taskCount: got "4"; expected an integer from 1 to 3.');
  expect(failure.stderr).not.toMatch(/\n\s+at /);
}, 240_000);
