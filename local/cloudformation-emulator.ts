/**
 * CloudFormation's DescribeStacks (AWS Query protocol) for local mode: the stacks local mode stands in for, with the
 * outputs a deployed stack has, so the operator CLI finds local mode's API, flow definition and dataset exactly as it
 * finds a deployment's. Nothing else of CloudFormation is emulated.
 */
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import { readBody } from './wire';

export interface LocalStack {
  readonly name: string;
  readonly outputs: Readonly<Record<string, string>>;
}

const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

export async function handleCloudFormation(
  stacks: readonly LocalStack[],
  createdAt: Date,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const form = new URLSearchParams((await readBody(req, 64 * 1024)).toString('utf8'));
  const action = form.get('Action');
  if (req.method !== 'POST' || action !== 'DescribeStacks')
    return queryError(res, 400, 'InvalidAction', `${String(action)} is not emulated by local mode; DescribeStacks is`);
  const name = form.get('StackName');
  const found = name === null ? stacks : stacks.filter((stack) => stack.name === name);
  if (found.length === 0) return queryError(res, 400, 'ValidationError', `Stack with id ${name} does not exist`);
  const members = found
    .map(
      (stack) =>
        `<member><StackId>${xml(stackId(stack.name))}</StackId><StackName>${xml(stack.name)}</StackName>` +
        `<CreationTime>${createdAt.toISOString()}</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>` +
        Object.entries(stack.outputs)
          .map(
            ([key, value]) =>
              `<member><OutputKey>${xml(key)}</OutputKey><OutputValue>${xml(value)}</OutputValue></member>`,
          )
          .join('') +
        '</Outputs></member>',
    )
    .join('');
  res
    .writeHead(200, { 'Content-Type': 'text/xml' })
    .end(
      `<DescribeStacksResponse xmlns="${XMLNS}"><DescribeStacksResult><Stacks>${members}</Stacks></DescribeStacksResult>` +
        `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    );
}

function stackId(name: string): string {
  return `arn:aws:cloudformation:us-east-1:000000000000:stack/${name}/local`;
}

function queryError(res: http.ServerResponse, status: number, code: string, message: string): void {
  res
    .writeHead(status, { 'Content-Type': 'text/xml' })
    .end(
      `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error>` +
        `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    );
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
