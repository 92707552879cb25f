/**
 * template render: a task template rendered offline with SageMaker's Liquid semantics.
 * template lint: what would go wrong with a template on A2I or in our portal, one line per finding
 * (`file:line: error|warning: message`); exit 1 when there is an error.
 *
 * The lint reads the HTML with a small tag scanner of its own rather than an HTML parser: none is a dependency (parse5
 * is not installed), and the checks need only start and end tags, their attributes and line numbers, which a parser's
 * tree would have to be mapped back to. Liquid is blanked out first, keeping lengths and lines (maskLiquid), so a tag
 * that Liquid fills in (`name="{{ ... }}"`) still reads as filled and line numbers stay those of the file. Comments and
 * the insides of script, style and textarea are skipped, as a browser does. The Liquid checks are in
 * common/task-template.ts (liquidFindings).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Sample, TemplateFinding } from '../../common/task-template';
import {
  closestName,
  lineOf,
  liquidFindings,
  maskLiquid,
  renderTaskTemplate,
  templateWarnings,
} from '../../common/task-template';
import type { CliContext } from '../context';
import { CliError, EXIT, usageError } from '../errors';

export const TEMPLATE_HELP = `Usage: review-pipeline template render <file> --input <json | @file.json> --out <file.html>
       review-pipeline template lint <file> [--input <json | @file.json>]

render: renders the template with task.input set to the given input, as SageMaker would: every {{ }} auto-escaped
  (an object or array prints as JSON), escape, escape_once, skip_autoescape, to_json and grant_read_access (an
  unsigned S3 URL offline). Fails (exit 1) on an unknown filter or a variable the input does not have; warns about
  to_json without | escape.
lint: prints each finding as file:line: error|warning: message, and exits 1 when there is an error (warnings alone
  exit 0). Errors: a crowd-* tag that is not an AWS crowd element (with the closest name), no answer field (no named
  crowd element, input, select or textarea), no crowd-form, crowd-entity-annotation inside crowd-form, over 128,000
  characters, a Liquid syntax error or unknown filter, a variable SageMaker does not provide; with --input also a
  variable the sample input does not have and a render that fails. Warnings: an AWS element the portal does not
  implement yet, to_json without | escape.
Needs neither AWS nor a local server (--local changes nothing here).`;

export async function template(context: CliContext, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'render') return render(context, rest);
  if (action === 'lint') return lint(context, rest);
  throw usageError(`Unknown template command "${action ?? ''}".\n\n${TEMPLATE_HELP}`);
}

async function render(context: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { input: { type: 'string' }, out: { type: 'string' } },
  });
  if (positionals.length !== 1 || values.input === undefined || values.out === undefined)
    throw usageError(TEMPLATE_HELP);
  const [file] = positionals;
  const source = readTemplate(file);
  const input = parseInput(values.input);
  for (const warning of templateWarnings(source)) context.io.err(`warning: ${file}: ${warning}`);
  try {
    const html = await renderTaskTemplate(source, input);
    context.io.writeFile(values.out, html);
  } catch (error) {
    throw new CliError(EXIT.failed, `${file}: ${(error as Error).message}`);
  }
  context.io.err(`rendered ${file} to ${values.out}`);
  return EXIT.ok;
}

async function lint(context: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { input: { type: 'string' } } });
  if (positionals.length !== 1) throw usageError(TEMPLATE_HELP);
  const [file] = positionals;
  const source = readTemplate(file);
  const sample = values.input === undefined ? undefined : { input: parseInput(values.input) };
  const findings = await lintTemplate(source, { sample, implemented: implementedElements() });
  for (const finding of findings) context.io.out(`${file}:${finding.line}: ${finding.severity}: ${finding.message}`);
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  const warnings = findings.length - errors;
  context.io.err(`${file}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
  return errors ? EXIT.failed : EXIT.ok;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

function readTemplate(file: string): string {
  if (!fs.existsSync(file)) throw new CliError(EXIT.notFound, `No template file ${file}`);
  return fs.readFileSync(file, 'utf8');
}

/** `--input`: JSON, or `@file` holding JSON. */
function parseInput(value: string): unknown {
  const inputText = value.startsWith('@') ? readInputFile(value.slice(1)) : value;
  try {
    return JSON.parse(inputText);
  } catch (error) {
    throw usageError(`--input is not JSON: ${(error as Error).message}`);
  }
}

