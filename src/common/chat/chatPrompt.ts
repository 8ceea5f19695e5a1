// What the model is sent for a chat turn: a short system prompt, then the conversation, with the
// context the user attached (selection, files) placed before the message it went with.
import type { ContextSource } from '../policy/contextSource';
import type { ChatMessage } from '../protocol/engineProtocol';

export const CHAT_SYSTEM_PROMPT = 'You are Hearth, a helpful assistant for writing and code, running on the user\u2019s own machine. Answer concisely in Markdown.';

export interface Attachment {
  /** Shown on the chip and in the prompt, e.g. "src/a.ts, lines 3–9". */
  readonly label: string;
  readonly text: string;
  /** A language id for the fence, when known. */
  readonly language?: string;
  /** The file and lines the text came from, for the privacy gate. */
  readonly source?: Omit<ContextSource, 'text' | 'history'>;
}

/** The user message content with its attachments before it, each in a fenced block. */
export function userContent(text: string, attachments: readonly Attachment[]): string {
  if (attachments.length === 0) return text;
  const blocks = attachments.map((attachment) => `${attachment.label}:\n${fence(attachment.text, attachment.language ?? '')}`);
  return `${blocks.join('\n\n')}\n\n${text}`;
}

/** The messages for the model: the system prompt, then each message's content. */
export function chatMessages(history: ReadonlyArray<{ readonly role: 'user' | 'assistant'; readonly content: string }>): ChatMessage[] {
  return [{ role: 'system', content: CHAT_SYSTEM_PROMPT }, ...history.map((message) => ({ role: message.role, content: message.content }))];
}

/** A Markdown fence long enough that the text cannot close it. */
export function fence(text: string, language: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`{3,}/g)].map((match) => match[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${language}\n${text}${text.endsWith('\n') ? '' : '\n'}${ticks}`;
}
