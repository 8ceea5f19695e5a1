// The thread measurement's rules: candidates by halves from the core count, and fewer threads
// unless more are clearly faster.
import assert from 'node:assert/strict';
import { preferFewer, threadCandidates } from '../../src/engine/threadSearch';

describe('thread search', () => {
  it('tries the physical core count, then halves down to 1', () => {
    assert.deepEqual(threadCandidates(8), [8, 4, 2, 1]);
    assert.deepEqual(threadCandidates(6), [6, 3, 1]);
    assert.deepEqual(threadCandidates(2), [2, 1]);
    assert.deepEqual(threadCandidates(1), [1]);
    assert.deepEqual(threadCandidates(0), [1]);
  });

  it('takes fewer threads on a near tie, more only when clearly faster', () => {
    const two = { threads: 2, ms: 8 };
    assert.deepEqual(preferFewer(two, { threads: 1, ms: 8.8 }), { threads: 1, ms: 8.8 }, 'within 10%: the noise of a tiny model');
    assert.deepEqual(preferFewer(two, { threads: 1, ms: 9.2 }), two, '15% slower: keep 2');
    assert.deepEqual(preferFewer({ threads: 2, ms: 239 }, { threads: 1, ms: 399 }).threads, 2, 'a 0.5B model wants both cores');
    assert.deepEqual(preferFewer({ threads: 2, ms: 105 }, { threads: 1, ms: 9 }).threads, 1);
    assert.deepEqual(preferFewer({ threads: 1, ms: Number.POSITIVE_INFINITY }, two), two, 'the first measurement always counts');
  });
});
