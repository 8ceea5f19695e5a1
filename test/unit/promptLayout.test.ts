// The prompt layout's trimming: a prompt too long for the context is cut in steps, so a keystroke
// that adds a token does not move the cut and the model process can reuse the previous prompt.
import assert from 'node:assert/strict';
import type { Token } from 'node-llama-cpp';
import { completionTokens, infillTokens, type Vocabulary } from '../../src/engine/promptLayout';

// One token per character, each character its own id, so shifted text gives different tokens.
const vocabulary: Vocabulary = {
  tokenize: (text) => [...text].map((ch) => ch.codePointAt(0) as Token),
  fim: { prefix: 1 as Token, suffix: 2 as Token, middle: 3 as Token },
};
const distinct = (count: number, from: number) => Array.from({ length: count }, (_, index) => String.fromCodePoint(from + index)).join('');

function commonPrefix(a: readonly Token[], b: readonly Token[]): number {
  let index = 0;
  while (index < a.length && index < b.length && a[index] === b[index]) index += 1;
  return index;
}

describe('promptLayout', () => {
  const layout = { head: distinct(3000, 0x100), prefix: distinct(800, 0x1000), suffix: distinct(300, 0x2000), order: 'psm' as const };

  it('keeps a prompt over the room within it', () => {
    const tokens = infillTokens({ ...layout, middlePrefix: 'abc' }, vocabulary, 3967);
    assert.ok(tokens.length <= 3967, `${tokens.length} tokens`);
    assert.deepEqual(tokens.slice(-3), [...'abc'].map((ch) => ch.codePointAt(0)));
  });

  it('a one-character extension of a trimmed prompt keeps the cut, so all but its end is reused', () => {
    const before = infillTokens({ ...layout, middlePrefix: 'abc' }, vocabulary, 3967);
    const after = infillTokens({ ...layout, middlePrefix: 'abcd' }, vocabulary, 3967);
    assert.equal(commonPrefix(before, after), before.length);
    assert.equal(after.length, before.length + 1);
  });

  it('plain completion prompts are cut in steps too', () => {
    const text = distinct(5000, 0x100);
    const before = completionTokens(text, vocabulary, 3967);
    const after = completionTokens(`${text}x`, vocabulary, 3967);
    assert.ok(before.length <= 3967);
    assert.equal(commonPrefix(before, after), before.length);
  });
});
