// Threads per phase. Reading a prompt gains from every core; decoding one token at a time often
// loses from a second thread (barrier waits outweigh the halved arithmetic on a small model), and
// node-llama-cpp 3.21 gives llama.cpp one count for both (n_threads_batch = n_threads). Its
// public thread budget, `Llama.maxThreads`, is read before every batch a context decodes, so
// raising it while a prompt is read and lowering it while tokens are generated switches the count
// per batch. Contexts ask for their largest count as their ideal and at least one thread.
//
// Each running phase holds its count for its context; the budget is the sum over contexts of the
// largest count held on each, so two models decoding at once each keep their count (the library
// then splits the budget between them), and sequences of one context, which share its batches,
// get the largest count any of them holds.

/** The part of node-llama-cpp's Llama this sets. */
export interface ThreadBudget {
  maxThreads: number;
}

export interface PhaseHold {
  /** Switches this hold to another count, e.g. from prompt to decoding at the first token. */
  set(threads: number): void;
  release(): void;
}

export class PhaseThreads {
  private readonly holds = new Map<PhaseHold, { context: object; threads: number }>();

  /** `idle` is the budget while nothing runs; a context created then may ask for up to that many. */
  constructor(
    private readonly budget: ThreadBudget,
    private readonly idle: number,
  ) {
    this.apply();
  }

  hold(context: object, threads: number): PhaseHold {
    const hold: PhaseHold = {
      set: (next) => {
        const entry = this.holds.get(hold);
        if (entry === undefined || entry.threads === next) return;
        entry.threads = next;
        this.apply();
      },
      release: () => {
        if (this.holds.delete(hold)) this.apply();
      },
    };
    this.holds.set(hold, { context, threads });
    this.apply();
    return hold;
  }

  /** Runs `work` holding `threads` on `context`. */
  async with<T>(context: object, threads: number, work: () => Promise<T>): Promise<T> {
    const hold = this.hold(context, threads);
    try {
      return await work();
    } finally {
      hold.release();
    }
  }

  private apply(): void {
    const perContext = new Map<object, number>();
    for (const { context, threads } of this.holds.values()) perContext.set(context, Math.max(perContext.get(context) ?? 0, threads));
    const total = [...perContext.values()].reduce((sum, threads) => sum + threads, 0);
    this.budget.maxThreads = Math.max(1, total === 0 ? this.idle : total);
  }
}
