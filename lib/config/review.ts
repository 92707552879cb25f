/** The human review: threshold, task template and task settings, where the answers and the dataset go. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ReviewBackendName } from '../../common/contract';
import { REVIEW_BACKENDS } from '../../common/contract';
import type { LabelSet } from '../../common/label-set';
import { templateLabelSet } from '../../common/label-set';
import { A2I_NAME_PATTERN, A2I_NAME_PREFIX_MAX_LENGTH } from '../../common/names';
import type { ObjectLocation } from '../../common/object-locations';
import { OBJECT_LOCATION_EXPECTED, parseObjectLocation } from '../../common/object-locations';
import type { ContextReader } from './reader';
import { DEFAULTS } from './defaults';

export const TEMPLATES_DIR = path.join(__dirname, '..', '..', 'templates');
export const TEMPLATE_FILE_SUFFIX = '.liquid.html';
export const UI_TEMPLATE_MAX_CHARS = 128_000;

export interface ReviewConfig {
  /**
   * Who runs the reviews: Amazon A2I (the default, so an existing deployment never changes backend on redeploy) or
   * the self-hosted backend (accounts that cannot use A2I).
   */
  readonly backend: ReviewBackendName;
  readonly confidenceThreshold: number;
  readonly resourcePrefix: string;
  readonly taskTemplateName: string;
  readonly taskTemplateContent: string;
  readonly taskCount: number;
  readonly taskTitle: string;
  readonly taskDescription: string;
  readonly taskAvailabilityLifetimeInSeconds: number;
  readonly taskTimeLimitInSeconds: number;
  readonly outputPrefix: string;
  readonly datasetPrefix: string;
  readonly kmsKeyArn?: string;
  /**
   * The labels reviewers may give: the template's crowd-classifier categories, or the `labels` key.
   * @default none known: answers are not checked against a label set
   */
  readonly labelSet?: LabelSet;
  /**
   * Days A2I's output.json files (review text and answers) are kept; the dataset keeps its own copy.
   * @default kept until deleted
   */
  readonly outputRetentionDays?: number;
  /**
   * Where templates may show objects from with `grant_read_access` (explanation images, documents): the portal's or
   * A2I's role may read exactly these.
   * @default none
   */
  readonly taskObjectLocations: readonly ObjectLocation[];
}

const KMS_KEY_ARN =
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const S3_KEY_PREFIX = /^[a-zA-Z0-9!_.*'()-]+(\/[a-zA-Z0-9!_.*'()-]+)*$/;

