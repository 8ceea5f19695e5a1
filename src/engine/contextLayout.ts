// The shape of each loaded model's context: its default size and its sequences. Apart from
// modelEngine.ts so estimates and tests read it without loading node-llama-cpp.

export const DEFAULT_CONTEXT_SIZE = 4096;

/**
 * Sequences each model's context gets, by the roles it serves. One sequence stays warm for inline
 * completions, and one answers from a short window around the cursor while the completion one is
 * still reading a file in (the fast first window); two serve chat and commands. A completion-only
 * model keeps one shared sequence for plain requests on it (Try the Local Model); a chat-only model
 * needs no completion sequences. Each sequence holds a full context of KV memory, so more would
 * multiply it; model/estimate and the pair check count the same layout.
 */
export const SEQUENCE_LAYOUT = {
  both: { completion: 1, window: 1, shared: 2 },
  completion: { completion: 1, window: 1, shared: 1 },
  chat: { completion: 0, window: 0, shared: 2 },
} as const;
export type Serves = keyof typeof SEQUENCE_LAYOUT;
/** Sequences in the context of a model that serves both roles. */
export const CONTEXT_SEQUENCES = sequenceCount('both');

export function sequenceCount(serves: Serves): number {
  const layout = SEQUENCE_LAYOUT[serves];
  return layout.completion + layout.window + layout.shared;
}

/** Most and fewest tokens a fast first window holds. */
export const FIRST_WINDOW_MIN_TOKENS = 32;
export const FIRST_WINDOW_MAX_TOKENS = 512;
/** The share of the prompt budget the window's own prompt may take (generation needs the rest). */
const FIRST_WINDOW_BUDGET_SHARE = 0.6;

/**
 * Whether a completion must answer from a short window: evaluating what its full prompt adds to the
 * completion sequence would not fit the prompt budget at the measured prompt speed. Undefined:
 * the full prompt fits, no budget was given, or no prompt has been timed yet (the first one after a
 * load, usually the first touch's read, measures it); else the window's size in tokens.
 */
export function firstWindowTokens(input: { readonly tokensToEvaluate: number; readonly tokensPerMs: number | undefined; readonly promptBudgetMs: number | undefined }): number | undefined {
  if (input.promptBudgetMs === undefined || input.tokensToEvaluate <= FIRST_WINDOW_MIN_TOKENS) return undefined;
  if (input.tokensPerMs === undefined || input.tokensPerMs <= 0) return undefined;
  if (input.tokensToEvaluate / input.tokensPerMs <= input.promptBudgetMs) return undefined;
  const fits = Math.floor(input.tokensPerMs * input.promptBudgetMs * FIRST_WINDOW_BUDGET_SHARE);
  return Math.max(FIRST_WINDOW_MIN_TOKENS, Math.min(FIRST_WINDOW_MAX_TOKENS, fits));
}