function readInputFile(file: string): string {
  if (!fs.existsSync(file)) throw new CliError(EXIT.notFound, `No input file ${file}`);
  return fs.readFileSync(file, 'utf8');
}

/**
 * AWS's crowd HTML elements (the SageMaker developer guide's element reference, plus crowd-slider-label,
 * crowd-text-ranking and crowd-question-answer-generation, which AWS's own sample templates use); see
 * docs/crowd-elements.md.
 */
export const AWS_CROWD_ELEMENTS: readonly string[] = [
  'crowd-alert',
  'crowd-badge',
  'crowd-bounding-box',
  'crowd-button',
  'crowd-card',
  'crowd-checkbox',
  'crowd-classifier',
  'crowd-classifier-multi-select',
  'crowd-entity-annotation',
  'crowd-fab',
  'crowd-form',
  'crowd-icon-button',
  'crowd-image-classifier',
  'crowd-image-classifier-multi-select',
  'crowd-input',
  'crowd-instance-segmentation',
  'crowd-instructions',
  'crowd-keypoint',
  'crowd-line',
  'crowd-modal',
  'crowd-polygon',
  'crowd-polyline',
  'crowd-question-answer-generation',
  'crowd-radio-button',
  'crowd-radio-group',
  'crowd-rekognition-detect-moderation-labels',
  'crowd-semantic-segmentation',
  'crowd-slider',
  'crowd-slider-label',
  'crowd-tab',
  'crowd-tabs',
  'crowd-text-area',
  'crowd-text-ranking',
  'crowd-textract-analyze-document',
  'crowd-toast',
  'crowd-toggle-button',
];

/** The AWS elements that put an answer under their `name`. */
const ANSWERING_ELEMENTS = new Set([
  'crowd-bounding-box',
  'crowd-checkbox',
  'crowd-classifier',
  'crowd-classifier-multi-select',
  'crowd-entity-annotation',
  'crowd-image-classifier',
  'crowd-image-classifier-multi-select',
  'crowd-input',
  'crowd-instance-segmentation',
  'crowd-keypoint',
  'crowd-line',
  'crowd-polygon',
  'crowd-polyline',
  'crowd-question-answer-generation',
  'crowd-radio-button',
  'crowd-semantic-segmentation',
  'crowd-slider',
  'crowd-text-area',
  'crowd-text-ranking',
  'crowd-toggle-button',
]);

/** The AWS elements that answer under a fixed key (`AWS/Textract/...`), with or without a name. */
const FIXED_KEY_ELEMENTS = new Set(['crowd-rekognition-detect-moderation-labels', 'crowd-textract-analyze-document']);

/** Where the portal's crowd elements are (crowd-core.js, crowd-text.js, ...). */
export const PORTAL_ASSETS_DIR = path.join(__dirname, '..', '..', 'lambda', 'portal', 'assets');

/**
 * The crowd-* tags our portal defines, read from its scripts now (`defineAnswering('crowd-x', ...)`,
 * `customElements.define('crowd-x', ...)`), so the lint follows the portal as elements are added.
 */
