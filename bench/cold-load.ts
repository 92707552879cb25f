/**
 * Per Lambda: the bundle as the CDK app builds it (lib/constructs/handler-function.ts's `bundlingFor`, for the Node.js
 * running the benchmark), its size, and the time a fresh Node.js process takes to load it, against a bundle that only
 * makes the SDK clients the handler makes. That list comes from the bundle's metafile and our files' imports, so it
 * stays true when the code changes. Both are loaded with --enable-source-maps, as the Lambdas run. A handler that
 * builds the review port is bundled for each review backend it is deployed with, as the stack bundles it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import * as ts from 'typescript';
import type { BuildOptions, Metafile } from 'esbuild';
import type { ReviewBackendName } from '../common/contract';
import { HANDLERS } from '../common/handlers';
import type { HandlerName } from '../common/handlers';
import { BUNDLING, bundlingFor, LAMBDA_DIR } from '../lib/constructs/handler-function';
import { alternate, pairedRatios, spread, summarize, table, target } from './stats';
import type { Summary, Target } from './stats';

export interface ColdLoadOptions {
  readonly rounds: number;
  readonly progress: (message: string) => void;
}

interface Bundle {
  readonly file: string;
  readonly bytes: number;
  readonly mapBytes: number;
}

/**
 * The review backends each handler that gets a backend's `handlerEnvironment` is deployed with (lib/constructs/): it is
 * bundled for that backend. The rest have none; one of them that builds the review port fails the benchmark.
 */
const BACKENDS: Partial<Record<HandlerName, readonly ReviewBackendName[]>> = {
  [HANDLERS.predict]: ['a2i', 'self-hosted'],
  [HANDLERS.loops]: ['a2i', 'self-hosted'],
  [HANDLERS.reviewRetry]: ['a2i', 'self-hosted'],
  [HANDLERS.portal]: ['self-hosted'],
  [HANDLERS.runtimeApi]: ['self-hosted'],
  [HANDLERS.sweeper]: ['self-hosted'],
};

const FROM_ENV = 'lambda/shared/review/from-env.ts';

interface Measured {
  readonly handler: string;
  readonly backend: ReviewBackendName | undefined;
  readonly clients: readonly string[];
  readonly ours: Bundle;
  readonly baseline: Bundle;
  readonly oursMs: Summary;
  readonly baselineMs: Summary;
  /** Ours over the baseline of the same round. */
  readonly ratio: Summary;
}

export async function coldLoad(options: ColdLoadOptions): Promise<{ markdown: string; targets: Target[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cold-load-'));
  try {
    const measured: Measured[] = [];
    const runs = Object.values(HANDLERS).flatMap((handler) =>
      (BACKENDS[handler] ?? [undefined]).map((backend) => ({ handler, backend })),
    );
    for (const { handler, backend } of runs) {
      const name = backend === undefined ? handler : `${handler}-${backend}`;
      options.progress(`cold load: ${name}`);
      const { bundle: ours, metafile } = await bundle(
        { entryPoints: [path.join(LAMBDA_DIR, handler, 'index.ts')], define: bundlingFor(backend).define },
        path.join(dir, name),
      );
      if (backend === undefined && Object.keys(metafile.inputs).some((file) => file.endsWith(FROM_ENV)))
        throw new Error(`${handler} builds the review port: name its review backends in bench/cold-load.ts's BACKENDS`);
      const sdkClients = sdkClientsOfOurCode(metafile);
      const clients = [...sdkClients.keys()];
      const { bundle: baseline } = await bundle(
        {
          stdin: {
            contents: sdkOnlyEntry(sdkClients),
            resolveDir: LAMBDA_DIR,
            sourcefile: 'sdk-only.mjs',
            loader: 'js',
          },
        },
        path.join(dir, `${name}-sdk-only`),
      );
      const times = await alternate(
        { ours: () => Promise.resolve(loadMs(ours.file)), baseline: () => Promise.resolve(loadMs(baseline.file)) },
        options.rounds,
        options.progress,
      );
      measured.push({
        handler,
        backend,
        clients,
        ours,
        baseline,
        oursMs: summarize(times.ours),
        baselineMs: summarize(times.baseline),
        ratio: pairedRatios(times.ours, times.baseline),
      });
    }
    return report(measured, options);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function bundle(
  entry: Pick<BuildOptions, 'entryPoints' | 'stdin' | 'define'>,
  dir: string,
): Promise<{ bundle: Bundle; metafile: Metafile }> {
  const outfile = path.join(dir, 'index.js');
  const result = await build({
    ...entry,
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // The Lambdas target Node.js 24; the benchmark loads the bundles with the Node.js it runs on.
    target: `node${process.versions.node.split('.')[0]}`,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    sourcesContent: BUNDLING.sourcesContent,
    external: [...BUNDLING.externalModules],
    metafile: true,
    logLevel: 'error',
  });
  const size = (file: string) => fs.statSync(file).size;
  return {
    bundle: { file: outfile, bytes: size(outfile), mapBytes: size(`${outfile}.map`) },
    metafile: result.metafile,
  };
}

/**
 * The SDK clients in the bundle: the client classes our own files (not the SDK's) import, from the client packages
 * that have code in the bundle's output (an import the handler never reaches is shaken out, and so is its package).
 */
export function sdkClientsOfOurCode(
  metafile: Metafile,
  read: (file: string) => string = (file) => fs.readFileSync(file, 'utf8'),
): Map<string, string> {
  const inOutput = Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([file]) => file),
  );
  const clients = new Map<string, string>();
  for (const [file, input] of Object.entries(metafile.inputs)) {
    if (file.includes('node_modules/') || !input.imports.some((i) => isSdkClient(i.original))) continue;
    const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest);
    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const from = statement.moduleSpecifier.text;
      const bindings = statement.importClause?.namedBindings;
      if (!isSdkClient(from) || statement.importClause?.isTypeOnly || bindings === undefined) continue;
      if (!inOutput.some((included) => included.includes(`node_modules/${from}/`))) continue;
      if (!ts.isNamedImports(bindings)) throw new Error(`${file}: import named values from ${from}`);
      const client = bindings.elements
        .filter((element) => !element.isTypeOnly)
        .map((element) => (element.propertyName ?? element.name).text)
        .find((name) => name.endsWith('Client') && name !== '__Client');
      if (client !== undefined) clients.set(from, client);
    }
  }
  return new Map([...clients].sort(([a], [b]) => a.localeCompare(b)));
}

