/**
 * Renders a worker task template the way SageMaker does: Liquid with every `{{ }}` auto-escaped (`"` as `&quot;`,
 * `'` as `&#39;`), `escape` that does not double-escape, `escape_once`, `skip_autoescape`, `to_json` and
 * `grant_read_access` (also called `s3_presign`). An object or array printed without `to_json` prints as compact JSON,
 * escaped, as SageMaker's does (never `[object Object]`). Unknown filters and variables missing from the input are
 * errors, so a template mistake shows before a worker sees it; a variable tested by `if`/`unless` or given a
 * `default` may be missing. Used by the operator CLI (`template render`, `template lint`) and by the worker portal.
 *
 * Also the Liquid half of `template lint` (liquidFindings): syntax, unknown filters, variables SageMaker does not
 * provide or the sample input lacks, and a sample render. What the rules rest on: docs/crowd-elements.md.
 */
import type { Template } from 'liquidjs';
import { Liquid } from 'liquidjs';

export interface RenderOptions {
  /**
   * What `grant_read_access` turns an S3 object into (SageMaker: a short-lived pre-signed HTTPS URL).
   * @default an unsigned `https://<bucket>.s3.amazonaws.com/<key>` URL (an offline preview cannot sign)
   */
  readonly grantReadAccess?: (bucket: string, key: string) => string | Promise<string>;
  /**
   * Whether a variable the input lacks is an error. The CLI and the lint render strictly, so a template mistake shows
   * before a worker sees it; the portal renders as SageMaker's Liquid does, printing nothing for a missing variable,
   * so a template that works on AWS is never an unanswerable task here.
   * @default true
   */
  readonly strictVariables?: boolean;
}

/** One thing `template lint` reports, at a line of the template (1-based). */
export interface TemplateFinding {
  readonly line: number;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** Ruby's CGI.escapeHTML, which Shopify Liquid's `escape` uses: the docs show `&#39;`, a real render `&quot;`. */
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** What a printed value looks like before escaping: objects and arrays as compact JSON, nil as nothing. */
function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? '';
}

