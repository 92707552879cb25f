/** Exit codes scripts can rely on, and the errors that carry them. */
import { ReviewError } from '../lambda/shared/review/port';

export const EXIT = {
  ok: 0,
  /** The operation ran and failed: a loop ended Failed or Stopped, a template did not render, AWS refused. */
  failed: 1,
  /** Also a setting that does not apply, like `workers` in local mode. */
  usage: 2,
  /** The stack is not deployed, or (in local mode) no local server answers at the URL. */
  notDeployed: 3,
  noCredentials: 4,
  notFound: 5,
  timeout: 6,
} as const;

export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(EXIT.usage, message);

/** What an AWS SDK error means for the person at the terminal. */
export function explainAwsError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof ReviewError) return new CliError(EXIT.failed, `${error.kind}: ${error.message}`);
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new CliError(
      EXIT.noCredentials,
      'No AWS credentials found. Set AWS_PROFILE, or run `aws configure` or `aws sso login`, and try again.',
    );
  }
  if (/Region is missing/i.test(message)) {
    return new CliError(
      EXIT.noCredentials,
      'No AWS Region set. Set AWS_REGION (or use a profile with a region) to the Region you deployed to.',
    );
  }
  if (['ExpiredToken', 'ExpiredTokenException', 'UnrecognizedClientException', 'InvalidClientTokenId'].includes(name)) {
    return new CliError(EXIT.noCredentials, `Your AWS credentials were refused (${name}). Refresh them and try again.`);
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    return new CliError(EXIT.noCredentials, `AWS denied the call: ${message}`);
  }
  return new CliError(EXIT.failed, `${name || 'Error'}: ${message}`);
}