export function parseReview(ctx: ContextReader): ReviewConfig | undefined {
  const taskTemplateName =
    ctx.string('taskTemplate', {
      pattern: /^[a-z0-9][a-z0-9-]*$/,
      expected: `the name of a file in templates/ without ${TEMPLATE_FILE_SUFFIX}, like sentiment`,
    }) ?? DEFAULTS.taskTemplate;
  const taskTemplateContent = readTemplate(ctx, taskTemplateName);
  const config: ReviewConfig = {
    backend: ctx.oneOf('reviewBackend', REVIEW_BACKENDS) ?? 'a2i',
    confidenceThreshold: ctx.number('confidenceThreshold', 0, 1, { integer: false }) ?? DEFAULTS.confidenceThreshold,
    resourcePrefix:
      ctx.string('resourcePrefix', {
        pattern: A2I_NAME_PATTERN,
        maxLength: A2I_NAME_PREFIX_MAX_LENGTH,
        expected: `1-${A2I_NAME_PREFIX_MAX_LENGTH} lowercase letters, digits or hyphens, not starting or ending with a hyphen (the name gets -<8-character hash> appended and must stay within 63 characters)`,
      }) ?? DEFAULTS.resourcePrefix,
    taskTemplateName,
    taskTemplateContent: taskTemplateContent ?? '',
    taskCount: ctx.number('taskCount', 1, 3, { integer: true }) ?? DEFAULTS.taskCount,
    taskTitle: ctx.string('taskTitle', { maxLength: 128, expected: '1-128 characters' }) ?? DEFAULTS.taskTitle,
    taskDescription:
      ctx.string('taskDescription', { maxLength: 255, expected: '1-255 characters' }) ?? DEFAULTS.taskDescription,
    taskAvailabilityLifetimeInSeconds:
      ctx.number('taskAvailabilityLifetimeInSeconds', 60, 864_000, { integer: true }) ??
      DEFAULTS.taskAvailabilityLifetimeInSeconds,
    taskTimeLimitInSeconds:
      ctx.number('taskTimeLimitInSeconds', 30, 28_800, { integer: true }) ?? DEFAULTS.taskTimeLimitInSeconds,
    outputPrefix:
      ctx.string('outputPrefix', {
        pattern: S3_KEY_PREFIX,
        maxLength: 256,
        expected: "an S3 key prefix of letters, digits and !_.*'()- separated by single slashes, like a2i-results",
      }) ?? DEFAULTS.outputPrefix,
    datasetPrefix:
      ctx.string('datasetPrefix', {
        pattern: S3_KEY_PREFIX,
        maxLength: 256,
        expected: "an S3 key prefix of letters, digits and !_.*'()- separated by single slashes, like dataset",
      }) ?? DEFAULTS.datasetPrefix,
    kmsKeyArn: ctx.string('kmsKeyArn', {
      pattern: KMS_KEY_ARN,
      expected: 'a KMS key ARN, like arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    }),
    labelSet: parseLabelSet(ctx, taskTemplateName, taskTemplateContent),
    outputRetentionDays: ctx.number('outputRetentionDays', 1, 36_500, { integer: true }),
    taskObjectLocations: parseTaskObjectLocations(ctx),
  };
  const [a, b] = [`${config.outputPrefix}/`, `${config.datasetPrefix}/`];
  if (a.startsWith(b) || b.startsWith(a)) {
    ctx.problem('datasetPrefix', config.datasetPrefix, `a prefix apart from outputPrefix (${config.outputPrefix})`);
  }
  const retentionSeconds = (config.outputRetentionDays ?? Infinity) * 86_400;
  if (config.backend === 'self-hosted' && retentionSeconds < config.taskAvailabilityLifetimeInSeconds) {
    ctx.problem(
      'outputRetentionDays',
      config.outputRetentionDays,
      `with reviewBackend=self-hosted, days enough to outlive a task (taskAvailabilityLifetimeInSeconds is ${config.taskAvailabilityLifetimeInSeconds}): large task inputs are kept under the output prefix`,
    );
  }
  if (config.taskAvailabilityLifetimeInSeconds < config.taskTimeLimitInSeconds) {
    ctx.problem(
      'taskAvailabilityLifetimeInSeconds',
      config.taskAvailabilityLifetimeInSeconds,
      `at least taskTimeLimitInSeconds (${config.taskTimeLimitInSeconds})`,
    );
  }
  return taskTemplateContent === undefined ? undefined : config;
}

function parseTaskObjectLocations(ctx: ContextReader): ObjectLocation[] {
  const locations: ObjectLocation[] = [];
  for (const uri of ctx.list('taskObjectLocations')) {
    const location = parseObjectLocation(uri);
    if (typeof location === 'string')
      ctx.problem('taskObjectLocations', uri, `${OBJECT_LOCATION_EXPECTED}: ${location}`);
    else locations.push(location);
  }
  return locations;
}

/** The template's literal categories; the `labels` key only for a template whose categories Liquid fills in. */
function parseLabelSet(ctx: ContextReader, templateName: string, template: string | undefined): LabelSet | undefined {
  const fromTemplate = template === undefined ? undefined : templateLabelSet(template);
  if (!ctx.has('labels')) return fromTemplate;
  const labels = ctx.list('labels');
  if (fromTemplate !== undefined && JSON.stringify(labels) !== JSON.stringify(fromTemplate.labels)) {
    return ctx.problem(
      'labels',
      labels,
      `no value, or the categories of template ${templateName} (${fromTemplate.labels.join(', ')}), which it already gives`,
    );
  }
  return fromTemplate ?? (labels.length > 0 ? { labels } : undefined);
}

function readTemplate(ctx: ContextReader, name: string): string | undefined {
  const file = path.join(TEMPLATES_DIR, `${name}${TEMPLATE_FILE_SUFFIX}`);
  if (!fs.existsSync(file)) {
    const available = fs
      .readdirSync(TEMPLATES_DIR)
      .filter((f) => f.endsWith(TEMPLATE_FILE_SUFFIX))
      .map((f) => f.slice(0, -TEMPLATE_FILE_SUFFIX.length));
    return ctx.problem('taskTemplate', name, `one of the templates in templates/: ${available.join(', ')}`);
  }
  const content = fs.readFileSync(file, 'utf8');
  if (content.length > UI_TEMPLATE_MAX_CHARS) {
    return ctx.problem(
      'taskTemplate',
      name,
      `a template of at most ${UI_TEMPLATE_MAX_CHARS} characters (it has ${content.length})`,
    );
  }
  return content;
}
