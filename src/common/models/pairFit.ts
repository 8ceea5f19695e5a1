// Whether two models fit in one model process together: the completion model and the chat model
// when the settings name different files. Pure: the model process measures the machine and each
// model's footprint (node-llama-cpp's estimate from the GGUF header, with every sequence's KV
// cache) and passes them in, so the rule is tested on simulated machines.
import { formatBytes } from '../formatBytes';
import type { MemoryBudget } from './recommendModels';

export interface PairMember {
  readonly role: 'completion' | 'chat';
  /** The file's name, as the user set it. */
  readonly name: string;
  readonly ramBytes: number;
  readonly vramBytes: number;
  readonly sequences: number;
  readonly contextSize: number;
}

export interface PairVerdict {
  readonly fits: boolean;
  readonly needBytes: number;
  readonly budgetBytes: number;
  /** One or two plain sentences; for a refusal, what to do about it. */
  readonly message: string;
}

export function pairVerdict(members: readonly PairMember[], budget: MemoryBudget, freeRamBytes: number): PairVerdict {
  // With a GPU, node-llama-cpp places each model's layers where there is room when it loads, so
  // what counts is the memory of both kinds together.
  const needBytes = members.reduce((sum, member) => sum + member.ramBytes + member.vramBytes, 0);
  const budgetBytes = budget.ramBytes + (budget.vramBytes ?? 0);
  const parts = members.map(
    (member) => `${member.role} model ${member.name} (${formatBytes(member.ramBytes + member.vramBytes)} with ${member.sequences} × ${member.contextSize}-token sequences)`,
  );
  const where = budget.vramBytes === undefined ? '' : ' of RAM and GPU memory';
  const fits = needBytes <= budgetBytes;
  if (fits) return { fits, needBytes, budgetBytes, message: `The ${parts.join(' and the ')} need ${formatBytes(needBytes)} together, within the ${formatBytes(budgetBytes)}${where} Hearth can use.` };
  return {
    fits,
    needBytes,
    budgetBytes,
    message:
      `The ${parts.join(' and the ')} need ${formatBytes(needBytes)} together, more than the ${formatBytes(budgetBytes)}${where} Hearth can use ` +
      `(${formatBytes(freeRamBytes)} of RAM free, ${formatBytes(budget.ramHeadroomBytes)} kept for the editor; each VS Code window runs its own model process). ` +
      'Use one model for both roles, choose a smaller quantization, or lower "hearth.engine.contextSize".',
  };
}
