// The chat webview's document: a strict CSP, scripts only by nonce, nothing inline.
import assert from 'node:assert/strict';
import { chatHtml, createNonce } from '../../src/host/chat/chatHtml';

describe('chat webview HTML', () => {
  const nonce = createNonce();
  const html = chatHtml({
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    nonce,
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
    styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/chat.css',
    codiconsUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/codicons/codicon.css',
  });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';

  it('allows nothing by default, scripts only by nonce, resources only from the extension', () => {
    const directives = Object.fromEntries(csp.split(';').map((part) => part.trim()).filter(Boolean).map((part) => [part.split(' ')[0], part.split(' ').slice(1)]));
    assert.deepEqual(directives['default-src'], ["'none'"]);
    assert.deepEqual(directives['script-src'], [`'nonce-${nonce}'`]);
    assert.deepEqual(directives['style-src'], ['https://file+.vscode-resource.vscode-cdn.net']);
    assert.deepEqual(directives['img-src'], ['https://file+.vscode-resource.vscode-cdn.net', 'data:']);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:\/\/(?!file\+)/);
  });

  it('loads its one script by nonce and has no inline script or handler', () => {
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
    assert.equal(scripts.length, 1);
    assert.match(scripts[0] ?? '', new RegExp(`nonce="${nonce}" src="[^"]+/dist/webview\\.js"`));
    assert.doesNotMatch(html, /\son[a-z]+=/i);
    assert.doesNotMatch(html, /style="/);
  });

  it('makes a fresh 32-character nonce each time', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => createNonce()));
    assert.equal(nonces.size, 50);
    for (const value of nonces) assert.match(value, /^[A-Za-z0-9]{32}$/);
  });
});
