import { noteNodeSupport } from '../../common/node-support';

const SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

test("on Node 20: one line instead of the SDK's warning", () => {
  const lines: string[] = [];
  const env: NodeJS.ProcessEnv = {};
  noteNodeSupport((line) => lines.push(line), env, 'v20.20.2');
  expect(env[SWITCH]).toBe('true');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(
    /^note: Node v20\.20\.2 runs everything here, but AWS SDK releases after .* need Node 22 or newer/,
  );
});

test('on Node 22 and later: nothing to say, and the SDK has nothing to say either', () => {
  for (const version of ['v22.0.0', 'v24.11.1']) {
    const lines: string[] = [];
    const env: NodeJS.ProcessEnv = {};
    noteNodeSupport((line) => lines.push(line), env, version);
    expect(lines).toEqual([]);
    expect(env[SWITCH]).toBe('true');
  }
});

test("a choice made with the SDK's variable is kept", () => {
  const lines: string[] = [];
  for (const value of ['true', 'false']) {
    const env: NodeJS.ProcessEnv = { [SWITCH]: value };
    noteNodeSupport((line) => lines.push(line), env, 'v20.20.2');
    expect(env[SWITCH]).toBe(value);
  }
  expect(lines).toEqual([]);
});
