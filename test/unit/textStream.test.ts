// The text service's stream: deltas in order, then the result; a failure reaches both.
import assert from 'node:assert/strict';
import { textStream } from '../../src/host/text/textStream';

describe('textStream', () => {
  it('yields every delta in order, including ones sent before iteration began, then resolves', async () => {
    const stream = textStream(async (onText) => {
      onText('a');
      onText('b');
      await new Promise((resolve) => setTimeout(resolve, 5));
      onText('c');
      return 42;
    });
    const seen: string[] = [];
    for await (const delta of stream) seen.push(delta);
    assert.deepEqual(seen, ['a', 'b', 'c']);
    assert.equal(await stream.result, 42);
  });

  it('rethrows a failure to the iterator and the result', async () => {
    const stream = textStream<number>(async (onText) => {
      onText('partial');
      throw new Error('boom');
    });
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const delta of stream) seen.push(delta);
    }, /boom/);
    assert.deepEqual(seen, ['partial']);
    await assert.rejects(stream.result, /boom/);
  });
});
