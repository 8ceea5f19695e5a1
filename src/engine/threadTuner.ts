// Chooses the thread counts for a loaded model by measuring it, prompt reading and decoding apart.
// On small models thread synchronisation costs more than the arithmetic (a 1.7 MB model runs 20x
// slower on 2 threads than on 1 here); a 0.5B model reads prompts faster on 2 threads but decodes
// faster on 1. Only a measurement knows, and only a measurement of each phase.
import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { PhaseThreads } from './phaseThreads';
import { choosePhaseThreads, describePhaseChoice, GIVE_UP_RATIO, threadCandidates, type PhaseTiming } from './threadSearch';

export interface ThreadChoice {
  readonly promptThreads: number;
  readonly decodeThreads: number;
  readonly reason: string;
}

// About 60 tokens: read in one batch the way a file's prompt is, short enough that a 0.5B model on
// 2 cores reads it in about half a second per candidate (the measurement is remembered afterwards).
const PROMPT = Array.from({ length: 4 }, (_, index) => `Step ${index + 1}: the quick brown fox jumps over the lazy dog, then runs into the forest.`).join('\n');
const WARM_UP = 'The fox';
const GENERATED_TOKENS = 12;
// Decoding is timed from this token on: the steps right after a prompt batch cost more (the graph
// is laid out again for one token), which on a tiny model hid that 2 threads decode 4x slower.
const DECODE_FROM = 2;
const MAX_RUNS = 3;
// Runs are repeated only while they add up to less than this, so a large model is timed once.
const REPEAT_WITHIN_MS = 200;

export async function chooseThreads(model: LlamaModel, physicalCores: number, phases: PhaseThreads): Promise<ThreadChoice> {
  const candidates = threadCandidates(physicalCores);
  const most = Math.max(...candidates);
  // One context for every candidate: the count is switched per batch the way requests switch it.
  const context = await phases.with(model, most, () => model.createContext({ contextSize: 512, sequences: 1, threads: { ideal: most, min: 1 } }));
  try {
    const sequence = context.getSequence();
    // The first evaluation on a fresh context pays one-off allocation costs; time the later ones.
    await phases.with(context, most, () => generate(sequence, model.tokenize(WARM_UP), 2));
    const prompt = model.tokenize(PROMPT);
    const timings: PhaseTiming[] = [];
    for (const threads of candidates) {
      const timing = await phases.with(context, threads, () => timePhases(sequence, prompt, threads));
      timings.push(timing);
      // Descending: stop once fewer threads are clearly slower at both phases than the best so far.
      const bestPrompt = Math.min(...timings.map((entry) => entry.promptMsPerToken));
      const bestDecode = Math.min(...timings.map((entry) => entry.decodeMsPerToken));
      if (timing.promptMsPerToken > bestPrompt * GIVE_UP_RATIO && timing.decodeMsPerToken > bestDecode * GIVE_UP_RATIO) break;
    }
    const choice = choosePhaseThreads(timings);
    return { promptThreads: choice.promptThreads, decodeThreads: choice.decodeThreads, reason: describePhaseChoice(timings, choice, physicalCores) };
  } finally {
    await context.dispose();
  }
}

async function timePhases(sequence: LlamaContextSequence, prompt: Token[], threads: number): Promise<PhaseTiming> {
  // The fastest of a few runs, while they are short: one run on a busy machine can be several
  // times slower than the model is, and a tiny model then gets the wrong thread count.
  let promptMsPerToken = Number.POSITIVE_INFINITY;
  let decodeMsPerToken = Number.POSITIVE_INFINITY;
  let spent = 0;
  for (let run = 0; run < MAX_RUNS && spent < REPEAT_WITHIN_MS; run += 1) {
    await sequence.clearHistory();
    const start = performance.now();
    const stamps = await generate(sequence, prompt, GENERATED_TOKENS);
    const end = performance.now();
    const first = stamps[0] ?? end;
    const steady = stamps[DECODE_FROM];
    const last = stamps[stamps.length - 1] ?? end;
    const decode = steady !== undefined && stamps.length - 1 > DECODE_FROM ? (last - steady) / (stamps.length - 1 - DECODE_FROM) : Number.POSITIVE_INFINITY;
    // Until the first token: the prompt and one decoding step, the same for every count compared.
    const read = (first - start) / Math.max(1, prompt.length);
    promptMsPerToken = Math.min(promptMsPerToken, read);
    decodeMsPerToken = Math.min(decodeMsPerToken, decode);
    spent += end - start;
  }
  return { threads, promptMsPerToken, decodeMsPerToken };
}

/**
 * Reads `prompt` and generates `count` tokens greedily, returning when each token came. The
 * sequence's own loop, not LlamaCompletion: it does not stop at the end of text, so a model that
 * would end its text at once is still timed for `count` tokens.
 */
async function generate(sequence: LlamaContextSequence, prompt: Token[], count: number): Promise<number[]> {
  const stamps: number[] = [];
  const tokens = sequence.evaluate(prompt, { temperature: 0 });
  try {
    while (stamps.length < count) {
      const next = await tokens.next();
      if (next.done === true) break;
      stamps.push(performance.now());
    }
  } finally {
    await tokens.return();
  }
  return stamps;
}
