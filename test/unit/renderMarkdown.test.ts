// The chat's Markdown renderer treats every answer as hostile: these tests parse its output with
// jsdom and check that nothing executable, no remote fetch and no unsafe link survives, and that
// code blocks stay highlighted with their raw code recoverable exactly.
import assert from 'node:assert/strict';
import createDOMPurify, { type DOMPurify, type WindowLike } from 'dompurify';
import { JSDOM } from 'jsdom';
import { codeOfBlock, isSafeLinkHref, renderMarkdown } from '../../src/webview/renderMarkdown';

describe('renderMarkdown', () => {
  let window: JSDOM['window'];
  let purify: DOMPurify;

  before(() => {
    window = new JSDOM('<!DOCTYPE html><body></body>').window;
    purify = createDOMPurify(window as unknown as WindowLike);
  });

  after(() => window.close());

  /** Renders and parses the result the way the webview does (innerHTML of a container). */
  function render(markdown: string, options?: Parameters<typeof renderMarkdown>[2]): HTMLElement {
    const container = window.document.createElement('div');
    container.innerHTML = renderMarkdown(markdown, purify, options);
    return container;
  }

  function allElements(container: HTMLElement): Element[] {
    return Array.from(container.querySelectorAll('*'));
  }

  function assertNoEventHandlers(container: HTMLElement): void {
    for (const element of allElements(container)) {
      for (const name of element.getAttributeNames()) assert.ok(!/^on/i.test(name), `<${element.tagName}> has ${name}`);
    }
  }

  it('renders ordinary Markdown', () => {
    const out = render('# Title\n\nSome *emphasis* and **strong** and `code`.\n\n- one\n- two');
    assert.equal(out.querySelector('h1')?.textContent, 'Title');
    assert.equal(out.querySelector('em')?.textContent, 'emphasis');
    assert.equal(out.querySelector('strong')?.textContent, 'strong');
    assert.equal(out.querySelector('p code')?.textContent, 'code');
    assert.equal(out.querySelectorAll('li').length, 2);
  });

  it('never produces a <script> element', () => {
    for (const markdown of ['<script>alert(1)</script>', 'text <script src="https://evil.example/x.js"></script>', '<SCRIPT>alert(1)</SCRIPT>']) {
      const out = render(markdown);
      assert.equal(out.querySelector('script'), null, markdown);
      assert.match(out.textContent ?? '', /script/i, 'the tag is shown as text');
    }
  });

  it('shows raw HTML as text (html: false) and leaves no event-handler attribute anywhere', () => {
    const out = render('<img src=x onerror=alert(1)>\n\n<a href="https://x.example" onclick="alert(1)">x</a>\n\n<div onmouseover="alert(1)">hover</div>');
    assert.equal(out.querySelector('img'), null);
    assert.equal(out.querySelector('div'), null);
    assert.ok(out.textContent?.includes('<img src=x onerror=alert(1)>'));
    assertNoEventHandlers(out);
  });

  it('shows inline HTML such as <b>bold</b> as text, not as an element', () => {
    const out = render('some <b>bold</b> text');
    assert.equal(out.querySelector('b'), null);
    assert.equal(out.textContent?.trim(), 'some <b>bold</b> text');
  });

  it('replaces a remote image with a text placeholder and loads nothing', () => {
    const out = render('look: ![x](https://evil.example/p.png) and ![](http://evil.example/q.gif "t") and ![rel](img/local.png)');
    for (const img of Array.from(out.querySelectorAll('img'))) {
      assert.match(img.getAttribute('src') ?? '', /^data:/, `remote image kept: ${img.outerHTML}`);
    }
    assert.equal(out.querySelectorAll('img').length, 0);
    assert.ok(out.textContent?.includes('[image: x]'));
    assert.ok(out.textContent?.includes('[image]'));
    assert.ok(out.textContent?.includes('[image: rel]'));
    assert.ok(!out.innerHTML.includes('evil.example'), 'the remote URL is not in the output at all');
  });

  it('keeps an image given as a data: URI', () => {
    const src = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const out = render(`![dot](${src})`);
    const img = out.querySelector('img');
    assert.ok(img, 'data image kept');
    assert.equal(img.getAttribute('src'), src);
    assert.equal(img.getAttribute('alt'), 'dot');
  });

  it('has the sanitiser drop remote images even if they reach it (second line of defence)', () => {
    render('x'); // installs the hooks on this DOMPurify instance
    const container = window.document.createElement('div');
    container.innerHTML = purify.sanitize('<p><img src="https://evil.example/p.png" alt="a" onerror="alert(1)"><img srcset="https://evil.example/p.png 1x"></p>');
    assert.equal(container.querySelectorAll('img').length, 0);
    assert.ok(container.textContent?.includes('[image: a]'));
    assertNoEventHandlers(container);
  });

  it('never produces a javascript:, vbscript: or data: link', () => {
    const out = render(
      '[a](javascript:alert(1)) [b](JAVASCRIPT:alert(1)) [c](vbscript:msgbox) [d](data:text/html;base64,PHNjcmlwdD4=) ' +
        '[e](  javascript:alert(1)) <javascript:alert(1)> [f](java&#x09;script:alert(1)) [g](file:///etc/passwd) [h](./relative.md)',
    );
    for (const link of Array.from(out.querySelectorAll('a'))) {
      const href = link.getAttribute('href');
      assert.ok(href === null || /^(https?:|mailto:)/i.test(href), `unsafe href kept: ${link.outerHTML}`);
    }
    assert.ok(!/href="\s*(javascript|vbscript|data|file):/i.test(out.innerHTML));
  });

  it('keeps https, http and mailto links', () => {
    const out = render('[docs](https://code.visualstudio.com/api) and <http://example.com/x> and <me@example.com> and www.example.org');
    const hrefs = Array.from(out.querySelectorAll('a')).map((a) => a.getAttribute('href'));
    assert.deepEqual(hrefs, ['https://code.visualstudio.com/api', 'http://example.com/x', 'mailto:me@example.com', 'http://www.example.org']);
    assert.equal(out.querySelector('a')?.textContent, 'docs');
  });

  it('has the sanitiser drop unsafe hrefs even if they reach it', () => {
    render('x');
    const container = window.document.createElement('div');
    container.innerHTML = purify.sanitize('<a href="javascript:alert(1)">a</a><a href="data:text/html,x">b</a><a href="https://ok.example">c</a>');
    assert.deepEqual(Array.from(container.querySelectorAll('a')).map((a) => a.getAttribute('href')), [null, null, 'https://ok.example']);
  });

  it('highlights a fenced code block and keeps its raw code exactly', () => {
    const code = 'const a = 1 < 2 && "x";';
    const out = render('```ts\n' + code + '\n```');
    const pre = out.querySelector('pre');
    assert.ok(pre);
    const codeElement = pre.querySelector('code');
    assert.ok(codeElement);
    assert.ok(codeElement.classList.contains('hljs'));
    assert.ok(codeElement.classList.contains('language-ts'));
    assert.ok(codeElement.querySelector('span.hljs-keyword'), 'highlight.js token classes present');
    assert.equal(pre.getAttribute('data-lang'), 'ts');
    assert.equal(pre.getAttribute('data-code'), code);
    assert.equal(codeOfBlock(pre), code);
    assert.equal(codeElement.textContent, code + '\n', 'highlighting does not change the text');
  });

  it('keeps multi-line code with HTML-like and quote characters exactly', () => {
    const code = 'function f(a) {\n  return `<b>${a}</b>` + \'&amp;\' + "</pre>";\n}\n\n// end';
    const out = render('Intro\n\n```js\n' + code + '\n```\n\nOutro');
    const pre = out.querySelector('pre');
    assert.ok(pre);
    assert.equal(codeOfBlock(pre), code);
    assert.equal(out.querySelectorAll('pre').length, 1);
    assert.equal(out.querySelector('b'), null);
  });

  it('auto-detects the language only when none is given, and only when asked', () => {
    const code = 'def greet(name):\n    return f"hello {name}"\n';
    const detected = render('```\n' + code + '```').querySelector('pre code');
    assert.ok(detected?.className.startsWith('hljs language-'), detected?.className);
    assert.equal(render('```\n' + code + '```').querySelector('pre')?.getAttribute('data-lang'), null, 'a guess is not shown as the language');
    const streaming = render('```\n' + code + '```', { autoDetectLanguage: false }).querySelector('pre code');
    assert.equal(streaming?.className, 'hljs');
    assert.equal(streaming?.querySelector('span'), null);
  });

  it('survives unknown and hostile language names', () => {
    const out = render('```no-such-language\nx < y\n```\n\n```"><img src=x onerror=alert(1)>\nz\n```');
    const blocks = Array.from(out.querySelectorAll('pre'));
    assert.equal(blocks.length, 2);
    assert.equal(codeOfBlock(blocks[0]!), 'x < y');
    assert.equal(blocks[0]!.getAttribute('data-lang'), 'no-such-language');
    assert.equal(codeOfBlock(blocks[1]!), 'z');
    assert.equal(blocks[1]!.getAttribute('data-lang'), null);
    assert.equal(out.querySelector('img'), null);
    assertNoEventHandlers(out);
  });

  it('uses classes, not inline styles, for table alignment', () => {
    const out = render('| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |');
    assert.equal(out.querySelector('[style]'), null);
    assert.deepEqual(Array.from(out.querySelectorAll('th')).map((th) => th.className), ['align-left', 'align-center', 'align-right']);
  });

  it('renders partial Markdown (a stream cut mid-fence) without throwing', () => {
    const out = render('Here:\n\n```python\nfor i in range(3):\n    print(i');
    assert.equal(codeOfBlock(out.querySelector('pre')!), 'for i in range(3):\n    print(i');
  });

  it('accepts only http, https and mailto as safe links', () => {
    assert.ok(isSafeLinkHref('https://a.example'));
    assert.ok(isSafeLinkHref('HTTP://a.example'));
    assert.ok(isSafeLinkHref('mailto:a@b.example'));
    for (const href of ['javascript:alert(1)', 'vbscript:x', 'data:text/html,x', 'file:///x', 'command:workbench.action.quit', 'vscode://x', '/relative', '#anchor', '']) {
      assert.ok(!isSafeLinkHref(href), href);
    }
  });
});
