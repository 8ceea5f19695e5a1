// From a raw fill-in-the-middle answer to the ghost text shown: each rule, on real code.
import assert from 'node:assert/strict';
import {
  DEFAULT_STOP_TOKENS,
  postProcessCompletion,
  suggestionIsComplete,
  type PostProcessInput,
} from '../../src/common/completion/postProcessCompletion';

/** A cursor at the end of its line (or on an empty one), nothing after it unless given. */
function atEnd(linePrefix: string, completion: string, more: Partial<PostProcessInput> = {}): string | undefined {
  return postProcessCompletion({ completion, linePrefix, lineSuffix: '', suffixLines: [], maxLines: 20, ...more });
}

/** A cursor inside a line, with `lineSuffix` after it. */
function inside(linePrefix: string, lineSuffix: string, completion: string, more: Partial<PostProcessInput> = {}): string | undefined {
  return postProcessCompletion({ completion, linePrefix, lineSuffix, suffixLines: [], maxLines: 20, ...more });
}

describe('postProcessCompletion', () => {
  describe('single line inside a line, multi-line at the end of one', () => {
    it('keeps only the first line when there is text after the cursor (TypeScript)', () => {
      assert.equal(inside('const total = ', ';', 'items.length\nconsole.log(total);'), 'items.length');
    });

    it('keeps only the first line inside a Python call', () => {
      assert.equal(inside('    print(', ')', 'f"{name}: {score}"\n    return score'), 'f"{name}: {score}"');
    });

    it('answers nothing inside a line when the first line is empty', () => {
      assert.equal(inside('foo(', ')', '\n  a,\n  b\n'), undefined);
    });

    it('writes a whole block at the end of a line (Go)', () => {
      const linePrefix = 'func load(path string) ([]byte, error) {';
      const body = '\n\tdata, err := os.ReadFile(path)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn data, nil';
      // The whole body is deeper than the line the cursor ends; the `}` the editor put below is not repeated.
      assert.equal(atEnd(linePrefix, `${body}\n}\n\nfunc other() {}`, { suffixLines: ['}'] }), body);
    });

    it('writes several lines on an empty line (JavaScript)', () => {
      assert.equal(
        atEnd('  ', 'const sum = a + b;\n  const product = a * b;\n  return [sum, product];', { suffixLines: ['}'] }),
        'const sum = a + b;\n  const product = a * b;\n  return [sum, product];',
      );
    });

    it('treats a cursor with only whitespace after it as the end of the line', () => {
      assert.equal(atEnd('x = ', 'compute()\ny = 2', { lineSuffix: '   ' }), 'compute()\ny = 2');
    });
  });

  describe('stops when the indentation falls below the block', () => {
    it('stops a Python function body at the dedent to the next def', () => {
      const completion = 'total = 0\n    for x in xs:\n        total += x\n\n\ndef other():\n    pass';
      assert.equal(atEnd('    ', completion), 'total = 0\n    for x in xs:\n        total += x');
    });

    it('stops a TypeScript method body before the class-level brace and the next method', () => {
      const completion = 'return this.items.length;\n  }\n\n  clear(): void {\n    this.items = [];\n  }';
      assert.equal(atEnd('    ', completion, { suffixLines: ['  }', '}'] }), 'return this.items.length;');
    });

    it('stops a C body before the closing brace of the enclosing function', () => {
      assert.equal(atEnd('    ', 'return 0;\n}\n\nint other(void) {', { suffixLines: [] }), 'return 0;');
    });

    it('ends after a nested block the completion wrote, leaving the next sibling statement out (Python)', () => {
      const completion = 'if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)';
      assert.equal(atEnd('    ', completion), 'if n < 2:\n        return n');
    });

    it('keeps continuation lines of the same statement: elif and else (Python)', () => {
      const completion =
        'if x > 0:\n        return "positive"\n    elif x < 0:\n        return "negative"\n    else:\n        return "zero"\n\nprint(sign(3))';
      assert.equal(
        atEnd('    ', completion),
        'if x > 0:\n        return "positive"\n    elif x < 0:\n        return "negative"\n    else:\n        return "zero"',
      );
    });

    it('keeps try/except/finally together (Python)', () => {
      const completion =
        'try:\n        data = json.load(f)\n    except ValueError:\n        data = {}\n    finally:\n        f.close()\n    return data';
      assert.equal(
        atEnd('    ', completion),
        'try:\n        data = json.load(f)\n    except ValueError:\n        data = {}\n    finally:\n        f.close()',
      );
    });

    it('keeps } else { and ends at the brace that closes the block (JavaScript)', () => {
      const completion = 'if (user) {\n    greet(user);\n  } else {\n    login();\n  }\n  render();';
      assert.equal(atEnd('  ', completion), 'if (user) {\n    greet(user);\n  } else {\n    login();\n  }');
    });

    it('keeps a closer that reopens, like }).then(() => {', () => {
      const completion = 'fetch(url).then((res) => {\n    return res.json();\n  }).then((data) => {\n    show(data);\n  });\n  done();';
      assert.equal(
        atEnd('  ', completion),
        'fetch(url).then((res) => {\n    return res.json();\n  }).then((data) => {\n    show(data);\n  });',
      );
    });

    it('ends a Rust match at its closing brace', () => {
      const completion = 'match opt {\n        Some(v) => v,\n        None => 0,\n    }\n}\n\nfn next() {}';
      assert.equal(atEnd('    ', completion, { suffixLines: ['}'] }), 'match opt {\n        Some(v) => v,\n        None => 0,\n    }');
    });

    it('ends a Ruby method at its end and leaves the next method out', () => {
      const completion = 'def greet(name)\n  puts "Hello, #{name}"\nend\n\ndef bye\n  puts "Bye"\nend';
      assert.equal(atEnd('', completion), 'def greet(name)\n  puts "Hello, #{name}"\nend');
    });

    it('keeps else in a shell if and ends at fi', () => {
      const completion = 'if [ -f "$file" ]; then\n  echo "found"\nelse\n  echo "missing"\nfi\necho "done"';
      assert.equal(atEnd('', completion), 'if [ -f "$file" ]; then\n  echo "found"\nelse\n  echo "missing"\nfi');
    });

    it('ends a shell loop at done', () => {
      const completion = 'for f in *.log; do\n  gzip "$f"\ndone\nls -l';
      assert.equal(atEnd('', completion), 'for f in *.log; do\n  gzip "$f"\ndone');
    });

    it('does not take an assignment to a variable named end for a closer', () => {
      assert.equal(atEnd('', 'start = 0\nend = len(xs)\nmid = (start + end) // 2'), 'start = 0\nend = len(xs)\nmid = (start + end) // 2');
    });

    it('keeps a blank line inside a block', () => {
      const completion = 'const a = 1;\n\n  const b = 2;\n}';
      assert.equal(atEnd('  ', completion), 'const a = 1;\n\n  const b = 2;');
    });

    it('counts a tab as tabSize columns', () => {
      const completion = 'x := 1\n\ty := 2\n    z := 3\n  w := 4';
      assert.equal(atEnd('\t', completion, { tabSize: 4 }), 'x := 1\n\ty := 2\n    z := 3');
      assert.equal(atEnd('\t', completion, { tabSize: 2 }), 'x := 1\n\ty := 2\n    z := 3'); // 4 spaces deeper than a 2-column tab
      assert.equal(atEnd('\t', completion, { tabSize: 8 }), 'x := 1\n\ty := 2');
      assert.equal(atEnd('\t', completion, { tabSize: 0 }), 'x := 1\n\ty := 2\n    z := 3'); // invalid: 4
    });
  });

  describe('maxLines', () => {
    const completion = 'a = 1\nb = 2\nc = 3\nd = 4';

    it('keeps at most maxLines lines', () => {
      assert.equal(atEnd('', completion, { maxLines: 2 }), 'a = 1\nb = 2');
      assert.equal(atEnd('', completion, { maxLines: 4 }), completion);
    });

    it('keeps one line, the rest of the cursor line, for maxLines 1 or less', () => {
      assert.equal(atEnd('', completion, { maxLines: 1 }), 'a = 1');
      assert.equal(atEnd('', completion, { maxLines: 0 }), 'a = 1');
    });

    it('does not end on blank lines cut by the cap', () => {
      assert.equal(atEnd('', 'a = 1\n\n\nb = 2', { maxLines: 3 }), 'a = 1');
    });
  });

  describe('never repeats what the suffix already has', () => {
    it('drops a ) the editor auto-inserted after a call (TypeScript)', () => {
      assert.equal(inside('  render(', ')', 'props, container)'), 'props, container');
    });

    it('drops ); when the suffix has both', () => {
      assert.equal(inside('  console.log(', ');', 'message);'), 'message');
      assert.equal(inside('  console.log(', ');', 'message)'), 'message');
    });

    it('keeps a ) that closes a call of the completion itself', () => {
      assert.equal(inside('f(', ')', 'g(x)'), 'g(x)');
      assert.equal(inside('    result = max(', ')', 'len(a), len(b))'), 'len(a), len(b)');
    });

    it('drops a closing quote and paren the editor inserted (Python)', () => {
      assert.equal(inside('print("', '")', 'Hello, world")'), 'Hello, world');
    });

    it('keeps a quote the completion opened and closed itself', () => {
      assert.equal(inside('log(', ')', 'msg + "!")'), 'msg + "!"');
      // Its quotes pair up, so the last `"` closes the completion's own string, not the suffix's.
      assert.equal(inside('title = ', '"', '"Home"'), '"Home"');
    });

    it('drops the quote of the suffix after a string the completion closed itself', () => {
      assert.equal(inside('x = "', '"', 'say("hi")"'), 'say("hi")');
      assert.equal(inside('const msg = `Hello, ${name}', '`;', '!`;'), '!');
    });

    it('drops the } of an object literal, without doubling the space before it', () => {
      assert.equal(inside('const point = { ', ' };', 'x: 1, y: 2 }'), 'x: 1, y: 2');
      assert.equal(inside('const o = { ', ' }', 'a: 1 '), 'a: 1');
    });

    it('drops a ) { that the condition line already has (C)', () => {
      assert.equal(inside('    if (', ') {', 'count > 0) {'), 'count > 0');
    });

    it('answers nothing when the completion is only what follows the cursor', () => {
      assert.equal(inside('foo(', ')', ')'), undefined);
      assert.equal(inside('main() {', '}', '}'), undefined);
    });

    it('drops a closing brace the editor inserted on the next line (Go)', () => {
      const completion = '\n\tfmt.Println("hello")\n}';
      assert.equal(atEnd('func main() {', completion, { suffixLines: ['}'] }), '\n\tfmt.Println("hello")');
      // Without a closing brace in the document, the completion's own one stays.
      assert.equal(atEnd('func main() {', completion, { suffixLines: [] }), '\n\tfmt.Println("hello")\n}');
    });

    it('drops an end or fi the document already has (Ruby, shell)', () => {
      assert.equal(
        atEnd('def greet(name)', '\n  puts "Hello, #{name}"\nend', { suffixLines: ['end'] }),
        '\n  puts "Hello, #{name}"',
      );
      assert.equal(atEnd('def greet(name)', '\n  puts "Hello, #{name}"\nend'), '\n  puts "Hello, #{name}"\nend');
      assert.equal(atEnd('if [ -n "$1" ]; then', '\n  echo "$1"\nfi', { suffixLines: ['', 'fi', 'exit 0'] }), '\n  echo "$1"');
    });

    it('keeps the completion closer when the suffix closes at another indentation', () => {
      const completion = 'if (ok) {\n    run();\n  }';
      assert.equal(atEnd('  ', completion, { suffixLines: ['}'] }), 'if (ok) {\n    run();\n  }');
    });

    it('stops before a line that repeats the next line of the document', () => {
      assert.equal(
        atEnd('  ', 'const y = x * 2;\n  return x + y;\n}', { suffixLines: ['  return x + y;', '}'] }),
        'const y = x * 2;',
      );
      assert.equal(
        atEnd('    ', 'total += x\n    return total', { suffixLines: ['', '    return total   '] }),
        'total += x',
      );
    });

    it('answers nothing when the first line is the next line of the document', () => {
      assert.equal(atEnd('  ', 'return x + y;\n}', { suffixLines: ['  return x + y;', '}'] }), undefined);
    });

    it('does not take the same text at another indentation for a repeat', () => {
      assert.equal(atEnd('    ', 'pass\n    x = 1', { suffixLines: ['pass'] }), 'pass\n    x = 1');
    });
  });

  describe('trailing whitespace', () => {
    it('trims trailing spaces and tabs from every line', () => {
      assert.equal(atEnd('  ', 'const x = 1;   \n  const y = 2;\t\n'), 'const x = 1;\n  const y = 2;');
    });

    it('drops trailing blank lines', () => {
      assert.equal(atEnd('def f():', '\n    return 1\n\n\n'), '\n    return 1');
    });

    it('turns CRLF answers into LF lines', () => {
      assert.equal(atEnd('    ', 'a = 1\r\n    b = 2\r\n'), 'a = 1\n    b = 2');
    });

    it('trims trailing whitespace inside a line too', () => {
      assert.equal(inside('return ', ';', 'a + b  '), 'a + b');
    });
  });

  describe('stop tokens', () => {
    it('cuts at <|endoftext|> (Qwen2.5-Coder)', () => {
      assert.equal(atEnd('    ', 'return x<|endoftext|>def other():\n    pass'), 'return x');
    });

    it('cuts at <|fim_pad|>', () => {
      assert.equal(atEnd('y = ', 'x + 1<|fim_pad|><|fim_pad|><|fim_pad|>'), 'x + 1');
    });

    it('cuts at <EOT> (CodeLlama)', () => {
      assert.equal(atEnd('    ', 'print(x)\n<EOT>\nmore'), 'print(x)');
    });

    it('cuts at the first of several tokens', () => {
      assert.equal(atEnd('', 'a = 1<|file_sep|>b = 2<|endoftext|>'), 'a = 1');
      assert.equal(atEnd('', 'a = 1\nb = 2<｜end▁of▁sentence｜>c'), 'a = 1\nb = 2');
    });

    it('cuts inside a line too', () => {
      assert.equal(inside('foo(', ')', 'bar<|fim_middle|>)'), 'bar');
    });

    it('uses stopTokens in place of the defaults', () => {
      const html = 'This is <s>old</s> text';
      assert.equal(atEnd('<p>', html), 'This is <s>old');
      assert.equal(atEnd('<p>', `${html}<|endoftext|>`, { stopTokens: ['<|endoftext|>'] }), html);
      assert.equal(atEnd('', 'x<EOT>', { stopTokens: [''] }), 'x<EOT>'); // an empty token cuts nothing
    });

    it('lists the tokens of the common coder models', () => {
      for (const token of ['<|endoftext|>', '<|fim_pad|>', '<EOT>', '<fim_middle>', '<|im_end|>']) {
        assert.ok(DEFAULT_STOP_TOKENS.includes(token), token);
      }
    });
  });

  describe('nothing useful left', () => {
    it('answers undefined, not an empty string, for an empty completion', () => {
      assert.equal(atEnd('  ', ''), undefined);
      assert.equal(inside('f(', ')', ''), undefined);
    });

    it('answers undefined for whitespace only', () => {
      assert.equal(atEnd('  ', '   \n\n  \t'), undefined);
      assert.equal(inside('f(', ')', '   '), undefined);
    });

    it('answers undefined when a stop token comes first', () => {
      assert.equal(atEnd('  ', '<|endoftext|>return 1'), undefined);
      assert.equal(atEnd('  ', '\n\n<|fim_pad|>'), undefined);
    });
  });
});

