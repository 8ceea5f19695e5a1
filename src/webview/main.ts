// The chat webview's browser entry. The chat panel itself is a later issue; until then this
// bundle only performs the ready handshake the host protocol expects.
declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

acquireVsCodeApi().postMessage({ type: 'ready' });