function isSdkClient(specifier: string | undefined): specifier is string {
  return specifier !== undefined && /^@aws-sdk\/client-[a-z0-9-]+$/.test(specifier);
}

/** The baseline's entry: one client of each package, made when it loads as ours are. */
function sdkOnlyEntry(clients: Map<string, string>): string {
  return [...clients]
    .map(
      ([from, name], i) =>
        `import { ${name} as C${i} } from ${JSON.stringify(from)};\nexport const c${i} = new C${i}({});`,
    )
    .join('\n');
}

/** Milliseconds a fresh process takes to require the bundle: Node.js's own start-up is the same for both. */
function loadMs(file: string): number {
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
  const run = spawnSync(process.execPath, ['--enable-source-maps', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  if (run.status !== 0) throw new Error(`Loading ${file} failed: ${run.stderr}`);
  return Number(run.stdout);
}

function report(measured: readonly Measured[], options: ColdLoadOptions): { markdown: string; targets: Target[] } {
  const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
  const rows = measured.map(({ handler, backend, clients, ours, baseline, oursMs, baselineMs, ratio }) => [
    handler,
    backend ?? '-',
    clients.map((client) => client.replace('@aws-sdk/', '')).join(', ') || 'none',
    `${kb(ours.bytes)} + ${kb(ours.mapBytes)} map`,
    `${kb(baseline.bytes)} + ${kb(baseline.mapBytes)} map`,
    spread(oursMs, 'ms', 1),
    spread(baselineMs, 'ms', 1),
    `${ratio.median.toFixed(2)}x (${ratio.min.toFixed(2)}-${ratio.max.toFixed(2)})`,
  ]);
  const targets = measured.map(({ handler, backend, ratio }) =>
    target(
      `cold load of ${handler}${backend === undefined ? '' : ` (${backend})`} / its SDK-only bundle`,
      '<= 1.25x',
      `${ratio.median.toFixed(2)}x`,
      ratio.median <= 1.25,
    ),
  );
  const markdown = [
    '### Cold load per Lambda',
    '',
    `Time to \`require\` the bundle in a fresh \`node --enable-source-maps\` process, median (min-max) of ${options.rounds} ` +
      'alternating runs after one warm-up run; ratio: the median (min-max) of the ratios of the same run. Baseline: a bundle that makes only the SDK clients named, as ours are made when they load: the client ' +
      "classes our own files import, from the packages with code in the bundle (both from the bundle's metafile). " +
      "Bundles as the CDK app builds them, with the benchmark's Node.js as the target; a Lambda that builds the " +
      "review port is bundled once for each review backend it is deployed with, with that backend's adapter only.",
    '',
    table(
      ['Lambda', 'review backend', 'SDK clients', 'bundle', 'SDK-only bundle', 'load', 'SDK-only load', 'ratio'],
      rows,
    ),
  ].join('\n');
  return { markdown, targets };
}
