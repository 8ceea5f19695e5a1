// `npm run bench:engine`: what the model process costs against node-llama-cpp in-process, for
// the same model, prompt and settings in one run, plus model load time and the extension's
// activation time in a real VS Code, for the development build and the installed linux-x64
// package; and, at each thread count and with the model process's per-phase choice, prompt and
// decode speed apart against the memory-bandwidth bound measured in the same run and against
// node-llama-cpp in-process, on the test model, stories260K and the 0.5B-shaped model; the
// per-token cost of streaming a 4-turn chat; input lookup on the rewrite path (`--no-bound` skips
// these, `--no-bench-model` leaves out the 0.5B-shaped model). `--json` ends with the figures as
// one JSON object.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { engineMethods } from '../../src/common/protocol/engineProtocol';
import { EngineConnection, newStreamId } from '../../src/host/engine/engineConnection';
import { findTestModel, STORY_TEST_MODEL } from '../../test/fixtures/testModels';
import { measureActivation, measureInstalledActivation } from './measureActivation';
import { median } from './benchStats';
import { fastest, measureReadBandwidth, phaseRows, type PhaseRow } from './decodeBound';
import { inputLookupOnRewrite, type InputLookupFigures } from './inputLookup';
import { longChatCosts } from './longChat';
import { physicalCores } from '../../src/engine/physicalCores';
import { benchModelPath } from '../../test/fixtures/makeBenchModel';

const RUNS = 9;
const MAX_TOKENS = 96;
const CONTEXT_SIZE = 2048;
const PROMPT = 'Write a short story about a lighthouse keeper who finds a message in a bottle. Once upon a time,';

interface Sample {
  readonly ttftMs: number;
  readonly tokensPerSec: number;
}

/** Times one streamed generation from the caller's side: first text, then the decode rate. */
function timer(): { onToken: (count: number) => void; finish: () => Sample } {
  const start = performance.now();
  let first: number | undefined;
  let last = start;
  let tokens = 0;
  return {
    onToken: (count) => {
      const now = performance.now();
      first ??= now;
      last = now;
      tokens += count;
    },
    finish: () => ({
      ttftMs: (first ?? last) - start,
      tokensPerSec: tokens > 1 && first !== undefined && last > first ? ((tokens - 1) * 1000) / (last - first) : 0,
    }),
  };
}

async function benchModelProcess(modelPath: string): Promise<{ samples: Sample[]; threads: number; threadsReason: string; loadMs: number; loadWallMs: number }> {
  const engine = EngineConnection.start(resolve(__dirname, '../../dist/engine.mjs'));
  try {
    const loadStart = performance.now();
    const info = await engine.request(engineMethods.modelLoad, { path: modelPath, contextSize: CONTEXT_SIZE, threads: 'auto' });
    const loadWallMs = performance.now() - loadStart;
    const samples: Sample[] = [];
    for (let run = -1; run < RUNS; run += 1) {
      const clock = timer();
      // Each notification is one detokenized chunk, i.e. one token for this model.
      await engine.request(
        engineMethods.generateComplete,
        { streamId: newStreamId(), prompt: PROMPT, maxTokens: MAX_TOKENS, temperature: 0 },
        { onText: () => clock.onToken(1) },
      );
      if (run >= 0) samples.push(clock.finish()); // run -1 warms up
    }
    return { samples, threads: info.threads, threadsReason: info.threadsReason, loadMs: info.loadMs, loadWallMs };
  } finally {
    engine.dispose();
  }
}

async function benchInProcess(modelPath: string, threads: number): Promise<{ samples: Sample[]; loadMs: number }> {
  // node-llama-cpp is ESM-only; this script runs as CJS under tsx, so it is imported dynamically.
  const { getLlama, LlamaCompletion } = await import('node-llama-cpp');
  const llama = await getLlama({ build: 'never', maxThreads: 0 });
  const loadStart = performance.now();
  const model = await llama.loadModel({ modelPath });
  const loadMs = performance.now() - loadStart;
  const context = await model.createContext({ contextSize: CONTEXT_SIZE, sequences: 2, threads });
  try {
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    const samples: Sample[] = [];
    for (let run = -1; run < RUNS; run += 1) {
      const clock = timer();
      await completion.generateCompletion(PROMPT, { maxTokens: MAX_TOKENS, temperature: 0, onToken: (tokens) => clock.onToken(tokens.length) });
      if (run >= 0) samples.push(clock.finish());
    }
    return { samples, loadMs };
  } finally {
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  }
}

