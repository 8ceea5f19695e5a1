// The rules of the thread measurement, apart from the measuring: which counts to try, how two
// measurements compare, and which counts serve each phase. Pure, so they are unit-tested without a model.

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

/** Both phases of one thread count, measured apart: a prompt read in batches, then tokens decoded one by one. */
export interface PhaseTiming {
  readonly threads: number;
  /** Milliseconds per prompt token, read in one batch. */
  readonly promptMsPerToken: number;
  /** Milliseconds per generated token. */
  readonly decodeMsPerToken: number;
}

/** What a user waits for, in tokens: each case's time is its prompt tokens read plus its tokens generated. */
export interface UserCase {
  readonly name: string;
  readonly promptTokens: number;
  readonly generatedTokens: number;
}

// Typical sizes, from the completion and chat paths: a warm keystroke reuses the file's prompt and
// reads a few new tokens before a suggestion of a few dozen; a chat answer reads the new message and
// writes a few hundred; the fast first window reads its window and writes a short suggestion.
export const USER_CASES: readonly UserCase[] = [
  { name: 'warm keystroke', promptTokens: 16, generatedTokens: 32 },
  { name: 'chat answer', promptTokens: 150, generatedTokens: 250 },
  { name: 'cold first window', promptTokens: 256, generatedTokens: 16 },
];

export interface PhaseChoice {
  readonly promptThreads: number;
  readonly decodeThreads: number;
  /** Each case's estimated time with the chosen counts, and with the one count that serves the cases best. */
  readonly cases: ReadonlyArray<{ readonly name: string; readonly ms: number; readonly oneCountMs: number }>;
  /** The single count that would serve the cases best, were both phases run with one count. */
  readonly oneCount: number;
}

/** Estimated milliseconds of a case with these counts. */
export function caseMs(userCase: UserCase, prompt: PhaseTiming, decode: PhaseTiming): number {
  return userCase.promptTokens * prompt.promptMsPerToken + userCase.generatedTokens * decode.decodeMsPerToken;
}

/**
 * The count for each phase: the fastest at reading prompts and the fastest at decoding, each
 * preferring fewer threads on a near tie. Both phases' counts are chosen apart because the engine
 * switches between them per batch, so each user case takes the fastest of both.
 */
export function choosePhaseThreads(timings: readonly PhaseTiming[], cases: readonly UserCase[] = USER_CASES): PhaseChoice {
  if (timings.length === 0) throw new Error('choosePhaseThreads needs at least one measurement');
  // Most threads first, so preferFewer sees each smaller count after the larger ones.
  const descending = [...timings].sort((a, b) => b.threads - a.threads);
  const pick = (msOf: (timing: PhaseTiming) => number): PhaseTiming => {
    let best: ThreadTiming = { threads: 0, ms: Number.POSITIVE_INFINITY };
    for (const timing of descending) best = preferFewer(best, { threads: timing.threads, ms: msOf(timing) });
    return descending.find((timing) => timing.threads === best.threads) ?? descending[0]!;
  };
  const prompt = pick((timing) => timing.promptMsPerToken);
  const decode = pick((timing) => timing.decodeMsPerToken);
  // The one count that would serve all the cases together best, for the log's comparison.
  const one = pick((timing) => cases.reduce((sum, userCase) => sum + caseMs(userCase, timing, timing), 0));
  return {
    promptThreads: prompt.threads,
    decodeThreads: decode.threads,
    oneCount: one.threads,
    cases: cases.map((userCase) => ({ name: userCase.name, ms: caseMs(userCase, prompt, decode), oneCountMs: caseMs(userCase, one, one) })),
  };
}

/** The log's account of a choice: each count's speeds, the choice, and what it means for each case. */
export function describePhaseChoice(timings: readonly PhaseTiming[], choice: PhaseChoice, physicalCores: number): string {
  const speeds = [...timings]
    .sort((a, b) => b.threads - a.threads)
    .map((timing) => `${timing.threads}→prompt ${perSecond(timing.promptMsPerToken)}, decode ${perSecond(timing.decodeMsPerToken)} tok/s`)
    .join('; ');
  const cases = choice.cases.map((userCase) => `${userCase.name} ~${userCase.ms.toFixed(0)} ms (${choice.oneCount} for both: ${userCase.oneCountMs.toFixed(0)} ms)`).join(', ');
  return `auto: ${choice.promptThreads} for prompts, ${choice.decodeThreads} for decoding; measured ${speeds}; ${cases}; ${physicalCores} physical cores`;
}

function perSecond(msPerToken: number): string {
  return msPerToken > 0 ? (1000 / msPerToken).toFixed(0) : '∞';
}
