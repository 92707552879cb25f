/**
 * The labels a reviewer can give, read from the task template: the literal `categories` of its one crowd-classifier
 * (like `categories="['-1', '0', '1']"`) and the classifier's `name`, under which the answer arrives
 * (`answerContent: {<name>: {label}}`). The predict API refuses a model label outside the set; the collector records
 * an answer outside it as invalid, never as training data.
 */

export interface LabelSet {
  /** The answerContent field that holds `{label}`; unknown when the labels come from configuration. */
  readonly field?: string;
  readonly labels: readonly string[];
}

/** undefined when the template has no crowd-classifier, several, or categories that Liquid fills in at run time. */
export function templateLabelSet(template: string): LabelSet | undefined {
  const tags = [...template.matchAll(/<crowd-classifier(?![-\w])([^>]*)>/g)].map((match) => match[1]);
  if (tags.length !== 1) return undefined;
  const categories = attribute(tags[0], 'categories');
  if (categories === undefined || /{{|{%/.test(categories)) return undefined;
  const labels = parseCategories(categories);
  if (labels === undefined || labels.length === 0) return undefined;
  return { field: attribute(tags[0], 'name'), labels };
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(tag);
  return match ? decodeEntities(match[1] ?? match[2]) : undefined;
}

function decodeEntities(text: string): string {
  return text.replace(/&(quot|#34|apos|#39|amp);/g, (_, entity: string) =>
    entity === 'amp' ? '&' : entity === 'quot' || entity === '#34' ? '"' : "'",
  );
}

/** A JSON array, or the JavaScript form with single-quoted strings that AWS's templates use. */
function parseCategories(text: string): string[] | undefined {
  const json = text.replace(/'((?:[^'\\]|\\.)*)'/g, (_, inner: string) => JSON.stringify(inner.replace(/\\'/g, "'")));
  try {
    const value = JSON.parse(json) as unknown;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' || typeof v === 'number')) return undefined;
    return value.map(String);
  } catch {
    return undefined;
  }
}

/** A label set read back from JSON (the environment, a loop's input), or undefined when it is not one. */
export function asLabelSet(value: unknown): LabelSet | undefined {
  const set = value as Partial<LabelSet> | null | undefined;
  const valid =
    Array.isArray(set?.labels) &&
    set.labels.length > 0 &&
    set.labels.every((label) => typeof label === 'string') &&
    (set.field === undefined || typeof set.field === 'string');
  return valid ? { field: set.field, labels: set.labels } : undefined;
}

/** Whether a label (a model's, or a worker's) is one of the set; numbers compare by their text, as `-1` and `"-1"`. */
export function inLabelSet(set: LabelSet, label: unknown): boolean {
  return (typeof label === 'string' || typeof label === 'number') && set.labels.includes(String(label));
}