async function main(): Promise<void> {
  // node-llama-cpp in this process runs with one libuv pool thread, as the model process does (see
  // engineConnection.ts), so process ÷ in-process is the cost of the process boundary alone: the
  // script runs itself again with the setting, which libuv reads once, when its pool starts.
  if (process.env.UV_THREADPOOL_SIZE !== '1') {
    const again = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, UV_THREADPOOL_SIZE: '1' } });
    process.exitCode = again.status ?? 1;
    return;
  }
  const json = process.argv.includes('--json');
  const skipActivation = process.argv.includes('--no-vscode');
  const modelPath = await findTestModel();

  const viaProcess = await benchModelProcess(modelPath);
  const inProcess = await benchInProcess(modelPath, viaProcess.threads);
  const activationMs = skipActivation ? null : await measureActivation();
  const installedActivationMs = skipActivation || process.platform !== 'linux' || process.arch !== 'x64' ? null : await measureInstalledActivation();

  const processTps = median(viaProcess.samples.map((sample) => sample.tokensPerSec)) ?? 0;
  const inProcessTps = median(inProcess.samples.map((sample) => sample.tokensPerSec)) ?? 0;
  const processTtft = median(viaProcess.samples.map((sample) => sample.ttftMs)) ?? 0;
  const inProcessTtft = median(inProcess.samples.map((sample) => sample.ttftMs)) ?? 0;
  const figures = {
    model: modelPath,
    runs: RUNS,
    maxTokens: MAX_TOKENS,
    threads: viaProcess.threads,
    threadsReason: viaProcess.threadsReason,
    tokPerSecProcess: round(processTps),
    tokPerSecInProcess: round(inProcessTps),
    tokPerSecRatio: round(processTps / inProcessTps, 3),
    ttftMsProcess: round(processTtft, 2),
    ttftMsInProcess: round(inProcessTtft, 2),
    ttftRatio: round(processTtft / inProcessTtft, 3),
    loadMs: round(viaProcess.loadMs),
    loadMsInProcess: round(inProcess.loadMs),
    loadWallMs: round(viaProcess.loadWallMs),
    activationMs: activationMs === null ? null : round(activationMs, 2),
    activationMsInstalled: installedActivationMs === null ? null : round(installedActivationMs, 2),
    activationInstalledRatio: activationMs === null || installedActivationMs === null ? null : round(installedActivationMs / activationMs, 3),
  };

  console.log(`Hearth engine benchmark — ${modelPath}, ${RUNS} runs of ${MAX_TOKENS} tokens, medians`);
  console.log(`  threads (auto):          ${figures.threads}  (${figures.threadsReason})`);
  console.log(`  tokens/s   process ${figures.tokPerSecProcess}  in-process ${figures.tokPerSecInProcess}  ratio ${figures.tokPerSecRatio}`);
  console.log(`  first token process ${figures.ttftMsProcess} ms  in-process ${figures.ttftMsInProcess} ms  ratio ${figures.ttftRatio}`);
  console.log(`  model load ${figures.loadMs} ms (in-process ${figures.loadMsInProcess} ms; load request with thread tuning ${figures.loadWallMs} ms)`);
  console.log(`  extension activation ${figures.activationMs === null ? 'skipped (--no-vscode)' : `${figures.activationMs} ms (development build)`}`);
  if (figures.activationMsInstalled !== null) {
    console.log(`  installed package activation ${figures.activationMsInstalled} ms  ratio to development ${figures.activationInstalledRatio}`);
  }
  const bound = process.argv.includes('--no-bound') ? undefined : await measureBound(modelPath, !process.argv.includes('--no-bench-model'));
  if (json) console.log(JSON.stringify({ ...figures, ...(bound ?? {}) }));
}

/**
 * Prompt and decode speed at each thread count against the bandwidth bound, with the model
 * process's own per-phase choice ('auto') and node-llama-cpp in this process beside each, printed
 * as a table per model; the per-token cost of streaming a long chat; input lookup on the rewrite
 * path. The JSON keys name the 0.5B-shaped model's figures when it ran (else the test model's).
 */
