/**
 * What the workteam resource made, kept in its physical id: CloudFormation hands the id back on every update and
 * delete, whatever happens to tags (SageMaker refuses tagging calls on workforces). `<team>` when the Region's workforce
 * was adopted; `<team>+workforce:<name>` when this resource created the workforce and may delete it.
 */

const CREATED = '+workforce:';

export interface Ownership {
  readonly workteamName: string;
  /** The workforce this resource created; absent when it adopted one. */
  readonly createdWorkforce?: string;
}

export function physicalId(ownership: Ownership): string {
  return ownership.createdWorkforce === undefined
    ? ownership.workteamName
    : `${ownership.workteamName}${CREATED}${ownership.createdWorkforce}`;
}

export function parsePhysicalId(id: string): Ownership {
  const at = id.indexOf(CREATED);
  return at === -1
    ? { workteamName: id }
    : { workteamName: id.slice(0, at), createdWorkforce: id.slice(at + CREATED.length) };
}
