// Snippets of other files kept for the prompt's head: a small ring, ordered for a stable prompt.
import assert from 'node:assert/strict';
import { ExtraContextRing } from '../../src/common/completion/extraContextRing';

/** `count` numbered lines of a made-up file: `<name> line 0`, `<name> line 1`, … */
function fileLines(name: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${name} line ${i}`);
}

function sources(ring: ExtraContextRing): string[] {
  return ring.chunks().map((chunk) => chunk.source);
}

describe('ExtraContextRing', () => {
  describe('chunks', () => {
    it('takes chunkLines lines centred on the line of interest', () => {
      const ring = new ExtraContextRing({ chunkLines: 5 });
      ring.add('a.ts', fileLines('a', 20), 10, 1);
      assert.deepEqual(ring.chunks(), [{ source: 'a.ts', text: fileLines('a', 20).slice(8, 13).join('\n') }]);
    });

    it('shifts the chunk inside the file near its start and its end', () => {
      const lines = fileLines('a', 20);
      const start = new ExtraContextRing({ chunkLines: 5 });
      start.add('a.ts', lines, 0, 1);
      assert.equal(start.chunks()[0]?.text, lines.slice(0, 5).join('\n'));
      const end = new ExtraContextRing({ chunkLines: 5 });
      end.add('a.ts', lines, 19, 1);
      assert.equal(end.chunks()[0]?.text, lines.slice(15, 20).join('\n'));
      const beyond = new ExtraContextRing({ chunkLines: 5 });
      beyond.add('a.ts', lines, 500, 1);
      assert.equal(beyond.chunks()[0]?.text, lines.slice(15, 20).join('\n'));
    });

    it('takes the whole file when it is shorter than chunkLines', () => {
      const ring = new ExtraContextRing({ chunkLines: 64 });
      ring.add('util.py', ['def double(x):', '    return x * 2'], 1, 1);
      assert.deepEqual(ring.chunks(), [{ source: 'util.py', text: 'def double(x):\n    return x * 2' }]);
    });

    it('drops the \\r of CRLF lines', () => {
      const ring = new ExtraContextRing({ chunkLines: 4 });
      ring.add('win.cs', ['class A {\r', '  int x;\r', '}\r'], 1, 1);
      assert.equal(ring.chunks()[0]?.text, 'class A {\n  int x;\n}');
    });

    it('ignores an empty file and a chunk of only blank lines', () => {
      const ring = new ExtraContextRing({ chunkLines: 3 });
      ring.add('empty.ts', [], 0, 1);
      ring.add('blank.ts', ['', '   ', '\t', '', 'const x = 1;'], 1, 2);
      assert.deepEqual(ring.chunks(), []);
      assert.equal(ring.version, 0);
    });

    it('keeps chunks in the order they came, oldest first', () => {
      const ring = new ExtraContextRing({ chunkLines: 4 });
      ring.add('a.ts', fileLines('a', 4), 0, 1);
      ring.add('b.ts', fileLines('b', 4), 0, 2);
      ring.add('c.ts', fileLines('c', 4), 0, 3);
      assert.deepEqual(sources(ring), ['a.ts', 'b.ts', 'c.ts']);
    });

    it('keeps separate chunks of distant places in the same file', () => {
      const ring = new ExtraContextRing({ chunkLines: 4 });
      const lines = fileLines('a', 40);
      ring.add('a.ts', lines, 2, 1);
      ring.add('a.ts', lines, 30, 2);
      assert.deepEqual(
        ring.chunks().map((chunk) => chunk.text),
        [lines.slice(0, 4).join('\n'), lines.slice(28, 32).join('\n')],
      );
    });

    it('rejects options that are not positive integers', () => {
      assert.throws(() => new ExtraContextRing({ maxChunks: 0 }), RangeError);
      assert.throws(() => new ExtraContextRing({ chunkLines: -1 }), RangeError);
      assert.throws(() => new ExtraContextRing({ chunkLines: 2.5 }), RangeError);
    });
  });

  describe('near-duplicates', () => {
    it('replaces a chunk of the same source that covers mostly the same lines', () => {
      const ring = new ExtraContextRing({ chunkLines: 5 });
      const lines = fileLines('a', 20);
      ring.add('a.ts', lines, 10, 1);
      ring.add('b.ts', fileLines('b', 5), 2, 2);
      ring.add('a.ts', lines, 11, 3); // lines 9..13 against 8..12: four of five shared
      assert.deepEqual(ring.chunks(), [
        { source: 'b.ts', text: fileLines('b', 5).join('\n') },
        { source: 'a.ts', text: lines.slice(9, 14).join('\n') },
      ]);
    });

    it('replaces the old chunk when the same place was edited', () => {
      const ring = new ExtraContextRing({ chunkLines: 8 });
      const before = ['fn main() {', '    let x = 1;', '    println!("{}", x);', '}'];
      const after = ['fn main() {', '    let x = 2;', '    println!("{}", x);', '}'];
      ring.add('main.rs', before, 1, 1);
      ring.add('main.rs', after, 1, 2);
      assert.deepEqual(ring.chunks(), [{ source: 'main.rs', text: after.join('\n') }]);
    });

    it('replaces an old longer chunk when the file shrank', () => {
      const ring = new ExtraContextRing({ chunkLines: 10 });
      ring.add('a.ts', fileLines('a', 30), 5, 1); // lines 0..9
      ring.add('a.ts', fileLines('a', 3), 1, 2); // lines 0..2, all inside the old chunk
      assert.deepEqual(ring.chunks(), [{ source: 'a.ts', text: fileLines('a', 3).join('\n') }]);
    });

    it('does not replace a chunk of another source with the same lines', () => {
      const ring = new ExtraContextRing({ chunkLines: 4 });
      ring.add('a.ts', fileLines('x', 4), 0, 1);
      ring.add('b.ts', fileLines('x', 4), 0, 2);
      assert.deepEqual(sources(ring), ['a.ts', 'b.ts']);
    });

    it('the same text again only marks it used: it keeps its place and the version', () => {
      const ring = new ExtraContextRing({ chunkLines: 4 });
      ring.add('a.ts', fileLines('a', 4), 1, 1);
      ring.add('b.ts', fileLines('b', 4), 1, 2);
      const version = ring.version;
      ring.add('a.ts', fileLines('a', 4), 2, 3); // same lines, same text
      assert.equal(ring.version, version);
      assert.deepEqual(sources(ring), ['a.ts', 'b.ts']);
      // …but it now counts as the most recently used: it survives the next eviction.
      const small = new ExtraContextRing({ chunkLines: 4, maxChunks: 2 });
      small.add('a.ts', fileLines('a', 4), 1, 1);
      small.add('b.ts', fileLines('b', 4), 1, 2);
      small.add('a.ts', fileLines('a', 4), 1, 3);
      small.add('c.ts', fileLines('c', 4), 1, 4);
      assert.deepEqual(sources(small), ['a.ts', 'c.ts']);
    });
  });

  describe('capacity', () => {
    it('holds at most maxChunks, evicting the least recently touched', () => {
      const ring = new ExtraContextRing({ chunkLines: 4, maxChunks: 3 });
      ring.add('a.ts', fileLines('a', 4), 0, 1);
      ring.add('b.ts', fileLines('b', 4), 0, 2);
      ring.add('c.ts', fileLines('c', 4), 0, 3);
      ring.add('d.ts', fileLines('d', 4), 0, 4);
      assert.deepEqual(sources(ring), ['b.ts', 'c.ts', 'd.ts']);
    });

    it('evicts by last touch, not by insertion order', () => {
      const ring = new ExtraContextRing({ chunkLines: 4, maxChunks: 3 });
      ring.add('a.ts', fileLines('a', 4), 0, 1);
      ring.add('b.ts', fileLines('b', 4), 0, 2);
      ring.add('c.ts', fileLines('c', 4), 0, 3);
      ring.add('a.ts', fileLines('a', 4), 0, 4); // a touched again
      ring.add('d.ts', fileLines('d', 4), 0, 5);
      assert.deepEqual(sources(ring), ['a.ts', 'c.ts', 'd.ts']);
      ring.add('b.ts', fileLines('b', 4), 0, 6);
      assert.deepEqual(sources(ring), ['a.ts', 'd.ts', 'b.ts']);
    });
  });

  describe('version', () => {
    it('goes up on each real change and only then', () => {
      const ring = new ExtraContextRing({ chunkLines: 4 });
      assert.equal(ring.version, 0);
      ring.add('a.ts', fileLines('a', 4), 0, 1);
      assert.equal(ring.version, 1);
      ring.add('a.ts', fileLines('a', 4), 0, 2); // same text: a touch
      assert.equal(ring.version, 1);
      ring.add('a.ts', ['a line 0', 'changed', 'a line 2', 'a line 3'], 0, 3);
      assert.equal(ring.version, 2);
      ring.add('blank.ts', ['', ' '], 0, 4);
      assert.equal(ring.version, 2);
      ring.removeSource('missing.ts');
      assert.equal(ring.version, 2);
      ring.removeSource('a.ts');
      assert.equal(ring.version, 3);
      ring.render(1_000);
      ring.chunks();
      assert.equal(ring.version, 3);
    });
  });

  describe('removeSource', () => {
    it('drops every chunk of that source and keeps the rest in order', () => {
      const ring = new ExtraContextRing({ chunkLines: 4 });
      const lines = fileLines('a', 40);
      ring.add('a.ts', lines, 0, 1);
      ring.add('b.ts', fileLines('b', 4), 0, 2);
      ring.add('a.ts', lines, 30, 3);
      ring.add('c.ts', fileLines('c', 4), 0, 4);
      ring.removeSource('a.ts');
      assert.deepEqual(sources(ring), ['b.ts', 'c.ts']);
    });
  });

  describe('render', () => {
    function ringOfThree(): ExtraContextRing {
      const ring = new ExtraContextRing({ chunkLines: 2 });
      ring.add('a.ts', ['const a = 1;', 'export { a };'], 0, 1);
      ring.add('b.py', ['def b():', '    return 2'], 0, 2);
      ring.add('c.go', ['func c() int {', '\treturn 3'], 0, 3);
      return ring;
    }
    const blockA = '// a.ts\nconst a = 1;\nexport { a };\n';
    const blockB = '// b.py\ndef b():\n    return 2\n';
    const blockC = '// c.go\nfunc c() int {\n\treturn 3\n';

    it('writes every chunk under its header, oldest first, when all fit', () => {
      assert.equal(ringOfThree().render(10_000), blockA + blockB + blockC);
    });

    it('keeps the most recently touched within maxChars and writes them oldest first', () => {
      const ring = ringOfThree();
      assert.equal(ring.render(blockB.length + blockC.length), blockB + blockC);
      ring.add('a.ts', ['const a = 1;', 'export { a };'], 0, 4); // touch a: now the most recent
      const text = ring.render(blockA.length + blockC.length);
      assert.equal(text, blockA + blockC); // a stays first: the head does not move
    });

    it('never goes over maxChars, skipping a chunk that does not fit for an older one that does', () => {
      const ring = new ExtraContextRing({ chunkLines: 3 });
      ring.add('small.ts', ['x;'], 0, 1);
      ring.add('big.ts', ['a very long line of code that takes room', 'another long line', 'and one more'], 1, 2);
      const small = '// small.ts\nx;\n';
      assert.equal(ring.render(small.length + 5), small);
      assert.equal(ring.render(small.length - 1), '');
      assert.equal(ring.render(0), '');
      for (const max of [0, 10, 20, 40, 80, 200]) assert.ok(ring.render(max).length <= max);
    });

    it('keeps a stable head as new chunks arrive', () => {
      const ring = ringOfThree();
      const before = ring.render(10_000);
      ring.add('d.rb', ['def d', '  4', 'end'], 1, 5);
      const after = ring.render(10_000);
      assert.ok(after.startsWith(before), 'the earlier text must stay a prefix of the new one');
    });

    it('leaves out the chunks of exceptSource', () => {
      const ring = ringOfThree();
      assert.equal(ring.render(10_000, 'b.py'), blockA + blockC);
      // The room it would have taken goes to the others.
      assert.equal(ring.render(blockA.length + blockC.length, 'b.py'), blockA + blockC);
      assert.equal(ring.render(10_000, 'other.ts'), blockA + blockB + blockC);
    });

    it('uses formatHeader for the line that names the source', () => {
      const ring = new ExtraContextRing({ chunkLines: 2, formatHeader: (source) => `# file: ${source}` });
      ring.add('lib/x.py', ['X = 1'], 0, 1);
      assert.equal(ring.render(1_000), '# file: lib/x.py\nX = 1\n');
    });

    it('renders nothing for an empty ring', () => {
      assert.equal(new ExtraContextRing().render(1_000), '');
    });
  });
});
