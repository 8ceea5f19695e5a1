// The boundary between the chat webview and the extension host. Two discriminated unions, one per
// direction; each side parses what it receives and drops (and logs) anything that fails. The
// webview starts with `ready`; the host answers with `init` and only then pushes updates.
import { z } from 'zod';

const id = z.string().min(1).max(200);
// Messages are bounded so that a misbehaving webview cannot make the host hold unbounded text.
const text = z.string().max(1_000_000);

export const chatRoleSchema = z.enum(['user', 'assistant']);

/** One message as the panel shows it. */
export const chatMessageViewSchema = z.object({
  id,
  role: chatRoleSchema,
  /** Markdown for answers (rendered sanitised in the webview), plain text for user messages. */
  text,
  /** A line above the message saying where it came from, e.g. "Summary of src/a.ts, lines 3–9". */
  header: z.string().max(500).optional(),
  /** The model that produced an answer. */
  model: z.string().max(500).optional(),
  /** Labels of the context that went with a user message. */
  context: z.array(z.string().max(500)).max(100).optional(),
  /** An answer that ended early: stopped by the user, failed, or cut at the token limit. */
  ended: z.enum(['complete', 'stopped', 'error', 'maxTokens']).optional(),
  error: z.string().max(10_000).optional(),
});

export const contextChipSchema = z.object({
  id,
  kind: z.enum(['selection', 'file', 'attachment']),
  label: z.string().max(500),
  /** Set when the item cannot go with the message; says why (e.g. it matches hearth.privacy.exclude). */
  blocked: z.string().max(500).optional(),
});

export const historyItemSchema = z.object({
  id,
  title: z.string().max(500),
  updatedAt: z.number().int().nonnegative(),
  messageCount: z.number().int().nonnegative(),
});

export const engineViewSchema = z.object({
  kind: z.enum(['notLoaded', 'loading', 'ready', 'generating', 'restarting', 'error', 'noModel']),
  /** The model's name, or the file being loaded. */
  model: z.string().max(1000).optional(),
  message: z.string().max(10_000).optional(),
});

/** host → webview */
export const hostToWebviewSchema = z.discriminatedUnion('type', [
  /** Answer to `ready` and after New Chat or opening a conversation: the whole state. */
  z.object({
    type: z.literal('init'),
    conversationId: id,
    messages: z.array(chatMessageViewSchema).max(10_000),
    engine: engineViewSchema,
    chips: z.array(contextChipSchema).max(100),
    busy: z.boolean(),
  }),
  /** A message appended to the conversation (a user message, or an answer about to stream). */
  z.object({ type: z.literal('message'), message: chatMessageViewSchema }),
  /** Streamed text for an answer, appended in order. */
  z.object({ type: z.literal('delta'), messageId: id, text }),
  /** An answer is finished; `message` is its final form. */
  z.object({ type: z.literal('done'), message: chatMessageViewSchema }),
  z.object({ type: z.literal('busy'), busy: z.boolean() }),
  z.object({ type: z.literal('engine'), engine: engineViewSchema }),
  z.object({ type: z.literal('chips'), chips: z.array(contextChipSchema).max(100) }),
  z.object({ type: z.literal('history'), items: z.array(historyItemSchema).max(10_000) }),
  /** Older turns were left out of what the model sees, to fit its context window. */
  z.object({ type: z.literal('trimmed'), droppedMessages: z.number().int().nonnegative() }),
  z.object({ type: z.literal('notice'), level: z.enum(['info', 'warning', 'error']), text: z.string().max(10_000) }),
]);

/** webview → host */
export const webviewToHostSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** Send a message; `replaceFrom` (Up, edit the last message) drops that message and what followed it first. */
  z.object({
    type: z.literal('send'),
    text: z.string().min(1).max(200_000),
    replaceFrom: id.optional(),
    /** "Ask the Cloud Model": a complex request, which the privacy policy may send to the cloud model. */
    cloud: z.boolean().optional(),
  }),
  z.object({ type: z.literal('stop') }),
  z.object({ type: z.literal('newChat') }),
  z.object({ type: z.literal('showHistory') }),
  z.object({ type: z.literal('openConversation'), id }),
  z.object({ type: z.literal('deleteConversation'), id }),
  /** Attach a file: the host shows a picker (the attach button, or `#file` typed in the input). */
  z.object({ type: z.literal('attachFile') }),
  z.object({ type: z.literal('removeChip'), id }),
  z.object({ type: z.literal('copyCode'), code: z.string().max(1_000_000) }),
  z.object({ type: z.literal('insertCode'), code: z.string().max(1_000_000) }),
  z.object({ type: z.literal('replaceSelection'), code: z.string().max(1_000_000) }),
  /** A link in an answer was clicked: the host asks the user before opening it. */
  z.object({ type: z.literal('openLink'), href: z.string().max(10_000) }),
  z.object({ type: z.literal('chooseModel') }),
  /** First run: the list of models with the one recommended for this machine first. */
  z.object({ type: z.literal('getModel') }),
  /** First run, air-gapped: import a GGUF file. */
  z.object({ type: z.literal('importModel') }),
]);

export type HostToWebview = z.infer<typeof hostToWebviewSchema>;
export type WebviewToHost = z.infer<typeof webviewToHostSchema>;
export type ChatMessageView = z.infer<typeof chatMessageViewSchema>;
export type ContextChip = z.infer<typeof contextChipSchema>;
export type HistoryItem = z.infer<typeof historyItemSchema>;
export type EngineView = z.infer<typeof engineViewSchema>;

/** Parses a message from the other side; undefined (and why) when it does not match the protocol. */
export function parseMessage<T>(schema: z.ZodType<T>, raw: unknown): { ok: true; message: T } | { ok: false; error: string } {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const field = typeof raw === 'object' && raw !== null && 'type' in raw ? (raw as { type: unknown }).type : undefined;
  // Only a string type is quoted: String() of a crafted object can throw.
  const type = typeof field === 'string' ? field.slice(0, 50) : typeof raw;
  return { ok: false, error: `${type}: ${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.') ?? ''}` };
}
