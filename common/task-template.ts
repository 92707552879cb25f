/**
 * Renders a worker task template the way SageMaker does: Liquid with every `{{ }}` auto-escaped, `escape` that does
 * not double-escape, `escape_once`, `skip_autoescape`, `to_json` and `grant_read_access`. Unknown filters and variables
 * missing from the input are errors, so a template mistake shows before a worker sees it. Used by the operator CLI
 * (`template render`) and by local mode's worker portal.
 */
import { Liquid } from 'liquidjs';

export interface RenderOptions {
  /**
   * What `grant_read_access` turns an S3 object into (SageMaker: a short-lived pre-signed HTTPS URL).
   * @default an unsigned `https://<bucket>.s3.amazonaws.com/<key>` URL (an offline preview cannot sign)
   */
  readonly grantReadAccess?: (bucket: string, key: string) => string | Promise<string>;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/** Liquid hands filters strings, numbers, booleans, null; anything else prints as Liquid would (JSON). */
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

/** `s3://bucket/key` or `https://s3.amazonaws.com/bucket/key` (or a virtual-host S3 URL) -> bucket and key. */
export function s3Location(uri: string): { bucket: string; key: string } | undefined {
  const match =
    /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) ??
    /^https:\/\/s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com\/([^/]+)\/(.+)$/.exec(uri) ??
    /^https:\/\/([^/.]+)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com\/(.+)$/.exec(uri);
  return match ? { bucket: match[1], key: match[2] } : undefined;
}

export function createTemplateEngine(options: RenderOptions = {}): Liquid {
  const engine = new Liquid({
    outputEscape: 'escape',
    strictFilters: true,
    strictVariables: true,
    ownPropertyOnly: true,
  });
  // Raw filters: their output is final, so auto-escape does not escape it again.
  engine.registerFilter('escape', { handler: escapeHtml, raw: true });
  engine.registerFilter('escape_once', { handler: escapeOnce, raw: true });
  engine.registerFilter('skip_autoescape', { handler: (value: unknown) => value, raw: true });
  engine.registerFilter('to_json', (value: unknown) => JSON.stringify(value) ?? 'null');
  const grant =
    options.grantReadAccess ?? ((bucket: string, key: string) => `https://${bucket}.s3.amazonaws.com/${key}`);
  engine.registerFilter('grant_read_access', (value: unknown) => {
    const location = s3Location(String(value));
    if (location === undefined) throw new Error(`grant_read_access needs an S3 URI, got ${JSON.stringify(value)}`);
    return grant(location.bucket, location.key);
  });
  return engine;
}

/**
 * Warnings about a template that renders but may show workers the wrong thing. SageMaker does not document whether it
 * escapes the output of `to_json`; AWS's own samples write `to_json | escape`, which is safe either way.
 */
export function templateWarnings(template: string): string[] {
  const warnings: string[] = [];
  for (const match of template.matchAll(/{{-?([\s\S]*?)-?}}/g)) {
    const filters = match[1]
      .split('|')
      .slice(1)
      .map((filter) => filter.split(':')[0].trim());
    const toJson = filters.indexOf('to_json');
    if (toJson === -1 || filters.slice(toJson + 1).some((f) => f === 'escape' || f === 'escape_once')) continue;
    const line = template.slice(0, match.index).split('\n').length;
    warnings.push(
      `line ${line}: ${match[0].trim()} uses to_json without | escape after it; SageMaker does not document ` +
        'whether it escapes to_json output, so write to_json | escape (as AWS samples do)',
    );
  }
  return warnings;
}

/** The template with `task.input` set to the loop's input. */
export async function renderTaskTemplate(
  template: string,
  input: unknown,
  options: RenderOptions = {},
): Promise<string> {
  return (await createTemplateEngine(options).parseAndRender(template, { task: { input } })) as string;
}
