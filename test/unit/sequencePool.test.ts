// Which sequence a request gets: a conversation its own when free, a request without one the
// most recently used free sequence no conversation holds, else the one idle longest.
import assert from 'node:assert/strict';
import type { LlamaContextSequence } from 'node-llama-cpp';
import { SequencePool } from '../../src/engine/sequencePool';

const fakes = (count: number) => Array.from({ length: count }, (_, index) => ({ name: `seq${index}` }) as unknown as LlamaContextSequence);
const name = (sequence: LlamaContextSequence) => (sequence as unknown as { name: string }).name;
const signal = () => new AbortController().signal;

describe('SequencePool', () => {
  it('gives a conversation back the sequence it used last', async () => {
    const pool = new SequencePool(fakes(2));
    const a = await pool.acquire(signal(), 'a');
    pool.release(a);
    const b = await pool.acquire(signal(), 'b');
    pool.release(b);
    assert.notEqual(name(a), name(b), 'b took the sequence a does not hold');
    assert.equal(name(await pool.acquire(signal(), 'a')), name(a));
  });

  it('hands a third conversation the sequence idle longest', async () => {
    const pool = new SequencePool(fakes(2));
    const a = await pool.acquire(signal(), 'a');
    pool.release(a);
    const b = await pool.acquire(signal(), 'b');
    pool.release(b);
    const again = await pool.acquire(signal(), 'a');
    pool.release(again);
    const c = await pool.acquire(signal(), 'c');
    assert.equal(name(c), name(b), 'b was idle longest');
    assert.equal(pool.ownerOf(c), 'c');
  });

  it('prefers a sequence no conversation holds for a request without one', async () => {
    const pool = new SequencePool(fakes(2));
    const a = await pool.acquire(signal(), 'a');
    pool.release(a);
    const plain = await pool.acquire(signal());
    assert.notEqual(name(plain), name(a));
    pool.release(plain);
    assert.equal(name(await pool.acquire(signal())), name(plain), 'the most recent unowned one again');
  });

  it('queues when all are busy, and a cancelled wait leaves the queue', async () => {
    const pool = new SequencePool(fakes(1));
    const held = await pool.acquire(signal());
    const cancelled = new AbortController();
    const waiting = pool.acquire(cancelled.signal);
    const next = pool.acquire(signal(), 'x');
    cancelled.abort(new Error('cancelled'));
    await assert.rejects(waiting, /cancelled/);
    pool.release(held);
    assert.equal(name(await next), name(held));
    assert.equal(pool.busyCount, 1);
  });
});
