/**
 * What the worker portal's Lambda (lambda/portal/) and the CDK construct that registers its Cognito app client must
 * agree on: the paths under the portal's base URL that Cognito sends workers back to, and how long a session lasts.
 */

/** Paths under the portal's base URL. */
export const CALLBACK_PATH = '/callback';
export const SIGN_OUT_PATH = '/sign-out';
export const SIGNED_OUT_PATH = '/signed-out';

/** A working day: the app client's refresh token validity and the session cookies' lifetime. */
export const SESSION_HOURS = 12;

/** The app client's callback URL. Concatenation only, so that CDK tokens in `portalUrl` survive. */
export function callbackUrl(portalUrl: string): string {
  return `${portalUrl.replace(/\/+$/, '')}${CALLBACK_PATH}`;
}

/** The app client's sign-out URL, where Cognito's logout sends the worker back. */
export function signedOutUrl(portalUrl: string): string {
  return `${portalUrl.replace(/\/+$/, '')}${SIGNED_OUT_PATH}`;
}
