// Suggestions already computed near the cursor, shown at once on typing back or typing through.
import assert from 'node:assert/strict';
import { CompletionCache } from '../../src/common/completion/completionCache';

describe('CompletionCache', () => {
  describe('get', () => {
    it('answers the suggestion cached at exactly this cursor', () => {
      const cache = new CompletionCache();
      cache.set('const total = ', ';\n', 'items.reduce((a, b) => a + b, 0)');
      assert.equal(cache.get('const total = ', ';\n'), 'items.reduce((a, b) => a + b, 0)');
      assert.equal(cache.size, 1);
    });

    it('misses when the text before or after the cursor differs', () => {
      const cache = new CompletionCache();
      cache.set('def area(r):\n    return ', '\n', 'math.pi * r ** 2');
      assert.equal(cache.get('def area(r):\n    return  ', '\n'), undefined);
      assert.equal(cache.get('def area(r):\n    return ', '\n\nprint(area(2))'), undefined);
    });

    it('makes the split point part of the key: ab|c and a|bc differ', () => {
      const cache = new CompletionCache();
      cache.set('ab', 'c', 'X');
      assert.equal(cache.get('a', 'bc'), undefined);
      assert.equal(cache.get('ab', 'c'), 'X');
    });

    it('keys on the end of the text before and the start of the text after only', () => {
      const cache = new CompletionCache({ prefixChars: 8, suffixChars: 4 });
      cache.set('// far away header\nlet v = ', ';\n}\n// a far away footer', 'compute()');
      assert.equal(cache.get('// something else\nlet v = ', ';\n}\n// another footer'), 'compute()');
      assert.equal(cache.get('// far away header\nlet w = ', ';\n}\n// a far away footer'), undefined);
      assert.equal(cache.get('// far away header\nlet v = ', ';\n]\n// a far away footer'), undefined);
    });

    it('does not store an empty suggestion', () => {
      const cache = new CompletionCache();
      cache.set('x = ', '', '');
      assert.equal(cache.size, 0);
      assert.equal(cache.get('x = ', ''), undefined);
    });

    it('replaces the suggestion set again at the same cursor', () => {
      const cache = new CompletionCache();
      cache.set('x = ', '', 'one');
      cache.set('x = ', '', 'two');
      assert.equal(cache.size, 1);
      assert.equal(cache.get('x = ', ''), 'two');
    });
  });

  describe('capacity', () => {
    it('evicts the least recently used entry once full', () => {
      const cache = new CompletionCache({ capacity: 2 });
      cache.set('a', '', 'A');
      cache.set('b', '', 'B');
      cache.set('c', '', 'C');
      assert.equal(cache.size, 2);
      assert.equal(cache.get('a', ''), undefined);
      assert.equal(cache.get('b', ''), 'B');
      assert.equal(cache.get('c', ''), 'C');
    });

    it('counts a get as a use', () => {
      const cache = new CompletionCache({ capacity: 2 });
      cache.set('a', '', 'A');
      cache.set('b', '', 'B');
      assert.equal(cache.get('a', ''), 'A');
      cache.set('c', '', 'C');
      assert.equal(cache.get('b', ''), undefined);
      assert.equal(cache.get('a', ''), 'A');
      assert.equal(cache.get('c', ''), 'C');
    });

    it('counts setting an existing key again as a use', () => {
      const cache = new CompletionCache({ capacity: 2 });
      cache.set('a', '', 'A');
      cache.set('b', '', 'B');
      cache.set('a', '', 'A2');
      cache.set('c', '', 'C');
      assert.equal(cache.get('a', ''), 'A2');
      assert.equal(cache.get('b', ''), undefined);
    });

    it('counts typing through a suggestion as a use of it', () => {
      const cache = new CompletionCache({ capacity: 2 });
      cache.set('x = ', '', 'foo()');
      cache.set('y = ', '', 'bar()');
      assert.equal(cache.lookupTypedThrough('x = f', ''), 'oo()');
      cache.set('z = ', '', 'baz()');
      assert.equal(cache.get('x = ', ''), 'foo()');
      assert.equal(cache.get('y = ', ''), undefined);
    });
  });

  describe('lookupTypedThrough', () => {
    it('answers the rest of a suggestion whose start has been typed', () => {
      const cache = new CompletionCache();
      cache.set('    if err != nil {\n        return ', '\n    }', 'nil, fmt.Errorf("open: %w", err)');
      assert.equal(cache.lookupTypedThrough('    if err != nil {\n        return n', '\n    }'), 'il, fmt.Errorf("open: %w", err)');
      assert.equal(
        cache.lookupTypedThrough('    if err != nil {\n        return nil, ', '\n    }'),
        'fmt.Errorf("open: %w", err)',
      );
    });

    it('misses when the typed text goes another way', () => {
      const cache = new CompletionCache();
      cache.set('print(', ')', 'f"Hello, {name}"');
      assert.equal(cache.lookupTypedThrough('print(n', ')'), undefined);
      assert.equal(cache.lookupTypedThrough('print(f"Hi', ')'), undefined);
    });

    it('misses once the suggestion has been typed in full', () => {
      const cache = new CompletionCache();
      cache.set('let n = ', ';', 'len');
      assert.equal(cache.lookupTypedThrough('let n = le', ';'), 'n');
      assert.equal(cache.lookupTypedThrough('let n = len', ';'), undefined);
      assert.equal(cache.lookupTypedThrough('let n = lenx', ';'), undefined);
    });

    it('misses when the text after the cursor changed', () => {
      const cache = new CompletionCache();
      cache.set('foo(', '', 'a, b)');
      // The editor auto-inserted a `)`: the suffix is no longer the one the suggestion was for.
      assert.equal(cache.lookupTypedThrough('foo(a', ')'), undefined);
      assert.equal(cache.lookupTypedThrough('foo(a', ''), ', b)');
    });

    it('does not answer the suggestion at exactly this cursor (that is get)', () => {
      const cache = new CompletionCache();
      cache.set('x = ', '', 'y');
      assert.equal(cache.lookupTypedThrough('x = ', ''), undefined);
    });

    it('takes the nearest cached position first', () => {
      const cache = new CompletionCache();
      cache.set('s = ', '', 'abcdef');
      cache.set('s = a', '', 'bXYZ');
      assert.equal(cache.lookupTypedThrough('s = ab', ''), 'XYZ');
      assert.equal(cache.lookupTypedThrough('s = abc', ''), 'def');
    });

    it('searches back at most maxTypedChars characters', () => {
      const cache = new CompletionCache({ maxTypedChars: 3 });
      cache.set('x = ', '', 'abcdefgh');
      assert.equal(cache.lookupTypedThrough('x = abc', ''), 'defgh');
      assert.equal(cache.lookupTypedThrough('x = abcd', ''), undefined);
      const none = new CompletionCache({ maxTypedChars: 0 });
      none.set('x = ', '', 'abc');
      assert.equal(none.lookupTypedThrough('x = a', ''), undefined);
    });

    it('works when the text before the cursor is longer than the key keeps', () => {
      const cache = new CompletionCache({ prefixChars: 6 });
      const head = 'import os\n'.repeat(50);
      cache.set(`${head}path = `, '\n', 'os.getcwd()');
      assert.equal(cache.lookupTypedThrough(`${head}path = os.`, '\n'), 'getcwd()');
      // An edit far back, outside the key, does not matter.
      assert.equal(cache.lookupTypedThrough(`# changed\n${head}path = os.g`, '\n'), 'etcwd()');
    });
  });

  describe('lookup', () => {
    it('answers the exact entry first, else one typed through', () => {
      const cache = new CompletionCache();
      cache.set('a = ', '', 'foo');
      cache.set('a = f', '', 'ancy');
      assert.equal(cache.lookup('a = f', ''), 'ancy');
      assert.equal(cache.lookup('a = fo', ''), 'o');
      assert.equal(cache.lookup('a = x', ''), undefined);
    });
  });

  describe('counters and clear', () => {
    it('counts one hit or one miss per lookup', () => {
      const cache = new CompletionCache();
      cache.set('k = ', '', 'value');
      cache.get('k = ', ''); // hit
      cache.get('q = ', ''); // miss
      cache.lookupTypedThrough('k = va', ''); // hit
      cache.lookupTypedThrough('k = xx', ''); // miss
      cache.lookup('k = v', ''); // hit, typed through: counted once
      cache.lookup('nothing', ''); // miss, after both ways: counted once
      assert.equal(cache.hits, 3);
      assert.equal(cache.misses, 3);
    });

    it('set does not count', () => {
      const cache = new CompletionCache();
      cache.set('a', '', 'b');
      assert.equal(cache.hits, 0);
      assert.equal(cache.misses, 0);
    });

    it('clear drops every suggestion and keeps the counters', () => {
      const cache = new CompletionCache();
      cache.set('a', '', 'A');
      cache.set('b', '', 'B');
      cache.get('a', '');
      cache.get('z', '');
      cache.clear();
      assert.equal(cache.size, 0);
      assert.equal(cache.hits, 1);
      assert.equal(cache.misses, 1);
      assert.equal(cache.get('a', ''), undefined);
      assert.equal(cache.lookupTypedThrough('bB', ''), undefined);
      assert.equal(cache.misses, 3);
    });
  });

  describe('constructor', () => {
    it('rejects a capacity or prefixChars below 1', () => {
      assert.throws(() => new CompletionCache({ capacity: 0 }), RangeError);
      assert.throws(() => new CompletionCache({ prefixChars: 0 }), RangeError);
    });

    it('rejects negative or fractional sizes', () => {
      assert.throws(() => new CompletionCache({ capacity: 2.5 }), RangeError);
      assert.throws(() => new CompletionCache({ suffixChars: -1 }), RangeError);
      assert.throws(() => new CompletionCache({ maxTypedChars: -1 }), RangeError);
      assert.throws(() => new CompletionCache({ maxTypedChars: Number.NaN }), RangeError);
    });

    it('accepts zero suffixChars, which keys on the text before the cursor alone', () => {
      const cache = new CompletionCache({ suffixChars: 0 });
      cache.set('x = ', ';', 'y');
      assert.equal(cache.get('x = ', ')'), 'y');
    });
  });
});