export function implementedElements(dir: string = PORTAL_ASSETS_DIR): Set<string> {
  const tags = new Set<string>();
  const scripts = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^crowd-.*\.js$/.test(f)) : [];
  for (const script of scripts) {
    const code = fs.readFileSync(path.join(dir, script), 'utf8');
    for (const match of code.matchAll(/\bdefine\w*\(\s*(['"`])(crowd-[a-z0-9-]+)\1/g)) tags.add(match[2]);
  }
  return tags;
}

/** A start tag in the template. */
interface StartTag {
  readonly name: string;
  readonly line: number;
  readonly attributes: ReadonlyMap<string, string>;
  /** Whether a crowd-form was open where it starts. */
  readonly inCrowdForm: boolean;
}

/** Elements whose content is text to a browser, not markup. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes']);

const TAG = /<(\/?)([A-Za-z][^\s/>]*)/y;
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/y;

/** The start tags of an HTML text (its Liquid masked), in order. */
function startTags(html: string): StartTag[] {
  const lineAt = lineOf(html);
  const tags: StartTag[] = [];
  let crowdForms = 0;
  let at = html.indexOf('<');
  while (at !== -1) {
    TAG.lastIndex = at;
    const tag = TAG.exec(html);
    if (tag === null) {
      at = html.indexOf('<', skipNonTag(html, at));
      continue;
    }
    const name = tag[2].toLowerCase();
    const { attributes, end } = readAttributes(html, TAG.lastIndex);
    if (tag[1]) {
      if (name === 'crowd-form') crowdForms = Math.max(0, crowdForms - 1);
    } else {
      tags.push({ name, line: lineAt(at), attributes, inCrowdForm: crowdForms > 0 });
      if (name === 'crowd-form') crowdForms++;
    }
    at = html.indexOf('<', !tag[1] && RAW_TEXT.has(name) ? rawTextEnd(html, end, name) : end);
  }
  return tags;
}

/** Past a `<` that does not open a tag: a comment, a doctype or processing instruction, or a lone `<`. */
function skipNonTag(html: string, at: number): number {
  if (html.startsWith('<!--', at)) {
    const close = html.indexOf('-->', at + 4);
    return close === -1 ? html.length : close + 3;
  }
  if (html[at + 1] === '!' || html[at + 1] === '?') {
    const close = html.indexOf('>', at);
    return close === -1 ? html.length : close + 1;
  }
  return at + 1;
}

/** Where a raw-text element's end tag starts. */
function rawTextEnd(html: string, from: number, name: string): number {
  const close = new RegExp(`</${name}[\\s/>]`, 'ig');
  close.lastIndex = from;
  return close.exec(html)?.index ?? html.length;
}

/** A tag's attributes, from just after its name to past its `>`. */
function readAttributes(html: string, from: number): { attributes: Map<string, string>; end: number } {
  const attributes = new Map<string, string>();
  let at = from;
  while (at < html.length && html[at] !== '>') {
    if (/[\s/]/.test(html[at])) {
      at++;
      continue;
    }
    ATTRIBUTE.lastIndex = at;
    const attribute = ATTRIBUTE.exec(html);
    if (attribute === null) {
      at++;
      continue;
    }
    const name = attribute[1].toLowerCase();
    if (!attributes.has(name)) attributes.set(name, attribute[2] ?? attribute[3] ?? attribute[4] ?? '');
    at = ATTRIBUTE.lastIndex;
  }
  return { attributes, end: at + 1 };
}

/** Unknown crowd-* tags (each, with the closest AWS name), and AWS elements the portal lacks (once per element). */
function elementFindings(tags: readonly StartTag[], implemented: ReadonlySet<string>): TemplateFinding[] {
  const findings: TemplateFinding[] = [];
  const missing = new Map<string, { line: number; count: number }>();
  for (const tag of tags.filter((t) => t.name.startsWith('crowd-'))) {
    if (!AWS_CROWD_ELEMENTS.includes(tag.name)) {
      const suggestion = closestName(tag.name, AWS_CROWD_ELEMENTS);
      const ours = implemented.has(tag.name) ? ' (our portal defines it; A2I would not)' : '';
      const hint = suggestion ? `; did you mean ${suggestion}?` : ours;
      findings.push({ line: tag.line, severity: 'error', message: `<${tag.name}> is not an AWS crowd element${hint}` });
    } else if (!implemented.has(tag.name)) {
      const seen = missing.get(tag.name);
      missing.set(tag.name, { line: seen?.line ?? tag.line, count: (seen?.count ?? 0) + 1 });
    }
  }
  for (const [name, { line, count }] of missing) {
    const more = count > 1 ? ` (used ${count} times)` : '';
    const message = `<${name}> is an AWS crowd element the portal does not implement yet${more}; workers in local mode and on the self-hosted backend cannot answer with it`;
    findings.push({ line, severity: 'warning', message });
  }
  return findings;
}

const NOT_ANSWERS = new Set(['submit', 'button', 'reset', 'image']);

/** Whether a tag gives the answer a field: a named answering crowd element, or a named input, select or textarea. */
function isAnswerField(tag: StartTag): boolean {
  if (FIXED_KEY_ELEMENTS.has(tag.name)) return true;
  // AWS's generative-AI elements (crowd-text-ranking, crowd-question-answer-generation) answer into the crowd-form
  // they name by id, under a key of their own, with or without a name.
  if ((tag.attributes.get('crowd-form-element-id') ?? '').trim() !== '') return true;
  const named = (tag.attributes.get('name') ?? '').trim() !== '';
  if (ANSWERING_ELEMENTS.has(tag.name)) return named;
  if (tag.name === 'input') return named && !NOT_ANSWERS.has((tag.attributes.get('type') ?? '').toLowerCase());
  return named && (tag.name === 'select' || tag.name === 'textarea');
}

/** Layout mistakes: nothing to answer with, no form to submit, crowd-entity-annotation inside crowd-form. */
function layoutFindings(tags: readonly StartTag[]): TemplateFinding[] {
  const findings: TemplateFinding[] = [];
  const form = tags.find((tag) => tag.name === 'crowd-form');
  const entity = tags.find((tag) => tag.name === 'crowd-entity-annotation');
  if (form === undefined && entity === undefined)
    findings.push({
      line: 1,
      severity: 'error',
      message: 'no <crowd-form>: workers could not submit (only crowd-entity-annotation brings its own form)',
    });
  if (!tags.some(isAnswerField))
    findings.push({
      line: form?.line ?? 1,
      severity: 'error',
      message:
        'no answer field: no named answering crowd element (crowd-classifier, crowd-input, ...) and no named ' +
        'input, select or textarea, so every answer would be empty',
    });
  for (const tag of tags.filter((t) => t.name === 'crowd-entity-annotation' && t.inCrowdForm))
    findings.push({
      line: tag.line,
      severity: 'error',
      message:
        '<crowd-entity-annotation> inside <crowd-form>: AWS says not to use it with crowd-form (it has its own ' +
        'form and Submit button)',
    });
  return findings;
}

/** A2I's HumanTaskUi takes a template of at most this many characters (UiTemplate Content). */
export const MAX_TEMPLATE_CHARACTERS = 128_000;

function sizeFindings(source: string): TemplateFinding[] {
  if (source.length <= MAX_TEMPLATE_CHARACTERS) return [];
  const message = `the template is ${source.length.toLocaleString('en-US')} characters; A2I's HumanTaskUi takes at most 128,000`;
  return [{ line: 1, severity: 'error', message }];
}

export interface LintOptions {
  /** A sample `task.input`: with it, variables it lacks and a failing render are errors too. */
  readonly sample?: Sample;
  /** The crowd-* tags the portal implements (implementedElements()). */
  readonly implemented: ReadonlySet<string>;
}

/** Every finding for a template, by line. */
export async function lintTemplate(source: string, options: LintOptions): Promise<TemplateFinding[]> {
  const tags = startTags(maskLiquid(source));
  const findings = [
    ...sizeFindings(source),
    ...elementFindings(tags, options.implemented),
    ...layoutFindings(tags),
    ...(await liquidFindings(source, options.sample)),
  ];
  return findings.sort((a, b) => a.line - b.line);
}
