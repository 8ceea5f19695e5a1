// Every task that asks a model for text, with its complexity: the one table the text service's
// router reads. "simple" tasks always run on the local model; only "complex" ones may ever be
// considered for a cloud model, and only where the privacy policy allows it.
export type TaskComplexity = 'simple' | 'complex';

export const taskComplexity = {
  /** Inline completions (ghost text). */
  completion: 'simple',
  /** A message in the chat panel. */
  chat: 'simple',
  /** hearth.summarizeSelection */
  summarize: 'simple',
  /** hearth.rewriteSelection */
  rewrite: 'simple',
  /** hearth.explainSelection */
  explain: 'simple',
  /** hearth.generate.tryModel */
  tryModel: 'simple',
} as const satisfies Record<string, TaskComplexity>;

export type TaskId = keyof typeof taskComplexity;

export function complexityOf(task: TaskId): TaskComplexity {
  return taskComplexity[task];
}
