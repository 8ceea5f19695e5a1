// Hands out the context's sequences one request at a time. A sequence keeps the tokens of the
// request it served last, so the choice matters:
// - a conversation gets back the sequence it used last, when that one is free, so a follow-up
//   turn evaluates only what is new;
// - a request without a conversation gets the most recently used sequence that no conversation
//   holds (a similar prompt, e.g. the next completion, reuses its tokens), else the least recently
//   used one. A conversation whose sequence went to another evaluates its history again.
import type { LlamaContextSequence } from 'node-llama-cpp';

interface Slot {
  readonly sequence: LlamaContextSequence;
  /** The conversation whose tokens the sequence holds, if any. */
  owner: string | undefined;
  lastUsed: number;
  busy: boolean;
}

export class SequencePool {
  private readonly slots: Slot[];
  private readonly waiting: Array<{ key: string | undefined; resolve: (sequence: LlamaContextSequence) => void }> = [];
  private clock = 0;

  constructor(readonly all: readonly LlamaContextSequence[]) {
    // Earlier sequences count as more recently used, so the first one serves first.
    this.slots = all.map((sequence, index) => ({ sequence, owner: undefined, lastUsed: -index, busy: false }));
  }

  get busyCount(): number {
    return this.slots.filter((slot) => slot.busy).length;
  }

  /** The conversation a sequence now belongs to (for tests and the log). */
  ownerOf(sequence: LlamaContextSequence): string | undefined {
    return this.slots.find((slot) => slot.sequence === sequence)?.owner;
  }

  acquire(signal: AbortSignal, key?: string): Promise<LlamaContextSequence> {
    const slot = this.pick(key);
    if (slot !== undefined) return Promise.resolve(this.take(slot, key));
    return new Promise((resolve, reject) => {
      const waiter = {
        key,
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
    const slot = this.slots.find((candidate) => candidate.sequence === sequence);
    if (slot === undefined) return;
    slot.busy = false;
    const next = this.waiting.shift();
    if (next !== undefined) next.resolve(this.take(slot, next.key));
  }

  private pick(key: string | undefined): Slot | undefined {
    const free = this.slots.filter((slot) => !slot.busy);
    if (free.length === 0) return undefined;
    if (key !== undefined) {
      const own = free.find((slot) => slot.owner === key);
      if (own !== undefined) return own;
    }
    const unowned = free.filter((slot) => slot.owner === undefined);
    if (key === undefined && unowned.length > 0) return unowned.reduce((a, b) => (b.lastUsed > a.lastUsed ? b : a));
    // Give away the sequence that was idle longest.
    return (unowned.length > 0 ? unowned : free).reduce((a, b) => (b.lastUsed < a.lastUsed ? b : a));
  }

  private take(slot: Slot, key: string | undefined): LlamaContextSequence {
    slot.busy = true;
    slot.owner = key;
    this.clock += 1;
    slot.lastUsed = this.clock;
    return slot.sequence;
  }
}
