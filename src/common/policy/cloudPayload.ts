// The text a cloud request would carry, with every never-send file taken out: each such source's
// exact text is replaced by a placeholder naming it. Where that text cannot be found verbatim (a
// feature reshaped it), the request cannot be separated from the file, so it is refused.
import type { ContextSource } from './contextSource';

export interface PayloadMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface PayloadFile {
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
}

export interface WithheldFile {
  readonly path: string;
  readonly reason: string;
}

export interface PreparedPayload {
  readonly messages: readonly PayloadMessage[];
  /** What is sent, by file and lines. */
  readonly files: readonly PayloadFile[];
  /** What was kept out, and why. */
  readonly withheld: readonly WithheldFile[];
}

export class InseparableSourceError extends Error {
  constructor(readonly path: string) {
    super(`${path} may never be sent to a cloud, and this request could not be built without it, so nothing was sent.`);
    this.name = 'InseparableSourceError';
  }
}

export function withholdNeverSend(
  messages: readonly PayloadMessage[],
  sources: readonly ContextSource[],
  neverSendReason: (source: ContextSource) => string | undefined,
): PreparedPayload {
  let current = messages.map((message) => ({ ...message }));
  const files: PayloadFile[] = [];
  const withheld: WithheldFile[] = [];
  for (const source of sources) {
    const reason = neverSendReason(source);
    if (reason === undefined) {
      // A file in several turns of a conversation is listed once per range.
      if (!files.some((file) => file.path === source.path && file.startLine === source.startLine && file.endLine === source.endLine)) {
        files.push({ path: source.path, startLine: source.startLine, endLine: source.endLine });
      }
      continue;
    }
    if (!withheld.some((file) => file.path === source.path)) withheld.push({ path: source.path, reason });
    const text = source.text ?? '';
    // Text derived from the file (not the file's own words) cannot be separated from it.
    if (text.trim().length === 0 || !current.some((message) => message.content.includes(text))) throw new InseparableSourceError(source.path);
    const placeholder = `[withheld: ${source.path} is never sent to a cloud]`;
    current = current.map((message) => ({ ...message, content: message.content.split(text).join(placeholder) }));
  }
  return { messages: current, files, withheld };
}

/** UTF-8 bytes of what is sent: every message's text. */
export function payloadBytes(messages: readonly PayloadMessage[]): number {
  const encoder = new TextEncoder();
  return messages.reduce((sum, message) => sum + encoder.encode(message.content).length, 0);
}
