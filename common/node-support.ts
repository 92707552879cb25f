/**
 * The AWS SDK for JavaScript's notice for Node versions it will stop supporting, said once in one line by our
 * programs (local mode, the operator CLI) instead of the SDK's eight-line warning from every process. Node 20 still
 * runs everything here; the Lambdas run Node 24 and never see this.
 */

/** The first Node major the SDK's releases after the first week of January 2027 support. */
export const SDK_MIN_NODE_MAJOR = 22;
const SDK_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/**
 * Turns the SDK's own warning off and, on a Node the SDK will stop supporting, writes one line saying what that
 * means. Leaves everything as it is when the person already chose with the SDK's variable.
 */
export function noteNodeSupport(
  write: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  version = process.version,
): void {
  if (env[SDK_SWITCH] !== undefined) return;
  env[SDK_SWITCH] = 'true';
  const major = Number(/^v(\d+)\./.exec(version)?.[1]);
  if (major >= SDK_MIN_NODE_MAJOR) return;
  write(
    `note: Node ${version} runs everything here, but AWS SDK releases after the first week of January 2027 need ` +
      `Node ${SDK_MIN_NODE_MAJOR} or newer; upgrade Node to keep getting them (set ${SDK_SWITCH}=true to hide this).`,
  );
}
