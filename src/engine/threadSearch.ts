// The rules of the thread measurement, apart from the measuring: which counts to try, and how
// two measurements compare. Pure, so they are unit-tested without a model.

// Descending from the core count, a candidate this much slower than the best so far ends the search.
export const GIVE_UP_RATIO = 1.15;
// Fewer threads win unless more are clearly faster: a near tie is measurement noise (a tiny model
// measured 2→8 ms, 1→9 ms once and 2→105 ms, 1→9 ms the next time), and cores left free keep
// the editor responsive.
const FEWER_THREADS_MARGIN = 1.1;

export interface ThreadTiming {
  readonly threads: number;
  readonly ms: number;
}

/** Candidates from the physical core count down by halves: 8, 4, 2, 1. */
export function threadCandidates(physicalCores: number): number[] {
  const candidates: number[] = [];
  for (let threads = Math.max(1, physicalCores); threads >= 1; threads = Math.floor(threads / 2)) {
    candidates.push(threads);
    if (threads === 1) break;
  }
  return candidates;
}

/** The better of the best so far and a measurement of fewer threads. */
export function preferFewer(best: ThreadTiming, fewer: ThreadTiming): ThreadTiming {
  return fewer.ms <= best.ms * FEWER_THREADS_MARGIN ? fewer : best;
}
