/**
 * A loopback HTTP server that speaks just enough of the SageMaker runtime (InvokeEndpoint), A2I runtime
 * (StartHumanLoop, DescribeHumanLoop) and SQS (SendMessage, AWS JSON 1.0) wire protocols for the real SDK clients to talk to it,
 * with answers scripted per test: status codes, error types (in the header or only in the body), delays.
 * The SDK's retries, timeouts and error parsing run for real against it.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedAnswer {
  readonly status?: number;
  /** Error type in the `x-amzn-errortype` header; `bodyOnly` puts it in the body's `__type` instead. */
  readonly errorType?: string;
  readonly bodyOnly?: boolean;
  readonly body?: unknown;
  readonly delayMs?: number;
}

export type Operation = 'InvokeEndpoint' | 'StartHumanLoop' | 'DescribeHumanLoop' | 'SendMessage';

export interface RecordedCall {
  readonly operation: Operation;
  readonly path: string;
  readonly body: string;
}

type Script = (call: RecordedCall, attempt: number) => ScriptedAnswer | undefined;

export class ScriptedAwsServer {
  readonly calls: RecordedCall[] = [];
  private readonly scripts = new Map<Operation, Script>();
  private readonly server = http.createServer((req, res) => void this.answer(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Answers of one operation; `undefined` from the script means the default success answer. */
  on(operation: Operation, script: Script): this {
    this.scripts.set(operation, script);
    return this;
  }

  reset(): void {
    this.calls.length = 0;
    this.scripts.clear();
  }

  callsOf(operation: Operation): RecordedCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    const operation = operationOf(req.method ?? 'GET', path, req.headers['x-amz-target']);
    const call = { operation, path, body };
    this.calls.push(call);
    const attempt = this.callsOf(operation).length;
    const scripted = this.scripts.get(operation)?.(call, attempt) ?? defaultAnswer(call);
    if (scripted.delayMs) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs));
    if (res.destroyed) return;
    const headers: Record<string, string> = {
      'content-type': operation === 'SendMessage' ? 'application/x-amz-json-1.0' : 'application/json',
      'x-amzn-requestid': `req-${this.calls.length}`,
    };
    let payload = scripted.body ?? {};
    if (scripted.errorType && !scripted.bodyOnly) headers['x-amzn-errortype'] = scripted.errorType;
    if (scripted.errorType && scripted.bodyOnly) payload = { __type: scripted.errorType, ...payload };
    res.writeHead(scripted.status ?? 200, headers);
    res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
  }
}

function operationOf(method: string, path: string, target: string | string[] | undefined): Operation {
  if (target === 'AmazonSQS.SendMessage') return 'SendMessage';
  if (method === 'POST' && /^\/endpoints\/[^/]+\/invocations/.test(path)) return 'InvokeEndpoint';
  if (method === 'POST' && path.startsWith('/human-loops')) return 'StartHumanLoop';
  if (method === 'GET' && /^\/human-loops\/[^/?]+$/.test(path)) return 'DescribeHumanLoop';
  throw new Error(`Scripted server: no operation for ${method} ${path}`);
}

function defaultAnswer(call: RecordedCall): ScriptedAnswer {
  switch (call.operation) {
    case 'InvokeEndpoint': {
      // Every line gets label 0 with probability 0.5: every prediction needs a review.
      const lines = call.body.trim().split('\n');
      return { body: lines.map(() => JSON.stringify({ predicted_label: 0, probability: 0.5 })).join('\n') };
    }
    case 'StartHumanLoop':
      return { body: { HumanLoopArn: 'arn:aws:sagemaker:eu-west-1:123456789012:human-loop/x' } };
    case 'DescribeHumanLoop': {
      // A loop of that name, in progress under the flow definition the handlers are configured with.
      const name = decodeURIComponent(call.path.split('/')[2]);
      return {
        body: {
          HumanLoopName: name,
          HumanLoopArn: `arn:aws:sagemaker:eu-west-1:123456789012:human-loop/${name}`,
          HumanLoopStatus: 'InProgress',
          CreationTime: '2026-11-21T10:00:00Z',
          FlowDefinitionArn: process.env.FLOW_DEFINITION_ARN,
        },
      };
    }
    case 'SendMessage': {
      const { MessageBody } = JSON.parse(call.body) as { MessageBody: string };
      return {
        body: { MessageId: 'message-1', MD5OfMessageBody: createHash('md5').update(MessageBody).digest('hex') },
      };
    }
  }
}
