// The two phases of a model's work measured apart, at each thread count, against the machine's
// memory-bandwidth bound, for `npm run bench:engine`. Decoding one token reads every weight once,
// so a model of B bytes decodes at most bandwidth ÷ B tokens a second; prompt evaluation batches
// many tokens per read and is bound by arithmetic instead. The bandwidth is measured in the same
// run: each worker thread compares two equal buffers (one comparison runs on one core), so N
// workers read what N decode threads could.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LlamaModel } from 'node-llama-cpp';
import { engineMethods } from '../../src/common/protocol/engineProtocol';
import { EngineConnection, newStreamId } from '../../src/host/engine/engineConnection';
import { median } from './benchStats';

const BUFFER_BYTES = 256 * 1024 * 1024;
const COMPARE_ROUNDS = 4;
const DECODE_RUNS = 3;
const DECODE_TOKENS = 64;
const CONTEXT_SIZE = 2048;
const DECODE_PROMPT = 'Once upon a time';
// About 500 tokens of prompt: long enough that its evaluation is timed in batches, as a file's is.
const LONG_PROMPT = Array.from({ length: 40 }, (_, index) => `Line ${index}: the lighthouse keeper climbed the stairs and lit the lamp again.`).join('\n');

export interface PhaseRow {
  /** A fixed count for both phases, or 'auto': the model process's own choice, switched per phase. */
  readonly threads: number | 'auto';
  readonly promptThreads: number;
  readonly decodeThreads: number;
  readonly promptTokPerSec: number;
  readonly decodeTokPerSec: number;
  /** node-llama-cpp in this process, decoding with the same count, model and prompt. */
  readonly inProcessDecodeTokPerSec: number;
  /** The model process's decode speed ÷ in-process. */
  readonly processDecodeRatio: number;
  /** Bandwidth ÷ model bytes: the most tokens a second decoding can reach with this many threads. */
  readonly boundTokPerSec: number;
  readonly decodeBoundShare: number;
}

/** Bytes a second `threads` worker threads read together, each comparing two equal buffers. */
export async function measureReadBandwidth(threads: number): Promise<number> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const a = Buffer.alloc(workerData.bytes, 7);
    const b = Buffer.alloc(workerData.bytes, 7);
    Buffer.compare(a, b); // first touch: the pages are faulted in, not timed
    parentPort.postMessage('ready');
    parentPort.once('message', () => {
      const start = process.hrtime.bigint();
      for (let round = 0; round < workerData.rounds; round += 1) Buffer.compare(a, b);
      parentPort.postMessage(Number(process.hrtime.bigint() - start) / 1e9);
    });`;
  const workers = Array.from({ length: threads }, () => new Worker(code, { eval: true, workerData: { bytes: BUFFER_BYTES, rounds: COMPARE_ROUNDS } }));
  try {
    await Promise.all(workers.map((worker) => new Promise((ready) => worker.once('message', ready))));
    // All start together, so the figure is what they read at the same time.
    const seconds = await Promise.all(
      workers.map((worker) => {
        const done = new Promise<number>((finished) => worker.once('message', finished));
        worker.postMessage('go');
        return done;
      }),
    );
    const bytes = threads * COMPARE_ROUNDS * 2 * BUFFER_BYTES;
    return bytes / Math.max(...seconds);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/**
 * Prompt and decode speed of `modelPath` through the model process at each thread count and with
 * the model process's own choice ('auto', the last row), with node-llama-cpp in this process
 * decoding the same prompt at the same decode count right after each, so both see the same machine.
 */
export async function phaseRows(modelPath: string, threadCounts: readonly number[], bandwidthByThreads: ReadonlyMap<number, number>): Promise<PhaseRow[]> {
  const modelBytes = (await stat(modelPath)).size;
  // node-llama-cpp is ESM-only; this script runs as CJS under tsx, so it is imported dynamically.
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  const llama = await getLlama({ build: 'never', maxThreads: 0, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath });
  const rows: PhaseRow[] = [];
  try {
    for (const threads of [...threadCounts, 'auto' as const]) {
      const engine = EngineConnection.start(resolve(__dirname, '../../dist/engine.mjs'));
      try {
        const info = await engine.request(engineMethods.modelLoad, { path: modelPath, contextSize: CONTEXT_SIZE, threads });
        // A fresh sequence: the whole prompt is evaluated, in the model process's chunks.
        const warm = await engine.request(engineMethods.generateWarm, { slot: 'completion', input: { kind: 'complete', prompt: LONG_PROMPT } });
        const promptTokPerSec = (warm.evaluatedPromptTokens * 1000) / warm.totalMs;
        const decode: number[] = [];
        for (let run = 0; run < DECODE_RUNS; run += 1) {
          const result = await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), stream: false, slot: 'shared', prompt: DECODE_PROMPT, maxTokens: DECODE_TOKENS, temperature: 0 });
          if (result.tokensPerSec > 0) decode.push(result.tokensPerSec);
        }
        const decodeTokPerSec = median(decode) ?? 0;
        const inProcessDecodeTokPerSec = await inProcessDecode(model, info.threads);
        const boundTokPerSec = (bandwidthByThreads.get(info.threads) ?? 0) / modelBytes;
        rows.push({
          threads,
          promptThreads: info.promptThreads,
          decodeThreads: info.threads,
          promptTokPerSec,
          decodeTokPerSec,
          inProcessDecodeTokPerSec,
          processDecodeRatio: inProcessDecodeTokPerSec > 0 ? decodeTokPerSec / inProcessDecodeTokPerSec : 0,
          boundTokPerSec,
          decodeBoundShare: boundTokPerSec > 0 ? decodeTokPerSec / boundTokPerSec : 0,
        });
      } finally {
        engine.dispose();
      }
    }
  } finally {
    await model.dispose();
    await llama.dispose();
  }
  return rows;
}

/** Decode tokens a second of node-llama-cpp in this process: the same prompt and token count as the model process's runs, median of the runs. */
async function inProcessDecode(model: LlamaModel, threads: number): Promise<number> {
  const { LlamaCompletion } = await import('node-llama-cpp');
  const context = await model.createContext({ contextSize: CONTEXT_SIZE, sequences: 1, threads });
  try {
    const sequence = context.getSequence();
    const completion = new LlamaCompletion({ contextSequence: sequence });
    const rates: number[] = [];
    for (let run = -1; run < DECODE_RUNS; run += 1) {
      await sequence.clearHistory();
      const stamps: number[] = [];
      await completion.generateCompletion(DECODE_PROMPT, { maxTokens: DECODE_TOKENS, temperature: 0, onToken: () => stamps.push(performance.now()) });
      const span = (stamps.at(-1) ?? 0) - (stamps[0] ?? 0);
      // Run -1 warms the fresh context up, as the model process's load did.
      if (run >= 0 && stamps.length > 1 && span > 0) rates.push(((stamps.length - 1) * 1000) / span);
    }
    return median(rates) ?? 0;
  } finally {
    await context.dispose();
  }
}

/** The thread count each phase runs fastest with (the fewer threads on a tie within 5%). */
export function fastest(rows: readonly PhaseRow[], phase: 'promptTokPerSec' | 'decodeTokPerSec'): PhaseRow | undefined {
  const fixed = rows.filter((row) => row.threads !== 'auto');
  const best = Math.max(...fixed.map((row) => row[phase]));
  return fixed.find((row) => row[phase] >= best * 0.95);
}
