// The window of text around the cursor that a fill-in-the-middle prompt is built from.
import assert from 'node:assert/strict';
import { cursorWindow } from '../../src/common/completion/cursorWindow';

const doc = [
  'function add(a, b) {', // 0
  '  const sum = a + b;', // 1
  '  return sum;', // 2
  '}', // 3
  '', // 4
  'export { add };', // 5
];

describe('cursorWindow', () => {
  it('splits the cursor line at the cursor into linePrefix and lineSuffix', () => {
    const window = cursorWindow(doc, 1, 14, { prefixLines: 10, suffixLines: 10 });
    assert.equal(window.linePrefix, '  const sum = ');
    assert.equal(window.lineSuffix, 'a + b;');
  });

  it('keeps up to prefixLines whole lines before the cursor line, ending with a newline', () => {
    const window = cursorWindow(doc, 3, 0, { prefixLines: 2, suffixLines: 0 });
    assert.equal(window.prefix, '  const sum = a + b;\n  return sum;\n');
    const all = cursorWindow(doc, 3, 0, { prefixLines: 100, suffixLines: 0 });
    assert.equal(all.prefix, 'function add(a, b) {\n  const sum = a + b;\n  return sum;\n');
  });

  it('has an empty prefix on the first line or with zero prefix lines', () => {
    assert.equal(cursorWindow(doc, 0, 5, { prefixLines: 10, suffixLines: 1 }).prefix, '');
    assert.equal(cursorWindow(doc, 2, 5, { prefixLines: 0, suffixLines: 1 }).prefix, '');
  });

  it('puts lineSuffix then up to suffixLines following lines in suffix', () => {
    const window = cursorWindow(doc, 1, 14, { prefixLines: 0, suffixLines: 2 });
    assert.equal(window.suffix, 'a + b;\n  return sum;\n}');
  });

  it('stops the suffix at the end of the document', () => {
    const window = cursorWindow(doc, 4, 0, { prefixLines: 1, suffixLines: 50 });
    assert.equal(window.suffix, '\nexport { add };');
    assert.equal(window.prefix, '}\n');
  });

  it('with zero suffix lines the suffix is just the rest of the cursor line', () => {
    const window = cursorWindow(doc, 2, 9, { prefixLines: 1, suffixLines: 0 });
    assert.equal(window.lineSuffix, 'sum;');
    assert.equal(window.suffix, 'sum;');
  });

  it('the four parts rebuild the window text exactly', () => {
    const window = cursorWindow(doc, 2, 4, { prefixLines: 2, suffixLines: 2 });
    assert.equal(window.prefix + window.linePrefix + window.suffix, doc.slice(0, 5).join('\n'));
  });

  it('answers an all-empty window for an empty document', () => {
    assert.deepEqual(cursorWindow([], 0, 0, { prefixLines: 5, suffixLines: 5 }), {
      prefix: '',
      linePrefix: '',
      lineSuffix: '',
      suffix: '',
    });
    assert.deepEqual(cursorWindow([], 3, 7, { prefixLines: 5, suffixLines: 5 }), {
      prefix: '',
      linePrefix: '',
      lineSuffix: '',
      suffix: '',
    });
  });

  it('handles a document of one empty line', () => {
    assert.deepEqual(cursorWindow([''], 0, 0, { prefixLines: 5, suffixLines: 5 }), {
      prefix: '',
      linePrefix: '',
      lineSuffix: '',
      suffix: '',
    });
  });

  describe('clamping positions outside the document', () => {
    it('clamps a character past the end of the line to the end of it', () => {
      const window = cursorWindow(doc, 2, 999, { prefixLines: 0, suffixLines: 1 });
      assert.equal(window.linePrefix, '  return sum;');
      assert.equal(window.lineSuffix, '');
      assert.equal(window.suffix, '\n}');
    });

    it('clamps a negative character to the start of the line', () => {
      const window = cursorWindow(doc, 2, -4, { prefixLines: 0, suffixLines: 0 });
      assert.equal(window.linePrefix, '');
      assert.equal(window.lineSuffix, '  return sum;');
    });

    it('treats a line past the end as the end of the last line, whatever the character', () => {
      const window = cursorWindow(doc, 40, 0, { prefixLines: 2, suffixLines: 3 });
      assert.equal(window.linePrefix, 'export { add };');
      assert.equal(window.lineSuffix, '');
      assert.equal(window.suffix, '');
      assert.equal(window.prefix, '}\n\n');
    });

    it('treats a negative line as the start of the document, whatever the character', () => {
      const window = cursorWindow(doc, -3, 10, { prefixLines: 2, suffixLines: 1 });
      assert.equal(window.prefix, '');
      assert.equal(window.linePrefix, '');
      assert.equal(window.lineSuffix, 'function add(a, b) {');
      assert.equal(window.suffix, 'function add(a, b) {\n  const sum = a + b;');
    });

    it('truncates fractional positions and treats non-finite ones as zero', () => {
      const window = cursorWindow(doc, 1.9, 4.7, { prefixLines: 1.5, suffixLines: 1.2 });
      assert.equal(window.linePrefix, '  co');
      assert.equal(window.prefix, 'function add(a, b) {\n');
      assert.equal(window.suffix, 'nst sum = a + b;\n  return sum;');
      const nan = cursorWindow(doc, Number.NaN, Number.NaN, { prefixLines: 3, suffixLines: 0 });
      assert.equal(nan.linePrefix, '');
      assert.equal(nan.lineSuffix, 'function add(a, b) {');
    });

    it('treats negative line counts as zero', () => {
      const window = cursorWindow(doc, 2, 2, { prefixLines: -1, suffixLines: -1 });
      assert.equal(window.prefix, '');
      assert.equal(window.suffix, 'return sum;');
    });
  });

  describe('CRLF lines', () => {
    const crlf = ['def greet(name):\r', '    print(name)\r', '    return None\r', ''];

    it('drops the trailing \\r from every line it uses', () => {
      const window = cursorWindow(crlf, 1, 10, { prefixLines: 5, suffixLines: 5 });
      assert.equal(window.prefix, 'def greet(name):\n');
      assert.equal(window.linePrefix, '    print(');
      assert.equal(window.lineSuffix, 'name)');
      assert.equal(window.suffix, 'name)\n    return None\n');
      for (const part of Object.values(window)) assert.ok(!part.includes('\r'), `unexpected \\r in ${JSON.stringify(part)}`);
    });

    it('clamps the cursor to the visible end of a CRLF line, not past the \\r', () => {
      const window = cursorWindow(crlf, 1, 15, { prefixLines: 0, suffixLines: 0 });
      assert.equal(window.linePrefix, '    print(name)');
      assert.equal(window.lineSuffix, '');
      const pastEnd = cursorWindow(crlf, 1, 16, { prefixLines: 0, suffixLines: 0 });
      assert.equal(pastEnd.linePrefix, '    print(name)');
      assert.equal(pastEnd.lineSuffix, '');
    });

    it('puts the cursor at the visible end of the last CRLF line when the line is past the end', () => {
      const window = cursorWindow(['x = 1\r', 'y = 2\r'], 9, 0, { prefixLines: 1, suffixLines: 1 });
      assert.equal(window.linePrefix, 'y = 2');
      assert.equal(window.prefix, 'x = 1\n');
    });
  });
});
