// Chooses the thread count for a loaded model by measuring it. On small models thread
// synchronisation costs more than the arithmetic (a 1.7 MB model runs 20x slower on 2 threads
// than on 1 here), while larger models want every physical core; only a measurement knows.
import { LlamaCompletion, type LlamaModel } from 'node-llama-cpp';
import { GIVE_UP_RATIO, preferFewer, threadCandidates } from './threadSearch';

export interface ThreadChoice {
  readonly threads: number;
  readonly reason: string;
}

const PROMPT = 'The quick brown fox jumps over the lazy dog. Then it runs into the forest and';
const GENERATED_TOKENS = 6;
const MAX_RUNS = 3;
// Runs are repeated only while they add up to less than this, so a large model is timed once.
const REPEAT_WITHIN_MS = 150;

export async function chooseThreads(model: LlamaModel, physicalCores: number): Promise<ThreadChoice> {
  const timings: string[] = [];
  let best = { threads: 1, ms: Number.POSITIVE_INFINITY };
  for (const threads of threadCandidates(physicalCores)) {
    const ms = await timeGeneration(model, threads);
    timings.push(`${threads}→${ms.toFixed(0)} ms`);
    const previous = best;
    best = preferFewer(best, { threads, ms });
    if (best === previous && ms > best.ms * GIVE_UP_RATIO) break;
  }
  return {
    threads: best.threads,
    reason: `auto: measured ${timings.join(', ')} for a short prompt and ${GENERATED_TOKENS} tokens; ${physicalCores} physical cores`,
  };
}

async function timeGeneration(model: LlamaModel, threads: number): Promise<number> {
  const context = await model.createContext({ contextSize: 256, sequences: 1, threads });
  try {
    const sequence = context.getSequence();
    const completion = new LlamaCompletion({ contextSequence: sequence });
    // The first evaluation on a fresh context pays one-off allocation costs; time the second.
    await completion.generateCompletion(PROMPT, { maxTokens: 1 });
    // The fastest of a few runs, while they are short: one run on a busy machine can be several
    // times slower than the model is, and a tiny model then gets the wrong thread count.
    let fastest = Number.POSITIVE_INFINITY;
    let spent = 0;
    for (let run = 0; run < MAX_RUNS && spent < REPEAT_WITHIN_MS; run += 1) {
      await sequence.clearHistory();
      const start = performance.now();
      await completion.generateCompletion(PROMPT, { maxTokens: GENERATED_TOKENS });
      const ms = performance.now() - start;
      fastest = Math.min(fastest, ms);
      spent += ms;
    }
    return fastest;
  } finally {
    await context.dispose();
  }
}