async function measureBound(testModel: string, withBenchModel: boolean): Promise<Record<string, unknown>> {
  const threadCounts = Array.from({ length: Math.min(4, physicalCores()) }, (_, index) => index + 1);
  const bandwidth = new Map<number, number>();
  for (const threads of threadCounts) bandwidth.set(threads, await measureReadBandwidth(threads));
  console.log(`\n  memory read bandwidth: ${threadCounts.map((threads) => `${threads} thread(s) ${((bandwidth.get(threads) ?? 0) / 1e9).toFixed(1)} GB/s`).join(', ')}`);
  const storyModel = await findTestModel(STORY_TEST_MODEL);
  const models: Array<{ label: string; path: string }> = [
    { label: 'test model', path: testModel },
    { label: 'stories260K', path: storyModel },
  ];
  if (withBenchModel) models.push({ label: '0.5B-shaped model', path: await benchModelPath({ log: (line) => console.error(line) }) });
  const perModel: Record<string, PhaseRow[]> = {};
  for (const model of models) {
    const rows = await phaseRows(model.path, threadCounts, bandwidth);
    perModel[model.label] = rows;
    console.log(`  ${model.label}: threads (prompt/decode) | prompt tok/s | decode tok/s | in-process decode | process ÷ in-process | bound tok/s | decode ÷ bound`);
    for (const row of rows) {
      const label = row.threads === 'auto' ? `auto (${row.promptThreads}/${row.decodeThreads})` : `${row.threads}`;
      console.log(
        `    ${label} | ${round(row.promptTokPerSec)} | ${round(row.decodeTokPerSec)} | ${round(row.inProcessDecodeTokPerSec)} | ${round(row.processDecodeRatio, 3)} | ${round(row.boundTokPerSec)} | ${round(row.decodeBoundShare, 3)}`,
      );
    }
  }
  const main = perModel['0.5B-shaped model'] ?? perModel['test model'] ?? [];
  const auto = main.find((row) => row.threads === 'auto');
  const decode = fastest(main, 'decodeTokPerSec');
  const prompt = fastest(main, 'promptTokPerSec');

  // Per-token cost on stories260K, one thread: a real model's text, and tokens fast enough that the
  // streaming's own cost shows.
  const turns = await longChatCosts(storyModel, 1);
  console.log('  long chat (stories260K, 1 thread): turn | history tokens | generated | process ms/token | in-process ms/token | overhead ms/token');
  for (const turn of turns) {
    console.log(`    ${turn.turn} | ${turn.historyTokens} | ${turn.generatedTokens} | ${round(turn.processMsPerToken, 3)} | ${round(turn.inProcessMsPerToken, 3)} | ${round(turn.overheadMsPerToken, 3)}`);
  }

  const lookup: Record<string, InputLookupFigures> = {};
  for (const model of models.filter((entry) => entry.label !== 'test model')) {
    const decodeThreads = perModel[model.label]?.find((row) => row.threads === 'auto')?.decodeThreads ?? 1;
    const figures = await inputLookupOnRewrite(model.path, decodeThreads);
    lookup[model.label] = figures;
    console.log(
      `  input lookup on a rewrite (${model.label}, ${decodeThreads} thread(s)): plain ${round(figures.plainTokPerSec)} tok/s, with lookup ${round(figures.lookupTokPerSec)} tok/s, ratio ${round(figures.ratio, 3)}; predictions validated ${figures.validated}, refuted ${figures.refuted}; same text: ${figures.sameText}`,
    );
  }
  return {
    boundModel: perModel['0.5B-shaped model'] === undefined ? 'test model' : '0.5B-shaped model',
    readBandwidthBytesPerSec: Object.fromEntries([...bandwidth].map(([threads, bytes]) => [threads, Math.round(bytes)])),
    // What Hearth does: the model process's own choice, switched per phase.
    decodeTokPerSec: auto === undefined ? null : round(auto.decodeTokPerSec),
    decodeBoundShare: auto === undefined ? null : round(auto.decodeBoundShare, 3),
    decodeThreads: auto?.decodeThreads ?? null,
    promptThreads: auto?.promptThreads ?? null,
    promptTokPerSec: auto === undefined ? null : round(auto.promptTokPerSec),
    decodeProcessToInProcess: auto === undefined ? null : round(auto.processDecodeRatio, 3),
    // The fastest fixed count for each phase, to check the choice against.
    fastestDecodeThreads: decode?.threads ?? null,
    fastestPromptThreads: prompt?.threads ?? null,
    perTokenOverheadMsFirstTurn: round(turns[0]?.overheadMsPerToken ?? Number.NaN, 3),
    perTokenOverheadMsLongChat: round(turns.at(-1)?.overheadMsPerToken ?? Number.NaN, 3),
    longChat: turns.map((turn) => Object.fromEntries(Object.entries(turn).map(([key, value]) => [key, round(value, 3)]))),
    inputLookup: Object.fromEntries(Object.entries(lookup).map(([label, figures]) => [label, { ...figures, plainTokPerSec: round(figures.plainTokPerSec), lookupTokPerSec: round(figures.lookupTokPerSec), ratio: round(figures.ratio, 3) }])),
    phases: Object.fromEntries(
      Object.entries(perModel).map(([label, rows]) => [label, rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'number' ? round(value, 3) : value])))]),
    ),
  };
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
