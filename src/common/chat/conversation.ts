// A chat conversation as stored in the extension's workspace storage: versioned JSON, validated
// when read (the file is a trust boundary: it may be old, edited or damaged). Version 1 is the
// first; `parseConversation` is where later versions will migrate older ones.
import { z } from 'zod';

export const CONVERSATION_VERSION = 1;

export const storedMessageSchema = z.object({
  id: z.string().min(1),
  role: z.enum(['user', 'assistant']),
  /** What the model sees for this message. */
  content: z.string(),
  /** What the panel shows, when it differs from `content` (a summary request shows its header, not the whole selection). */
  display: z.string().optional(),
  header: z.string().optional(),
  /** The model that produced an answer. */
  model: z.string().optional(),
  /** Labels of the context that went with a user message. */
  context: z.array(z.string()).optional(),
  /** Where the attachments' text sits in `content` and which file and lines it came from (for the privacy gate). */
  sources: z
    .array(
      z.object({
        uri: z.string(),
        path: z.string(),
        startLine: z.number().int().positive(),
        endLine: z.number().int().positive(),
        offset: z.number().int().nonnegative(),
        length: z.number().int().nonnegative(),
      }),
    )
    .optional(),
  ended: z.enum(['complete', 'stopped', 'error', 'maxTokens']).optional(),
  error: z.string().optional(),
  createdAt: z.number().int().nonnegative(),
});

export const conversationSchema = z.object({
  version: z.literal(CONVERSATION_VERSION),
  id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/),
  title: z.string(),
  createdAt: z.number().int().nonnegative(),
  updatedAt: z.number().int().nonnegative(),
  messages: z.array(storedMessageSchema),
});

export type StoredMessage = z.infer<typeof storedMessageSchema>;
export type Conversation = z.infer<typeof conversationSchema>;

export function newConversation(id: string, now: number): Conversation {
  return { version: CONVERSATION_VERSION, id, title: 'New chat', createdAt: now, updatedAt: now, messages: [] };
}

/** Reads a stored conversation; says why when it cannot (a newer version, or damaged JSON). */
export function parseConversation(json: string): { ok: true; conversation: Conversation } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    return { ok: false, error: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const version = typeof raw === 'object' && raw !== null && 'version' in raw ? (raw as { version: unknown }).version : undefined;
  if (typeof version === 'number' && version > CONVERSATION_VERSION) {
    return { ok: false, error: `written by a newer Hearth (version ${version}; this one reads up to ${CONVERSATION_VERSION})` };
  }
  const parsed = conversationSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, conversation: parsed.data };
}

export function serializeConversation(conversation: Conversation): string {
  return `${JSON.stringify(conversation, null, 1)}\n`;
}

const TITLE_CHARS = 60;

/** A title from the first user message: its first line, shortened. */
export function titleFor(conversation: Conversation): string {
  const first = conversation.messages.find((message) => message.role === 'user');
  if (first === undefined) return 'New chat';
  const line = (first.display ?? first.content).trim().split('\n')[0]?.trim() ?? '';
  if (line.length === 0) return 'New chat';
  return line.length > TITLE_CHARS ? `${line.slice(0, TITLE_CHARS - 1)}…` : line;
}
