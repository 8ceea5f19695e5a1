// The consent dialog under mode "ask": the provider and endpoint, every file and line range, the
// bytes and what was redacted or withheld, with Send, Use Local Model and Cancel. "Show Exactly
// What Is Sent" opens the payload itself, so nothing hides behind the summary.
import * as vscode from 'vscode';
import type { ConsentAnswer, ConsentRequest } from '../text/cloudGateway';
import { hostOf } from '../text/cloudGateway';

export const SEND = 'Send';
export const USE_LOCAL = 'Use Local Model';
export const SHOW_PAYLOAD = 'Show Exactly What Is Sent';

export async function askConsent(request: ConsentRequest): Promise<ConsentAnswer> {
  for (;;) {
    const choice = await vscode.window.showWarningMessage(
      `${request.title} wants to send ${request.bytes.toLocaleString('en')} bytes to ${hostOf(request.endpoint)}.`,
      { modal: true, detail: consentDetail(request) },
      SEND,
      USE_LOCAL,
      SHOW_PAYLOAD,
    );
    if (choice === SEND) return 'send';
    if (choice === USE_LOCAL) return 'local';
    if (choice !== SHOW_PAYLOAD) return 'cancel';
    const document = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify({ endpoint: request.endpoint, messages: request.messages }, null, 2) });
    await vscode.window.showTextDocument(document, { preview: true });
  }
}

/** Everything the dialog states, one fact per line. */
export function consentDetail(request: ConsentRequest): string {
  const provider = request.endpoint.provider === 'anthropic' ? 'Anthropic' : 'OpenAI-compatible';
  const lines = [
    `Provider: ${provider}, model ${request.endpoint.model}`,
    `Endpoint: ${request.endpoint.baseUrl} (${request.endpoint.id}, ${request.endpoint.trust})`,
    `Bytes: ${request.bytes.toLocaleString('en')}`,
    request.files.length === 0 ? 'Files: none (only what you typed)' : 'Files:',
    ...request.files.map((file) => `  ${file.path}, lines ${file.startLine}–${file.endLine}`),
  ];
  if (request.withheld.length > 0) lines.push('Withheld (never sent):', ...request.withheld.map((file) => `  ${file.path}: ${file.reason}`));
  lines.push(
    request.redactions.length === 0
      ? 'Redacted: nothing (no secrets found)'
      : `Redacted: ${request.redactions.map((finding) => `${finding.count} ${finding.kind}`).join(', ')}`,
  );
  return lines.join('\n');
}
