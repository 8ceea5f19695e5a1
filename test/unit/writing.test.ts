// Splitting long selections into chunks, and the writing prompts' clean-up of a rewrite.
import assert from 'node:assert/strict';
import { charsForTokens, chunkText } from '../../src/common/writing/chunkText';
import { cleanRewrite, combineExplanationsPrompt, combineSummariesPrompt, REWRITE_PRESETS, rewritePrompt, summaryPrompt } from '../../src/common/writing/writingPrompts';
import { complexityOf, taskComplexity } from '../../src/common/text/tasks';

describe('chunkText', () => {
  const paragraph = 'Lily saw a big red ball in the park. She wanted to play with it.';
  const text = Array.from({ length: 20 }, (_, index) => `${index}: ${paragraph}`).join('\n\n');

  it('gives back the text exactly when joined, every chunk within the limit', () => {
    for (const max of [1, 7, 50, 100, 333, 10_000]) {
      const chunks = chunkText(text, max);
      assert.equal(chunks.join(''), text, `max ${max}`);
      for (const chunk of chunks) assert.ok(chunk.length <= max, `a chunk of ${chunk.length} > ${max}`);
    }
  });

  it('cuts at paragraph breaks when it can', () => {
    const chunks = chunkText(text, 200);
    assert.ok(chunks.length > 1);
    for (const chunk of chunks.slice(0, -1)) assert.ok(chunk.endsWith('\n\n'), JSON.stringify(chunk.slice(-20)));
  });

  it('cuts at spaces rather than mid-word in text without breaks', () => {
    const words = 'word '.repeat(100);
    for (const chunk of chunkText(words, 42).slice(0, -1)) assert.ok(chunk.endsWith(' '));
  });

  it('keeps an empty text as one empty chunk and refuses a limit below 1', () => {
    assert.deepEqual(chunkText('', 10), ['']);
    assert.throws(() => chunkText('abc', 0), RangeError);
  });

  it('sizes chunks from the measured characters per token, with a margin', () => {
    assert.equal(charsForTokens('x'.repeat(4000), 1000, 100), 320);
    assert.equal(charsForTokens('', 0, 100), 320);
  });
});

describe('writing prompts', () => {
  it('fences the material after the instruction', () => {
    assert.match(summaryPrompt('a\nb', 'bullets', 'markdown'), /^Summarize the following as a short bulleted list[^\n]*\n\n```markdown\na\nb\n```$/);
    assert.match(rewritePrompt('Hello there', REWRITE_PRESETS.shorter.instruction), /Make it shorter[\s\S]*```\nHello there\n```$/);
    assert.match(combineSummariesPrompt(['one ', 'two'], 'brief'), /Part 1:\none\n\nPart 2:\ntwo$/);
    assert.match(combineExplanationsPrompt(['reads a file', 'parses it']), /^These are summaries of consecutive parts of one piece of code\. Explain[\s\S]*Part 2:\nparses it$/);
  });

  it('takes a rewrite out of a fence and keeps the original trailing whitespace', () => {
    assert.equal(cleanRewrite('```\nShorter text.\n```', 'Long text.\n'), 'Shorter text.\n');
    assert.equal(cleanRewrite('  Shorter text.  ', 'Long text.'), 'Shorter text.');
  });

  it('declares every writing task simple in the one complexity table', () => {
    for (const task of ['summarize', 'rewrite', 'explain', 'chat', 'completion'] as const) assert.equal(complexityOf(task), 'simple');
    assert.ok(Object.values(taskComplexity).every((value) => value === 'simple' || value === 'complex'));
  });
});

describe('groupByBudget', () => {
  it('groups consecutive items within the budget, an oversized item alone', async () => {
    const { groupByBudget } = await import('../../src/common/writing/chunkText');
    assert.deepEqual(groupByBudget([10, 10, 10, 10], 40, 8), [[0, 1], [2, 3]]);
    assert.deepEqual(groupByBudget([100, 5, 5], 40, 8), [[0], [1, 2]]);
    assert.deepEqual(groupByBudget([], 40), []);
  });
});
