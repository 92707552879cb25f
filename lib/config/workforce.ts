/** The workers: a new Cognito pool, workforce and workteam (the workforce stack), or an existing workteam. */
import type { ContextReader } from './reader';
import { DEFAULTS } from './defaults';

export type WorkteamConfig =
  | { readonly kind: 'existing'; readonly workteamArn: string }
  | {
      readonly kind: 'managed';
      /** @default unique per account and Region: `review-workers-<account>-<region>` */
      readonly cognitoDomainPrefix?: string;
      readonly workforceName: string;
      readonly workteamName: string;
      readonly workteamDescription: string;
      readonly workerEmails: readonly string[];
      readonly workerMfa: 'optional' | 'required';
    };

const SAGEMAKER_RESOURCE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const WORKTEAM_ARN =
  /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:workteam\/private-crowd\/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const COGNITO_DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const COGNITO_RESERVED_WORDS = ['aws', 'amazon', 'cognito'];

export const WORKFORCE_KEYS = [
  'cognitoDomainPrefix',
  'workforceName',
  'workteamName',
  'workteamDescription',
  'workerEmails',
  'workerMfa',
] as const;

export function parseWorkteam(ctx: ContextReader): WorkteamConfig {
  if (ctx.has('existingWorkteamArn')) {
    ctx.forbid(WORKFORCE_KEYS, 'together with existingWorkteamArn (no workforce stack is made)');
    const workteamArn = ctx.string('existingWorkteamArn', {
      pattern: WORKTEAM_ARN,
      expected: 'a private workteam ARN, like arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/my-team',
    });
    return { kind: 'existing', workteamArn: workteamArn ?? '' };
  }
  const sagemakerName = (key: string, fallback: string): string =>
    ctx.string(key, {
      pattern: SAGEMAKER_RESOURCE_NAME,
      expected: '1-63 letters, digits or hyphens, not starting or ending with a hyphen',
    }) ?? fallback;
  let cognitoDomainPrefix = ctx.string('cognitoDomainPrefix', {
    pattern: COGNITO_DOMAIN_PREFIX,
    expected: '1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen',
  });
  const reserved = COGNITO_RESERVED_WORDS.find((word) => cognitoDomainPrefix?.includes(word));
  if (reserved !== undefined) {
    cognitoDomainPrefix = ctx.problem(
      'cognitoDomainPrefix',
      cognitoDomainPrefix,
      `a prefix without the reserved word "${reserved}"`,
    );
  }
  const workerEmails = ctx.emails('workerEmails');
  return {
    kind: 'managed',
    cognitoDomainPrefix,
    workforceName: sagemakerName('workforceName', DEFAULTS.workforceName),
    workteamName: sagemakerName('workteamName', DEFAULTS.workteamName),
    workteamDescription:
      ctx.string('workteamDescription', { maxLength: 200, expected: '1-200 characters' }) ??
      DEFAULTS.workteamDescription,
    workerEmails,
    workerMfa: ctx.oneOf('workerMfa', ['optional', 'required'] as const) ?? DEFAULTS.workerMfa,
  };
}
