// The document after accepting a suggestion, and the cursor after it.
import assert from 'node:assert/strict';
import { applySuggestion } from '../../src/common/completion/applySuggestion';

describe('applySuggestion', () => {
  it('inserts a single-line suggestion inside a line, the cursor after it and before the rest', () => {
    const result = applySuggestion(['const total = sum();', 'next'], 0, 18, 'values');
    assert.deepEqual(result.lines, ['const total = sum(values);', 'next']);
    assert.equal(result.line, 0);
    assert.equal(result.character, 24);
    assert.equal(result.lines[0]?.slice(result.character), ');');
  });

  it('inserts a multi-line suggestion, the cursor at the end of its last line', () => {
    const lines = ['def mean(values):', '    ', '', 'print(mean([1, 2]))'];
    const result = applySuggestion(lines, 1, 4, 'if not values:\n        return 0.0\n    return sum(values) / len(values)');
    assert.deepEqual(result.lines, [
      'def mean(values):',
      '    if not values:',
      '        return 0.0',
      '    return sum(values) / len(values)',
      '',
      'print(mean([1, 2]))',
    ]);
    assert.equal(result.line, 3);
    assert.equal(result.character, '    return sum(values) / len(values)'.length);
  });

  it('keeps what followed the cursor after the last inserted line', () => {
    const result = applySuggestion(['f(a, )'], 0, 5, 'b,\n  c');
    assert.deepEqual(result.lines, ['f(a, b,', '  c)']);
    assert.deepEqual([result.line, result.character], [1, 3]);
  });

  it('clamps a cursor past the end of the line, and leaves the input alone', () => {
    const lines = ['abc'];
    const result = applySuggestion(lines, 0, 99, 'def');
    assert.deepEqual(result.lines, ['abcdef']);
    assert.equal(result.character, 6);
    assert.deepEqual(lines, ['abc']);
  });
});
