// The two phases of a model's work measured apart, at each thread count, against the machine's
// memory-bandwidth bound, for `npm run bench:engine`. Decoding one token reads every weight once,
// so a model of B bytes decodes at most bandwidth ÷ B tokens a second; prompt evaluation batches
// many tokens per read and is bound by arithmetic instead. The bandwidth is measured in the same
// run: each worker thread compares two equal buffers (one comparison runs on one core), so N
// workers read what N decode threads could.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { engineMethods } from '../../src/common/protocol/engineProtocol';
import { EngineConnection, newStreamId } from '../../src/host/engine/engineConnection';

const BUFFER_BYTES = 256 * 1024 * 1024;
const COMPARE_ROUNDS = 4;
const DECODE_RUNS = 3;
const DECODE_TOKENS = 64;
const CONTEXT_SIZE = 2048;
// About 500 tokens of prompt: long enough that its evaluation is timed in batches, as a file's is.
const LONG_PROMPT = Array.from({ length: 40 }, (_, index) => `Line ${index}: the lighthouse keeper climbed the stairs and lit the lamp again.`).join('\n');

export interface PhaseRow {
  readonly threads: number;
  readonly promptTokPerSec: number;
  readonly decodeTokPerSec: number;
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

/** Prompt and decode speed of `modelPath` through the model process at each thread count. */
export async function phaseRows(modelPath: string, threadCounts: readonly number[], bandwidthByThreads: ReadonlyMap<number, number>): Promise<PhaseRow[]> {
  const modelBytes = (await stat(modelPath)).size;
  const rows: PhaseRow[] = [];
  for (const threads of threadCounts) {
    const engine = EngineConnection.start(resolve(__dirname, '../../dist/engine.mjs'));
    try {
      await engine.request(engineMethods.modelLoad, { path: modelPath, contextSize: CONTEXT_SIZE, threads });
      // A fresh sequence: the whole prompt is evaluated, in the model process's chunks.
      const warm = await engine.request(engineMethods.generateWarm, { slot: 'completion', input: { kind: 'complete', prompt: LONG_PROMPT } });
      const promptTokPerSec = (warm.evaluatedPromptTokens * 1000) / warm.totalMs;
      const decode: number[] = [];
      for (let run = 0; run < DECODE_RUNS; run += 1) {
        const result = await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), stream: false, slot: 'shared', prompt: 'Once upon a time', maxTokens: DECODE_TOKENS, temperature: 0 });
        if (result.tokensPerSec > 0) decode.push(result.tokensPerSec);
      }
      const decodeTokPerSec = decode.sort((a, b) => a - b)[Math.floor(decode.length / 2)] ?? 0;
      const boundTokPerSec = (bandwidthByThreads.get(threads) ?? 0) / modelBytes;
      rows.push({ threads, promptTokPerSec, decodeTokPerSec, boundTokPerSec, decodeBoundShare: boundTokPerSec > 0 ? decodeTokPerSec / boundTokPerSec : 0 });
    } finally {
      engine.dispose();
    }
  }
  return rows;
}

/** The thread count each phase runs fastest with (the fewer threads on a tie within 5%). */
export function fastest(rows: readonly PhaseRow[], phase: 'promptTokPerSec' | 'decodeTokPerSec'): PhaseRow | undefined {
  const best = Math.max(...rows.map((row) => row[phase]));
  return rows.find((row) => row[phase] >= best * 0.95);
}
