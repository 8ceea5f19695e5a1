// Fits a conversation into the model's context window: the newest messages are kept, and older
// ones are dropped whole, oldest first, until the rest fits. The system prompt and the newest user
// message always stay; if even they do not fit, the caller is told so.

export interface CountedMessage<M> {
  readonly message: M;
  readonly tokens: number;
}

export interface TrimResult<M> {
  readonly kept: readonly M[];
  /** How many of the oldest messages were left out. */
  readonly dropped: number;
  /** Tokens of what is kept, overhead included. */
  readonly tokens: number;
  /** False when the newest message alone (with the system prompt) is over the budget. */
  readonly fits: boolean;
}

/** Tokens the chat template adds around each message (role markers, separators); an estimate on the safe side. */
export const TEMPLATE_TOKENS_PER_MESSAGE = 8;

/**
 * Tokens an answer may take: the setting, but at most half the context, so a large
 * hearth.chat.maxTokens on a model with a small context still leaves room for the question.
 */
export function maxAnswerTokens(setting: number, contextSize: number): number {
  return Math.max(1, Math.min(setting, Math.floor(contextSize / 2)));
}

export function trimHistory<M>(systemTokens: number, messages: readonly CountedMessage<M>[], budget: number): TrimResult<M> {
  const cost = (entry: CountedMessage<M>) => entry.tokens + TEMPLATE_TOKENS_PER_MESSAGE;
  let total = systemTokens + TEMPLATE_TOKENS_PER_MESSAGE;
  let start = messages.length;
  // Walk back from the newest; the newest is always kept.
  while (start > 0) {
    const next = messages[start - 1] as CountedMessage<M>;
    const withNext = total + cost(next);
    if (start < messages.length && withNext > budget) break;
    total = withNext;
    start -= 1;
  }
  // A kept history starts with a user message, so no answer appears without its question.
  while (start < messages.length - 1 && isAssistant(messages[start]?.message)) {
    total -= cost(messages[start] as CountedMessage<M>);
    start += 1;
  }
  return { kept: messages.slice(start).map((entry) => entry.message), dropped: start, tokens: total, fits: total <= budget };
}

function isAssistant(message: unknown): boolean {
  return typeof message === 'object' && message !== null && 'role' in message && (message as { role: unknown }).role === 'assistant';
}
