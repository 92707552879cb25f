import { endedEventDetail, parseEndedEvent } from '../../../../lambda/shared/review/ended-event';
import { statusChange } from '../../collector/events';

const URI = 's3://output-bucket/a2i-results/f/2026/11/21/10/00/00/loop-a/output.json';

test("A2I's status-change event becomes the neutral shape", () => {
  expect(parseEndedEvent(JSON.stringify(statusChange('loop-a', 'Completed', URI)))).toEqual({
    humanLoopName: 'loop-a',
    flowDefinitionArn: expect.stringMatching(/:flow-definition\//),
    humanLoopStatus: 'Completed',
    creationTime: '2026-11-21T10:00:00.000Z',
    outputUri: URI,
  });
});

test("a self-hosted backend's event (its own source, A2I's detail-type and detail) reads the same", () => {
  const a2i = statusChange('loop-b', 'Failed', undefined, { failureCode: 'Expired', failureReason: 'no worker' });
  const selfHosted = { ...a2i, source: 'review-pipeline.reviews' };
  expect(parseEndedEvent(JSON.stringify(selfHosted))).toEqual(parseEndedEvent(JSON.stringify(a2i)));
});

test('what a self-hosted backend publishes is the detail A2I writes, and parses back to what was ended', () => {
  const ended = {
    humanLoopName: 'loop-c',
    humanLoopArn: 'arn:aws:sagemaker:eu-west-1:123456789012:human-loop/loop-c',
    flowDefinitionArn: 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/f-0a1b2c3d',
    humanLoopStatus: 'Completed' as const,
    creationTime: '2026-11-21T10:00:00.000Z',
    outputUri: URI,
  };
  const detail = endedEventDetail(ended);
  expect(detail).toEqual(
    statusChange('loop-c', 'Completed', URI, { flowDefinitionArn: ended.flowDefinitionArn }).detail,
  );
  const { humanLoopArn: _arn, ...neutral } = ended;
  expect(
    parseEndedEvent(
      JSON.stringify({
        source: 'review-pipeline.reviews',
        'detail-type': 'SageMaker A2I HumanLoop Status Change',
        detail,
      }),
    ),
  ).toEqual(neutral);
});

test.each([
  ['a foreign source', { ...statusChange('x', 'Stopped'), source: 'someone.else' }, /source/],
  ['another detail-type', { ...statusChange('x', 'Stopped'), 'detail-type': 'Other' }, /detail-type/],
  ['a Completed loop without its output', statusChange('x', 'Completed'), /Completed loop x has no output URI/],
])('%s is refused, saying why', (_, event, message) => {
  expect(() => parseEndedEvent(JSON.stringify(event))).toThrow(message);
});

test('a message that is not JSON is refused', () => {
  expect(() => parseEndedEvent('{')).toThrow('Not a review-ended event: the message is not JSON');
});
