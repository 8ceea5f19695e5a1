// The prompt layout's trimming: a prompt too long for the context is cut in steps, so a keystroke
// that adds a token does not move the cut and the model process can reuse the previous prompt.
import assert from 'node:assert/strict';
import type { Token } from 'node-llama-cpp';
import { completionTokens, infillTokens, promptRoomFor, windowInfillTokens, type Vocabulary } from '../../src/engine/promptLayout';
import { FIRST_WINDOW_MAX_TOKENS, FIRST_WINDOW_MIN_TOKENS, firstWindowTokens } from '../../src/engine/contextLayout';

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

describe('the fast first window', () => {
  const layout = { head: distinct(3000, 0x100), prefix: distinct(800, 0x1000), suffix: distinct(300, 0x2000), middlePrefix: 'ab', order: 'psm' as const };

  it('is sized from the measured prompt speed so its prompt fits the budget, within bounds', () => {
    // 3,500 tokens at 0.05 tokens/ms (50/s, the 0.5B shape on 2 cores) is 70 s: far past a 500 ms budget.
    assert.equal(firstWindowTokens({ tokensToEvaluate: 3_500, tokensPerMs: 0.05, promptBudgetMs: 500 }), FIRST_WINDOW_MIN_TOKENS);
    assert.equal(firstWindowTokens({ tokensToEvaluate: 3_500, tokensPerMs: 0.5, promptBudgetMs: 500 }), 150);
    assert.equal(firstWindowTokens({ tokensToEvaluate: 30_000, tokensPerMs: 20, promptBudgetMs: 500 }), FIRST_WINDOW_MAX_TOKENS);
    // What fits the budget is evaluated whole: no window.
    assert.equal(firstWindowTokens({ tokensToEvaluate: 200, tokensPerMs: 0.5, promptBudgetMs: 500 }), undefined);
    assert.equal(firstWindowTokens({ tokensToEvaluate: 3_500, tokensPerMs: 0.5, promptBudgetMs: undefined }), undefined);
    // A keystroke that adds a few tokens never needs one.
    assert.equal(firstWindowTokens({ tokensToEvaluate: 2, tokensPerMs: undefined, promptBudgetMs: 500 }), undefined);
    // Nothing timed yet: the prompt is read whole (within its budget), which times it.
    assert.equal(firstWindowTokens({ tokensToEvaluate: 3_500, tokensPerMs: undefined, promptBudgetMs: 500 }), undefined);
  });

  it('keeps the text nearest the cursor: the end of the prefix, the start of the suffix, no head', () => {
    const tokens = windowInfillTokens(layout, vocabulary, 100);
    assert.equal(tokens.length, 100);
    const at = (marker: number) => tokens.indexOf(marker as Token);
    const prefix = tokens.slice(at(1) + 1, at(2));
    const suffix = tokens.slice(at(2) + 1, at(3));
    assert.deepEqual(prefix, [...layout.prefix.slice(-prefix.length)].map((ch) => ch.codePointAt(0)));
    assert.deepEqual(suffix, [...layout.suffix.slice(0, suffix.length)].map((ch) => ch.codePointAt(0)));
    assert.ok(prefix.length > suffix.length && suffix.length > 0, `${prefix.length} prefix, ${suffix.length} suffix tokens`);
    assert.deepEqual(tokens.slice(-2), [...'ab'].map((ch) => ch.codePointAt(0)));
    // Short text is kept whole.
    assert.equal(windowInfillTokens({ ...layout, prefix: 'xy', suffix: 'z' }, vocabulary, 100).length, 2 + 1 + 2 + 3);
  });
});

describe('promptRoomFor', () => {
  it("leaves room to generate and stays within what node-llama-cpp's LlamaCompletion keeps (the context minus a tenth)", () => {
    // 4,096 tokens, 128 to generate: the library keeps 3,687 of its input (BOS included), so 3,686.
    assert.equal(promptRoomFor(4096, 128), 4096 - 409 - 1);
    // A long generation leaves less than the library's reserve would.
    assert.equal(promptRoomFor(4096, 1000), 4096 - 1000 - 1);
    assert.equal(promptRoomFor(16, 64), 1);
  });
});
