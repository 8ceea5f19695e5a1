// The anchored split of the text before the cursor: a prefix that stays put while the user types
// forward (Enter included), and the typed text after the FIM middle token.
import assert from 'node:assert/strict';
import { anchoredWindow, MAX_ANCHORED_LINES, type PromptAnchor } from '../../src/common/completion/anchoredWindow';
import { cursorWindow } from '../../src/common/completion/cursorWindow';

const FILE = ['import os', '', 'def main():', '    path = os.getcwd()', '    '];

/** What a plain window has before the cursor; the anchored split must cover the same text. */
function before(lines: readonly string[], line: number, character: number, prefixLines = 256): string {
  const window = cursorWindow(lines, line, character, { prefixLines, suffixLines: 0 });
  return window.prefix + window.linePrefix;
}

describe('anchoredWindow', () => {
  it('anchors at the cursor line the first time: prefix is the lines above, the middle is the line so far', () => {
    const result = anchoredWindow('a.py', FILE, 3, 8, 256, undefined);
    assert.equal(result.prefix, 'import os\n\ndef main():\n');
    assert.equal(result.middlePrefix, '    path');
    assert.deepEqual(result.anchor, { path: 'a.py', line: 3, prefix: result.prefix });
  });

  it('keeps the prefix while typing on, and through Enter onto the next lines', () => {
    const first = anchoredWindow('a.py', FILE, 3, 8, 256, undefined);
    const typedOn = anchoredWindow('a.py', FILE, 3, 22, 256, first.anchor);
    assert.equal(typedOn.prefix, first.prefix);
    assert.equal(typedOn.middlePrefix, '    path = os.getcwd()');

    const afterEnter = anchoredWindow('a.py', FILE, 4, 4, 256, typedOn.anchor);
    assert.equal(afterEnter.prefix, first.prefix);
    assert.equal(afterEnter.middlePrefix, '    path = os.getcwd()\n    ');
    assert.equal(afterEnter.anchor.line, 3);
    assert.equal(afterEnter.prefix + afterEnter.middlePrefix, before(FILE, 4, 4));
  });

  it('always covers exactly the text a plain window has before the cursor', () => {
    const lines = Array.from({ length: 40 }, (_, index) => `line ${index}`);
    let anchor: PromptAnchor | undefined;
    for (let line = 10; line < 40; line += 1) {
      const result = anchoredWindow('b.txt', lines, line, 3, 8, anchor);
      anchor = result.anchor;
      // The prefix window is counted from the anchor, so it may start a few lines earlier.
      assert.ok((result.prefix + result.middlePrefix).endsWith(before(lines, line, 3, 8)), `line ${line}`);
      assert.ok(result.middlePrefix.endsWith('lin'));
    }
  });

  it(`moves to the cursor line after more than ${MAX_ANCHORED_LINES} typed lines`, () => {
    const lines = Array.from({ length: 60 }, (_, index) => `x${index}`);
    const first = anchoredWindow('c', lines, 5, 0, 256, undefined);
    assert.equal(anchoredWindow('c', lines, 5 + MAX_ANCHORED_LINES, 0, 256, first.anchor).anchor.line, 5);
    const moved = anchoredWindow('c', lines, 6 + MAX_ANCHORED_LINES, 0, 256, first.anchor);
    assert.equal(moved.anchor.line, 6 + MAX_ANCHORED_LINES);
    assert.equal(moved.middlePrefix, '');
  });

  it('moves when the cursor goes above the anchor, to another file, or the text above it changes', () => {
    const first = anchoredWindow('a.py', FILE, 3, 8, 256, undefined);
    assert.equal(anchoredWindow('a.py', FILE, 2, 3, 256, first.anchor).anchor.line, 2);
    assert.equal(anchoredWindow('other.py', FILE, 4, 0, 256, first.anchor).anchor.line, 4);
    const edited = ['import sys', ...FILE.slice(1)];
    const afterEdit = anchoredWindow('a.py', edited, 4, 0, 256, first.anchor);
    assert.equal(afterEdit.anchor.line, 4);
    assert.equal(afterEdit.prefix, 'import sys\n\ndef main():\n    path = os.getcwd()\n');
  });

  it('drops the carriage returns of CRLF lines and clamps a line past the end', () => {
    const crlf = ['a\r', 'b\r', 'c'];
    const first = anchoredWindow('d', crlf, 1, 1, 256, undefined);
    assert.equal(first.prefix, 'a\n');
    assert.equal(anchoredWindow('d', crlf, 2, 1, 256, first.anchor).middlePrefix, 'b\nc');
    const past = anchoredWindow('d', crlf, 9, 0, 256, first.anchor);
    assert.equal(past.anchor.line, 2);
    assert.equal(past.prefix + past.middlePrefix, 'a\nb\nc');
  });

  it('handles an empty document', () => {
    const result = anchoredWindow('e', [], 0, 0, 256, undefined);
    assert.equal(result.prefix, '');
    assert.equal(result.middlePrefix, '');
  });
});
