// Every task that asks a model for text, with its complexity: the one table the text service's
// router reads. "simple" tasks run on the local model (or, where an administrator allows it, an
// internal endpoint); only "complex" ones may escalate to a cloud model, and only where the
// privacy policy allows it.
export type TaskComplexity = 'simple' | 'complex';

export interface TaskInfo {
  readonly complexity: TaskComplexity;
  /** What the user calls it: consent dialogs, notices and the ledger name the command this way. */
  readonly title: string;
  /** Whether a chat-shaped cloud API can do it at all (ghost text needs fill-in-the-middle and the local cache). */
  readonly cloudCapable: boolean;
  /** Which local model serves it: the completion model (hearth.models.completion) or the chat model. */
  readonly role: 'completion' | 'chat';
}

export const tasks = {
  completion: { complexity: 'simple', title: 'Inline Completion', cloudCapable: false, role: 'completion' },
  chat: { complexity: 'simple', title: 'Chat', cloudCapable: true, role: 'chat' },
  summarize: { complexity: 'simple', title: 'Summarize Selection', cloudCapable: true, role: 'chat' },
  rewrite: { complexity: 'simple', title: 'Rewrite Selection', cloudCapable: true, role: 'chat' },
  explain: { complexity: 'simple', title: 'Explain Selection', cloudCapable: true, role: 'chat' },
  tryModel: { complexity: 'simple', title: 'Try the Local Model', cloudCapable: false, role: 'completion' },
  /** A chat message sent with "Ask the Cloud Model". */
  askCloud: { complexity: 'complex', title: 'Ask the Cloud Model', cloudCapable: true, role: 'chat' },
  explainInDepth: { complexity: 'complex', title: 'Explain in Depth', cloudCapable: true, role: 'chat' },
  generateTests: { complexity: 'complex', title: 'Generate Tests', cloudCapable: true, role: 'chat' },
  refactor: { complexity: 'complex', title: 'Refactor Selection', cloudCapable: true, role: 'chat' },
} as const satisfies Record<string, TaskInfo>;

export type TaskId = keyof typeof tasks;

/** Kept for callers that only need the complexity column. */
export const taskComplexity: Readonly<Record<TaskId, TaskComplexity>> = Object.fromEntries(
  Object.entries(tasks).map(([id, info]) => [id, info.complexity]),
) as Record<TaskId, TaskComplexity>;

export function complexityOf(task: TaskId): TaskComplexity {
  return tasks[task].complexity;
}

export function taskInfo(task: TaskId): TaskInfo {
  return tasks[task];
}