describe('suggestionIsComplete (when the model process may stop generating)', () => {
  const base = { linePrefix: '  ', lineSuffix: '', suffixLines: ['}'], maxLines: 16 };
  /** Every prefix of `full`, in pieces of `step` characters, as tokens would arrive. */
  const firstCompleteAt = (full: string, input: Omit<PostProcessInput, 'completion'>, step = 1): number | undefined => {
    for (let end = step; end <= full.length; end += step) if (suggestionIsComplete({ ...input, completion: full.slice(0, end) })) return end;
    return undefined;
  };

  it('inside a line: complete once the line ends, never before', () => {
    const input = { ...base, linePrefix: 'const x = f(', lineSuffix: ');' };
    assert.equal(suggestionIsComplete({ ...input, completion: 'a, b' }), false);
    assert.equal(suggestionIsComplete({ ...input, completion: 'a, b\nmore' }), true);
  });

  it('at maxLines: complete when the last kept line has ended, and the suggestion is what post-processing shows from the whole text', () => {
    const full = 'return 1;\n  x();\n  y();\n  z();\n';
    const input = { ...base, maxLines: 2 };
    const end = firstCompleteAt(full, input);
    assert.equal(end, 'return 1;\n  x();\n'.length);
    assert.equal(postProcessCompletion({ ...input, completion: full.slice(0, end) }), postProcessCompletion({ ...input, completion: full }));
  });

  it('when the block closes or the text leaves it: complete on the deciding line, with the same suggestion', () => {
    const nested = 'if (a) {\n    b();\n  }\n  next();\n  more();\n';
    const input = { ...base, suffixLines: [] };
    const end = firstCompleteAt(nested, input);
    assert.ok(end !== undefined && end < nested.length, `complete at ${end}`);
    assert.equal(postProcessCompletion({ ...input, completion: nested.slice(0, end) }), postProcessCompletion({ ...input, completion: nested }));
    // The second line is left of the cursor's block (4 columns): the suggestion ends before it.
    const dedent = 'a();\nb();\n}\nfunction next() {\n';
    const endDedent = firstCompleteAt(dedent, { ...base, linePrefix: '    ' });
    assert.equal(endDedent, 'a();\nb();\n'.length);
  });

  it('on a stop token at once, and not while the text runs on inside the block', () => {
    assert.equal(suggestionIsComplete({ ...base, completion: 'x();<|endoftext|>' }), true);
    assert.equal(suggestionIsComplete({ ...base, completion: 'x();\n  y();\n  z(' }), false);
  });
});
