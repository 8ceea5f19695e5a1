// The shape of each loaded model's context: its default size and its sequences. Apart from
// modelEngine.ts so estimates and tests read it without loading node-llama-cpp.

export const DEFAULT_CONTEXT_SIZE = 4096;

/**
 * Sequences each model's context gets, by the roles it serves. One sequence stays warm for inline
 * completions; two serve chat and commands. A completion-only model keeps one shared sequence for
 * plain requests on it (Try the Local Model); a chat-only model needs no completion sequence.
 * More would only multiply KV memory, which model/estimate and the pair check count the same way.
 */
export const SEQUENCE_LAYOUT = {
  both: { completion: 1, shared: 2 },
  completion: { completion: 1, shared: 1 },
  chat: { completion: 0, shared: 2 },
} as const;
export type Serves = keyof typeof SEQUENCE_LAYOUT;
/** Sequences in the context of a model that serves both roles. */
export const CONTEXT_SEQUENCES = sequenceCount('both');

export function sequenceCount(serves: Serves): number {
  return SEQUENCE_LAYOUT[serves].completion + SEQUENCE_LAYOUT[serves].shared;
}
