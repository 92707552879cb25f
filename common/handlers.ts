/**
 * The Lambda handlers, by their folder under lambda/: the CDK app bundles `lambda/<folder>/index.ts`, and the folder is
 * the function's POWERTOOLS_SERVICE_NAME, so its metrics carry it as their `service` dimension.
 */
export const HANDLERS = {
  predict: 'predict',
  loops: 'loops',
  reviewRetry: 'review-retry',
  collector: 'collector',
  privateWorkteam: 'private-workteam',
  humanTaskUi: 'human-task-ui',
  flowDefinition: 'flow-definition',
  portal: 'portal',
  runtimeApi: 'runtime-api',
  sweeper: 'sweeper',
} as const;

export type HandlerName = (typeof HANDLERS)[keyof typeof HANDLERS];
