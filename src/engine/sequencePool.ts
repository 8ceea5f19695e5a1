// Hands out the context's sequences one request at a time. Last in, first out: the sequence
// that served the previous request still holds its tokens, so a similar prompt reuses them.
import type { LlamaContextSequence } from 'node-llama-cpp';

export class SequencePool {
  private readonly free: LlamaContextSequence[];
  private readonly waiting: Array<{ resolve: (sequence: LlamaContextSequence) => void }> = [];

  constructor(readonly all: readonly LlamaContextSequence[]) {
    this.free = [...all].reverse();
  }

  get busyCount(): number {
    return this.all.length - this.free.length;
  }

  acquire(signal: AbortSignal): Promise<LlamaContextSequence> {
    const sequence = this.free.pop();
    if (sequence !== undefined) return Promise.resolve(sequence);
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (next: LlamaContextSequence) => {
          signal.removeEventListener('abort', onAbort);
          resolve(next);
        },
      };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  release(sequence: LlamaContextSequence): void {
    const next = this.waiting.shift();
    if (next !== undefined) next.resolve(sequence);
    else this.free.push(sequence);
  }
}
