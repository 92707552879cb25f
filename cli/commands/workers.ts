/** workers add|list|remove: the workteam's members are the Cognito group's members. Cognito emails the passwords. */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminRemoveUserFromGroupCommand,
  paginateListUsersInGroup,
  UsernameExistsException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { STACK_NAMES } from '../../common/contract';
import type { CliContext } from '../context';
import { stackOutputs } from '../context';
import { CliError, EXIT, explainAwsError, usageError } from '../errors';
import { table } from '../io';
import type { LocalTarget } from '../target';

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;

export const WORKERS_HELP = `Usage: review-pipeline workers <add|list|remove> [email...]

  workers add <email>...   invite workers: Cognito emails each a temporary password; they join the workteam
  workers list             the workteam's workers, with their account status
  workers remove <email>   remove a worker from the workteam and delete their account

Reads the user pool and group from the ReviewWorkforce stack's outputs.
In local mode (--local, REVIEW_PIPELINE_LOCAL) there is no workteam: these commands exit 2 and say what local mode
has instead (anyone who opens its worker portal signs in with a name; LOCAL_TASK_COUNT sets workers per task).`;

/**
 * Local mode has no user pool or workteam to manage; what it has instead. Known from the setting alone, so nothing
 * is asked of the local server.
 */
function noWorkteamLocally(local: LocalTarget): CliError {
  return usageError(
    `Local mode (${local.url}) has no workteam to manage: anyone who opens ${local.url}/portal (the WorkerPortalUrl)` +
      ' signs in there with a name, with no invitation or password. LOCAL_TASK_COUNT, set when you run npm start' +
      ' (default 1), is how many workers answer each task.',
  );
}

async function pool(context: CliContext) {
  const outputs = await stackOutputs(context, STACK_NAMES.workforce);
  if (!outputs.UserPoolId || !outputs.WorkerGroupName) {
    throw new CliError(
      EXIT.notDeployed,
      `Stack ${STACK_NAMES.workforce} has no UserPoolId/WorkerGroupName outputs; deploy it again.`,
    );
  }
  return { userPoolId: outputs.UserPoolId, group: outputs.WorkerGroupName, portal: outputs.LabelingPortalUrl };
}

export async function workers(context: CliContext, args: string[]): Promise<number> {
  if (context.local !== undefined) throw noWorkteamLocally(context.local);
  const [action, ...emails] = args;
  const { io } = context;
  if (action === 'add') {
    if (emails.length === 0) throw usageError('workers add needs at least one email address');
    for (const email of emails) if (!EMAIL.test(email)) throw usageError(`"${email}" is not an email address`);
    const { userPoolId, group, portal } = await pool(context);
    for (const email of emails) {
      try {
        await context.cognito.send(
          new AdminCreateUserCommand({
            UserPoolId: userPoolId,
            Username: email,
            DesiredDeliveryMediums: ['EMAIL'],
            UserAttributes: [
              { Name: 'email', Value: email },
              { Name: 'email_verified', Value: 'true' },
            ],
          }),
        );
        io.out(`invited ${email}`);
      } catch (error) {
        if (!(error instanceof UsernameExistsException)) throw explainAwsError(error);
        io.out(`${email} already has an account`);
      }
      await context.cognito.send(
        new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: email, GroupName: group }),
      );
    }
    if (portal) io.err(`Workers sign in at ${portal}`);
    return EXIT.ok;
  }
  if (action === 'list') {
    const { userPoolId, group } = await pool(context);
    const rows: string[][] = [['EMAIL', 'STATUS', 'ENABLED', 'CREATED']];
    for await (const page of paginateListUsersInGroup(
      { client: context.cognito },
      { UserPoolId: userPoolId, GroupName: group },
    )) {
      for (const user of page.Users ?? []) {
        const email = user.Attributes?.find((a) => a.Name === 'email')?.Value ?? user.Username ?? '';
        rows.push([
          email,
          user.UserStatus ?? '',
          String(user.Enabled ?? ''),
          user.UserCreateDate?.toISOString().slice(0, 10) ?? '',
        ]);
      }
    }
    if (rows.length === 1) io.err('The workteam has no workers yet: add some with `workers add <email>`.');
    else for (const line of table(rows)) io.out(line);
    return EXIT.ok;
  }
  if (action === 'remove') {
    if (emails.length !== 1) throw usageError('workers remove takes exactly one email address');
    const [email] = emails;
    const { userPoolId, group } = await pool(context);
    try {
      await context.cognito.send(
        new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId, Username: email, GroupName: group }),
      );
      await context.cognito.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: email }));
    } catch (error) {
      if (error instanceof UserNotFoundException)
        throw new CliError(EXIT.notFound, `No worker ${email} in the workteam`);
      throw explainAwsError(error);
    }
    io.out(`removed ${email}`);
    return EXIT.ok;
  }
  throw usageError(`Unknown workers command "${action ?? ''}".\n\n${WORKERS_HELP}`);
}