function escapeHtml(value: unknown): string {
  return text(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** Escapes, leaving entities that are already there alone. */
function escapeOnce(value: unknown): string {
  return text(value).replace(/&(?!(?:[a-zA-Z][a-zA-Z0-9]*|#[0-9]+|#x[0-9a-fA-F]+);)|[<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * The S3 hosts AWS documents (path-style `s3.amazonaws.com`, `s3.<region>`, legacy `s3-<region>`, dual-stack;
 * virtual-hosted `<bucket>.` in front of any of them; `.com.cn` in China). Group 1: the bucket of a virtual-hosted URL.
 */
const S3_HOST = /^(?:(.+)\.)?s3(?:[.-]dualstack)?(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/;

/** A URL path's segment as S3 sees it (a key is percent-encoded in a URL, not in an `s3://` URI). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * `s3://bucket/key`, or an `http(s)://` S3 URL, path-style (`https://s3.amazonaws.com/bucket/key`, also regional) or
 * virtual-hosted (`https://bucket.s3.eu-west-1.amazonaws.com/key`) -> bucket and key; undefined for anything else.
 * A URL's query and fragment are not part of the key; an `s3://` URI's key is taken as written.
 */
export function s3Location(uri: string): { bucket: string; key: string } | undefined {
  const s3Uri = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (s3Uri) return { bucket: s3Uri[1], key: s3Uri[2] };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  const host = S3_HOST.exec(url.hostname);
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || host === null) return undefined;
  const segments = url.pathname.split('/').slice(1).map(decodeSegment);
  const [bucket, key] = host[1] ? [host[1], segments.join('/')] : [segments[0], segments.slice(1).join('/')];
  return bucket && key ? { bucket, key } : undefined;
}

/** An offline preview's grant: the object's virtual-hosted URL, unsigned, its key percent-encoded. */
function unsignedUrl(bucket: string, key: string): string {
  return `https://${bucket}.s3.amazonaws.com/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Shopify Liquid's standard filters (lib/liquid/standard_filters.rb, 4.x and 5.x), which SageMaker's Liquid has;
 * liquidjs's own extras (`raw`, `json`, `where_exp`, Jekyll's date filters...) are taken out, so a template using one
 * fails here as it would on AWS.
 */
const SHOPIFY_FILTERS = new Set([
  ...['size', 'downcase', 'upcase', 'capitalize', 'escape', 'escape_once', 'url_encode', 'url_decode'],
  ...['base64_encode', 'base64_decode', 'base64_url_safe_encode', 'base64_url_safe_decode', 'slice', 'truncate'],
  ...['truncatewords', 'split', 'strip', 'lstrip', 'rstrip', 'strip_html', 'strip_newlines', 'join', 'sort'],
  ...['sort_natural', 'where', 'reject', 'has', 'find', 'find_index', 'uniq', 'reverse', 'map', 'compact', 'replace'],
  ...['replace_first', 'replace_last', 'remove', 'remove_first', 'remove_last', 'append', 'concat', 'prepend'],
  ...['newline_to_br', 'date', 'first', 'last', 'abs', 'plus', 'minus', 'times', 'divided_by', 'modulo', 'round'],
  ...['ceil', 'floor', 'at_least', 'at_most', 'default', 'sum'],
]);

function newEngine(options: RenderOptions, strict: { strictFilters: boolean; strictVariables: boolean }): Liquid {
  const engine = new Liquid({
    outputEscape: escapeHtml,
    ...strict,
    lenientIf: true,
    ownPropertyOnly: true,
  });
  for (const name of Object.keys(engine.filters)) if (!SHOPIFY_FILTERS.has(name)) delete engine.filters[name];
  // Raw filters: their output is final, so auto-escape does not escape it again.
  engine.registerFilter('escape', { handler: escapeHtml, raw: true });
  engine.registerFilter('h', { handler: escapeHtml, raw: true });
  engine.registerFilter('escape_once', { handler: escapeOnce, raw: true });
  engine.registerFilter('skip_autoescape', { handler: text, raw: true });
  engine.registerFilter('to_json', (value: unknown) => JSON.stringify(value) ?? 'null');
  const grant = options.grantReadAccess ?? unsignedUrl;
  const grantReadAccess = (value: unknown) => {
    const location = s3Location(String(value));
    if (location === undefined)
      throw new Error(
        `grant_read_access needs an S3 URI (s3://bucket/key or an S3 http(s) URL), got ${JSON.stringify(value)}`,
      );
    return grant(location.bucket, location.key);
  };
  engine.registerFilter('grant_read_access', grantReadAccess);
  // The current developer guide: "The s3_presign filter works the same way as the grant_read_access filter."
  engine.registerFilter('s3_presign', grantReadAccess);
  return engine;
}

export function createTemplateEngine(options: RenderOptions = {}): Liquid {
  return newEngine(options, { strictFilters: true, strictVariables: options.strictVariables ?? true });
}

/** The template with `task.input` set to the loop's input. */
export async function renderTaskTemplate(
  template: string,
  input: unknown,
  options: RenderOptions = {},
): Promise<string> {
  return (await createTemplateEngine(options).parseAndRender(template, { task: { input } })) as string;
}

/** A `{{ }}` or `{% %}` in the template, with where it starts; raw and comment blocks' insides are not markup. */
interface Markup {
  readonly kind: 'output' | 'tag';
  readonly offset: number;
  /** The whole `{{ ... }}` or `{% ... %}`. */
  readonly source: string;
  /** For a tag: its name (`if`, `assign`, ...). */
  readonly name: string;
}

const MARKUP = /{{-?[\s\S]*?-?}}|{%-?\s*(#|\w+)[\s\S]*?-?%}/g;

function markupOf(template: string): Markup[] {
  const found: Markup[] = [];
  const pattern = new RegExp(MARKUP.source, 'g');
  for (let match = pattern.exec(template); match !== null; match = pattern.exec(template)) {
    const name = match[1] ?? '';
    found.push({ kind: match[0].startsWith('{{') ? 'output' : 'tag', offset: match.index, source: match[0], name });
    if (name !== 'raw' && name !== 'comment') continue;
    const end = new RegExp(`{%-?\\s*end${name}\\s*-?%}`, 'g');
    end.lastIndex = pattern.lastIndex;
    const close = end.exec(template);
    if (close === null) break;
    found.push({ kind: 'tag', offset: close.index, source: close[0], name: `end${name}` });
    pattern.lastIndex = end.lastIndex;
  }
  return found;
}

/**
 * The template with its Liquid blanked out, same length and lines, for scanning the HTML: `{{ }}` becomes `_`s (an
 * attribute filled by Liquid stays non-empty), tags become spaces, a comment block's inside too.
 */
export function maskLiquid(template: string): string {
  const blank = (part: string, fill: string) => part.replace(/[^\n]/g, fill);
  let masked = '';
  let at = 0;
  let inComment = false;
  for (const markup of markupOf(template)) {
    const between = template.slice(at, markup.offset);
    masked += inComment ? blank(between, ' ') : between;
    masked += blank(markup.source, markup.kind === 'output' ? '_' : ' ');
    at = markup.offset + markup.source.length;
    if (markup.name === 'comment') inComment = true;
    if (markup.name === 'endcomment') inComment = false;
  }
  return masked + (inComment ? blank(template.slice(at), ' ') : template.slice(at));
}

/** The 1-based line of an offset in `text`, found by binary search over where lines start. */
export function lineOf(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let [low, high] = [0, starts.length - 1];
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}

const TO_JSON_ADVICE =
  'uses to_json without | escape after it; SageMaker does not document whether it escapes to_json output, so write ' +
  'to_json | escape (as AWS samples do)';

/** Filter names of a `{{ }}` or `{% %}`, with their offsets in it (quoted strings are not looked into). */
function filtersIn(source: string): Array<{ name: string; at: number }> {
  const unquoted = source.replace(/"[^"]*"|'[^']*'/g, (quoted) => ' '.repeat(quoted.length));
  return [...unquoted.matchAll(/\|\s*([A-Za-z_][\w-]*)/g)].map((match) => ({
    name: match[1],
    at: match.index + match[0].length - match[1].length,
  }));
}

function toJsonFindings(template: string): TemplateFinding[] {
  const lineAt = lineOf(template);
  const findings: TemplateFinding[] = [];
  for (const markup of markupOf(template)) {
    if (markup.kind !== 'output') continue;
    const filters = filtersIn(markup.source).map((filter) => filter.name);
    const toJson = filters.indexOf('to_json');
    if (toJson === -1 || filters.slice(toJson + 1).some((f) => f === 'escape' || f === 'escape_once')) continue;
    const line = lineAt(markup.offset);
    findings.push({ line, severity: 'warning', message: `${markup.source.trim()} ${TO_JSON_ADVICE}` });
  }
  return findings;
}

/**
 * Warnings about a template that renders but may show workers the wrong thing. SageMaker does not document whether it
 * escapes the output of `to_json`; AWS's own samples write `to_json | escape`, which is safe either way.
 */
export function templateWarnings(template: string): string[] {
  return toJsonFindings(template).map((finding) => `line ${finding.line}: ${finding.message}`);
}

/** The closest of `names` to `name`, when it is close enough to be a typo. */
export function closestName(name: string, names: Iterable<string>): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of names) {
    const distance = editDistance(name, candidate);
    if (best === undefined || distance < best.distance) best = { name: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 4)) ? best.name : undefined;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

function unknownFilterFindings(template: string, known: readonly string[]): TemplateFinding[] {
  const lineAt = lineOf(template);
  const findings: TemplateFinding[] = [];
  for (const markup of markupOf(template)) {
    for (const filter of filtersIn(markup.source)) {
      if (known.includes(filter.name)) continue;
      const suggestion = closestName(filter.name, known);
      findings.push({
        line: lineAt(markup.offset + filter.at),
        severity: 'error',
        message: `unknown Liquid filter ${filter.name}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
      });
    }
  }
  return findings;
}

/** A liquidjs error's message without its ", line:x, col:y", and its line. */
function liquidError(error: unknown): { line: number; message: string } {
  const message = (error as Error).message.replace(/, line:\d+, col:\d+$/, '');
  const token = (error as { token?: { getPosition?: () => [number, number] } }).token;
  return { line: token?.getPosition?.()[0] ?? 1, message };
}

type Segment = string | number | { segments: readonly Segment[] };

/** The first segment the input does not have, as a path (`task.input.a.b`), or undefined when it has them all. */
function missingPath(input: unknown, segments: readonly Segment[]): string | undefined {
  let value = input;
  for (let i = 2; i < segments.length; i++) {
    const segment = segments[i];
    if (typeof segment === 'object') return undefined; // an index Liquid works out at run time
    const next = member(value, segment);
    if (next === undefined) return pathText(segments.slice(0, i + 1));
    value = next.value;
  }
  return undefined;
}

/** `value[segment]` as Liquid reads it (arrays and strings also have size, first, last). */
function member(value: unknown, segment: string | number): { value: unknown } | undefined {
  if (typeof value === 'string') return segment === 'size' ? { value: value.length } : undefined;
  if (Array.isArray(value)) {
    if (segment === 'size') return { value: value.length };
    if (segment === 'first' || segment === 'last')
      return value.length ? { value: value.at(segment === 'first' ? 0 : -1) } : undefined;
    const index = typeof segment === 'number' ? segment : NaN;
    return Number.isInteger(index) && index < value.length && -index <= value.length
      ? { value: value.at(index) }
      : undefined;
  }
  if (value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, segment))
    return { value: (value as Record<string, unknown>)[segment] };
  return undefined;
}

function pathText(segments: readonly Segment[]): string {
  return segments
    .map((segment, i) =>
      typeof segment === 'number'
        ? `[${segment}]`
        : typeof segment === 'object'
          ? '[...]'
          : i
            ? `.${segment}`
            : segment,
    )
    .join('');
}

function offsetOf(template: string, row: number, col: number): number {
  let offset = 0;
  for (let line = 1; line < row; line++) offset = template.indexOf('\n', offset) + 1;
  return offset + col - 1;
}

/** Whether a variable at this offset may be missing: the condition of if/elsif/unless, or given a `default`. */
function mayBeMissing(template: string, markup: readonly Markup[], offset: number): boolean {
  const around = markup.find((m) => m.offset <= offset && offset < m.offset + m.source.length);
  if (around === undefined) return false;
  if (around.kind === 'tag' && ['if', 'elsif', 'unless'].includes(around.name)) return true;
  const rest = template.slice(offset, around.offset + around.source.length);
  return /^[\w.[\]'"-]*\s*\|\s*default\b/.test(rest);
}

/** A variable the template reads from outside (not a local it assigns or loops over), and where. */
interface Read {
  readonly segments: readonly Segment[];
  readonly line: number;
  readonly offset: number;
}

function globalReads(template: string, engine: Liquid, parsed: Template[]): Read[] {
  return Object.values(engine.analyzeSync(parsed).globals)
    .flat()
    .map((variable) => ({
      segments: variable.segments,
      line: variable.location.row,
      offset: offsetOf(template, variable.location.row, variable.location.col),
    }));
}

/** A stretch of the template that runs only when its guards (the variables of an if or elsif) are there. */
interface Branch {
  readonly start: number;
  end: number;
  readonly guards: ReadonlyArray<readonly Segment[]>;
}

interface Block {
  readonly name: string;
  readonly condition: ReadonlyArray<readonly Segment[]>;
  branch?: Branch;
}

const BLOCKS = new Set(['if', 'unless', 'case', 'for', 'tablerow']);

/** The branches of if/elsif (and unless's else) with the variables they test. */
function guardedBranches(markup: readonly Markup[], reads: readonly Read[]): Branch[] {
  const branches: Branch[] = [];
  const stack: Block[] = [];
  const open = (block: Block, at: number, guards: ReadonlyArray<readonly Segment[]>) => {
    block.branch = { start: at, end: at, guards };
    branches.push(block.branch);
  };
  for (const tag of markup.filter((m) => m.kind === 'tag')) {
    const end = tag.offset + tag.source.length;
    const condition = reads.filter((r) => r.offset >= tag.offset && r.offset < end).map((r) => r.segments);
    const top = stack.at(-1);
    if (top?.branch && ['elsif', 'else', `end${top.name}`].includes(tag.name)) top.branch.end = tag.offset;
    if (BLOCKS.has(tag.name)) {
      stack.push({ name: tag.name, condition });
      if (tag.name === 'if' || tag.name === 'unless')
        open(stack[stack.length - 1], end, tag.name === 'if' ? condition : []);
    } else if (top && tag.name === 'elsif' && top.name === 'if') open(top, end, condition);
    else if (top && tag.name === 'else' && (top.name === 'if' || top.name === 'unless'))
      open(top, end, top.name === 'unless' ? top.condition : []);
    else if (top && tag.name === `end${top.name}`) stack.pop();
  }
  return branches.filter((branch) => branch.guards.length > 0);
}

/** Whether the sample skips the part of the template at this offset: a branch whose test reads what it lacks. */
function skipped(branches: readonly Branch[], offset: number, input: unknown): boolean {
  return branches.some(
    (branch) =>
      branch.start <= offset &&
      offset < branch.end &&
      branch.guards.some((guard) => guard[0] === 'task' && missingPath(input, guard) !== undefined),
  );
}

/** Why a read is wrong whatever the input: it is not task.input's. */
function unprovided(read: Read): string | undefined {
  const path = pathText(read.segments);
  if (read.segments[0] !== 'task')
    return `reads ${path}, which SageMaker does not provide (a task template gets task.input)`;
  if (read.segments.length > 1 && read.segments[1] !== 'input')
    return `reads ${path}; SageMaker's task has only task.input`;
  return undefined;
}

/** What the template reads that SageMaker does not provide, or (with a sample input) that the input lacks. */
function variableFindings(
  template: string,
  engine: Liquid,
  parsed: Template[],
  sample?: Sample,
): Array<TemplateFinding & { path: string }> {
  const markup = markupOf(template);
  const reads = globalReads(template, engine, parsed);
  const branches = sample === undefined ? [] : guardedBranches(markup, reads);
  const findings = new Map<string, TemplateFinding & { path: string }>();
  const add = (line: number, message: string, path: string) =>
    findings.set(`${line}:${message}`, { line, severity: 'error', message, path });
  for (const read of reads) {
    const wrong = unprovided(read);
    if (wrong !== undefined) add(read.line, wrong, pathText(read.segments));
    if (wrong !== undefined || sample === undefined) continue;
    const missing = missingPath(sample.input, read.segments);
    if (missing === undefined || mayBeMissing(template, markup, read.offset)) continue;
    if (!skipped(branches, read.offset, sample.input))
      add(read.line, `reads ${missing}, which the sample input does not provide`, missing);
  }
  return [...findings.values()];
}

/** A sample input for `task.input`. */
export interface Sample {
  readonly input: unknown;
}

/** Renders with the sample input; the error it stops at, if any. */
async function renderError(template: string, sample: Sample, strictVariables: boolean) {
  try {
    await newEngine({}, { strictFilters: false, strictVariables }).parseAndRender(template, {
      task: { input: sample.input },
    });
    return undefined;
  } catch (error) {
    return liquidError(error);
  }
}

/**
 * What only running shows (a grant of something that is not in S3, a loop variable's missing member): a render that
 * lets missing variables be, then a strict one. Each stops at its first error, which is left out when it comes from a
 * variable already reported (the same variable, or on the line of one).
 */
async function renderFindings(
  template: string,
  sample: Sample,
  earlier: ReadonlyArray<TemplateFinding & { path?: string }>,
): Promise<TemplateFinding[]> {
  const findings: TemplateFinding[] = [];
  for (const strictVariables of [false, true]) {
    const error = await renderError(template, sample, strictVariables);
    if (error === undefined || findings.some((finding) => finding.line === error.line)) continue;
    if (earlier.some((finding) => finding.path !== undefined && finding.line === error.line)) continue;
    const variable = /^undefined variable: (\S+)/.exec(error.message)?.[1];
    const same = (path?: string) => variable !== undefined && (path === variable || !!path?.startsWith(`${variable}.`));
    if (earlier.some((finding) => same(finding.path))) continue;
    findings.push({
      line: error.line,
      severity: 'error',
      message: `does not render with the sample input: ${error.message}`,
    });
  }
  return findings;
}

/**
 * The Liquid findings of `template lint`: a syntax error, unknown filters, variables SageMaker does not provide,
 * `to_json` without `escape`, and with a sample input the variables it lacks and a render that fails.
 */
export async function liquidFindings(template: string, sample?: Sample): Promise<TemplateFinding[]> {
  const engine = newEngine({}, { strictFilters: false, strictVariables: true });
  const findings = [...unknownFilterFindings(template, Object.keys(engine.filters)), ...toJsonFindings(template)];
  let parsed: Template[];
  try {
    parsed = engine.parse(template);
  } catch (error) {
    const { line, message } = liquidError(error);
    return [...findings, { line, severity: 'error', message: `Liquid: ${message}` }];
  }
  const variables = variableFindings(template, engine, parsed, sample);
  const rendered = sample === undefined ? [] : await renderFindings(template, sample, [...findings, ...variables]);
  return [...findings, ...variables.map(({ line, severity, message }) => ({ line, severity, message })), ...rendered];
}
