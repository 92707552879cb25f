/** Consolidation of several workers' labels, without mocks: majority vote, as the collector uses it. */
import { majorityVote } from '../../common/consolidation/majority';

describe('majority vote', () => {
  test('one worker: their label, full agreement', () => {
    expect(majorityVote(['-1'])).toEqual({ label: '-1', disputed: false, agreement: 1 });
  });

  test('majority of three', () => {
    expect(majorityVote(['1', '0', '1'])).toEqual({ label: '1', disputed: false, agreement: 2 / 3 });
  });

  test('a three-way tie is disputed', () => {
    expect(majorityVote(['1', '0', '-1'])).toEqual({ label: null, disputed: true, agreement: 1 / 3 });
  });

  test('a two-way tie is disputed', () => {
    expect(majorityVote(['1', '0'])).toEqual({ label: null, disputed: true, agreement: 0.5 });
  });

  test('no vote: disputed, no agreement', () => {
    expect(majorityVote([])).toEqual({ label: null, disputed: true, agreement: 0 });
  });
});
