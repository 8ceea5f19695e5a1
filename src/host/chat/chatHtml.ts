// The chat webview's HTML document: a strict CSP (only the nonce'd bundle runs; styles, fonts and
// images only from the extension's own files, images also as data: URIs, so an answer can never
// make the webview fetch anything), the codicon and chat stylesheets, and the mount point.
// Pure string building, no `vscode`, so it is testable anywhere.

export interface ChatHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** A fresh value from `createNonce()` for each document. */
  nonce: string;
  /** Webview URIs (`webview.asWebviewUri(…)`) of dist/webview.js, media/chat.css and dist/codicons/codicon.css. */
  scriptUri: string;
  styleUri: string;
  codiconsUri: string;
}

export function chatHtml({ cspSource, nonce, scriptUri, styleUri, codiconsUri }: ChatHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ') + ';';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeAttribute(codiconsUri)}">
  <link rel="stylesheet" href="${escapeAttribute(styleUri)}">
  <title>Hearth Chat</title>
</head>
<body>
  <div id="app"></div>
  <script nonce="${escapeAttribute(nonce)}" src="${escapeAttribute(scriptUri)}"></script>
</body>
</html>
`;
}

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const NONCE_LENGTH = 32;

/** 32 random letters and digits from the platform's cryptographic generator, without modulo bias. */
export function createNonce(): string {
  // 248 = 4 × 62: bytes at or above it are discarded so every character is equally likely.
  const limit = 256 - (256 % NONCE_ALPHABET.length);
  let nonce = '';
  while (nonce.length < NONCE_LENGTH) {
    for (const byte of globalThis.crypto.getRandomValues(new Uint8Array(NONCE_LENGTH * 2))) {
      if (byte >= limit) continue;
      nonce += NONCE_ALPHABET[byte % NONCE_ALPHABET.length];
      if (nonce.length === NONCE_LENGTH) break;
    }
  }
  return nonce;
}

function escapeAttribute(value: string): string {
  // Every attribute here is double-quoted, so single quotes (the CSP's 'none', 'nonce-…') stay as they are.
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
