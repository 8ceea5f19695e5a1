// `npm run bench:completions`: replays human-like typing through the middle of one of this
// repository's own ~500-line files, keystroke by keystroke, through CompletionService and a real
// model process, and prints what a user would feel and what it costs: keystroke-to-suggestion
// latency, how many keystrokes the suggestion cache serves, model calls and model-process CPU per
// 100 keystrokes, prompt tokens evaluated per request against a cold prompt, the share of the prompt
// a one-character extension evaluates, and the model process's overhead against node-llama-cpp
// called in-process with the same prompt. It compares the psm and spm prompt layouts and debounce
// settings, on the FIM test model and on the benchmark model of Qwen2.5-0.5B's size. For each model
// it also replays the same typing from a cold start (a model process that has never read the file:
// click, look, type) against the warm replay; and, on stories260K (a real model that ends its lines),
// the tokens generated per shown suggestion with and without the early stop.
//
//   npm run bench:completions -- [--model fim|bench|both] [--keys N] [--json] [--seed N]
//                                [--file PATH] [--follow P] [--sweep bench|fim|all|none] [--verbose]
//
// The debounce sweep runs on the benchmark model by default (its CPU cost is what a debounce
// saves); `--sweep all` adds the FIM test model.
//
// Timings on a shared machine are noisy: compare the ratios and the rows of one run, not runs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { CancellationToken } from 'vscode-jsonrpc/node';
import { cursorWindow } from '../../src/common/completion/cursorWindow';
import type { LogLevel, ModelInfo } from '../../src/common/protocol/engineProtocol';
import { CompletionService } from '../../src/host/completions/completionService';
import { completionSettingsSchema, type CompletionSettings } from '../../src/host/completions/completionSettings';
import { EngineConnection } from '../../src/host/engine/engineConnection';
import { EngineSupervisor } from '../../src/host/engine/engineSupervisor';
import { benchModelPath } from '../../test/fixtures/makeBenchModel';
import { fimTestModelPath, findRepoRoot } from '../../test/fixtures/testModels';
import { EngineClient } from '../../src/host/engine/engineClient';
import { localTextService, type TextService } from '../../src/host/text/textService';
import { RecordingBackend, replayTyping, type KeyRecord } from './completionReplay';
import { InProcessModel } from './inProcessBaseline';
import { DEFAULT_PAUSES, indentOf, scriptTyping, TypingDocument, type ScriptedKey } from './typingScript';
import { percentile } from './benchStats';
import { coldReplay, earlyStopReplay, LOOK_BEFORE_TYPING_MS, withoutEarlyStop, type ColdFigures, type EarlyStopFigures } from './coldStart';
import { findTestModel, STORY_TEST_MODEL } from '../../test/fixtures/testModels';

type ModelKind = 'fim' | 'bench';
type Order = 'psm' | 'spm';

const ROOT = findRepoRoot();
const ENGINE_PATH = resolve(ROOT, 'dist/engine.mjs');
// hearth.engine.contextSize's default.
const CONTEXT_SIZE = 4096;
const DEFAULT_DEBOUNCE_MS = completionSettingsSchema.parse({}).debounceMs;
const SWEEP_DEBOUNCE_MS = [0, 50, 100, 150];
const TARGET_LINES = 500;

/** Per model: how many one-character extensions the overhead comparison makes, and how long each generation is. */
const EXTENSION_SERIES: Record<ModelKind, { steps: number; maxTokens: number }> = {
  // The default maxTokens (128): the tiny model generates it in milliseconds.
  fim: { steps: 16, maxTokens: 128 },
  // ~50 ms a token on two cores: 16 tokens keeps each request under a second.
  bench: { steps: 6, maxTokens: 16 },
};

interface Args {
  readonly models: readonly ModelKind[];
  readonly keys: number;
  readonly json: boolean;
  readonly seed: number;
  readonly file: string | undefined;
  readonly followChance: number;
  readonly sweep: readonly ModelKind[];
  readonly verbose: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const value = (name: string): string | undefined => {
    const index = argv.indexOf(name);
    if (index === -1) return undefined;
    const next = argv[index + 1];
    if (next === undefined || next.startsWith('--')) throw new Error(`${name} needs a value`);
    return next;
  };
  const known = new Set(['--model', '--keys', '--json', '--seed', '--file', '--follow', '--sweep', '--verbose']);
  for (const arg of argv) if (arg.startsWith('--') && !known.has(arg)) throw new Error(`unknown option ${arg}`);
  const model = value('--model') ?? 'both';
  if (!['fim', 'bench', 'both'].includes(model)) throw new Error(`--model must be fim, bench or both, not ${model}`);
  const keys = Number(value('--keys') ?? 100);
  const followChance = Number(value('--follow') ?? 0.3);
  if (!Number.isInteger(keys) || keys < 10) throw new Error('--keys must be an integer of at least 10');
  if (!(followChance >= 0 && followChance <= 1)) throw new Error('--follow must be between 0 and 1');
  const models: ModelKind[] = model === 'both' ? ['fim', 'bench'] : [model as ModelKind];
  const sweep = value('--sweep') ?? (models.includes('bench') ? 'bench' : 'fim');
  if (!['bench', 'fim', 'all', 'none'].includes(sweep)) throw new Error(`--sweep must be bench, fim, all or none, not ${sweep}`);
  return {
    models,
    keys,
    json: argv.includes('--json'),
    seed: Number(value('--seed') ?? 20_250_101),
    file: value('--file'),
    followChance,
    sweep: sweep === 'all' ? ['fim', 'bench'] : sweep === 'none' ? [] : [sweep as ModelKind],
    verbose: argv.includes('--verbose'),
  };
}

// ---------------------------------------------------------------------------------------------
// The file typed into, and the block retyped in its middle.

interface TypingSetup {
  readonly path: string;
  readonly lineCount: number;
  readonly startLine: number;
  readonly regionLines: number;
  readonly script: readonly ScriptedKey[];
  readonly makeDocument: () => TypingDocument;
}

/** The tracked TypeScript file with the line count nearest 500 (ties: the first by name). */
function pickFile(): string {
  try {
    const files = execFileSync('git', ['ls-files', '*.ts'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter((file) => file.length > 0).sort();
    let best: { file: string; distance: number } | undefined;
    for (const file of files) {
      const distance = Math.abs(readFileSync(resolve(ROOT, file), 'utf8').split('\n').length - TARGET_LINES);
      if (best === undefined || distance < best.distance) best = { file, distance };
    }
    if (best !== undefined) return resolve(ROOT, best.file);
  } catch {
    // Not a git checkout: fall back to a file that is always there.
  }
  return resolve(ROOT, 'src/engine/modelEngine.ts');
}

/**
 * Takes out enough whole lines from the middle of the file for `keys` keystrokes and leaves the
 * cursor on an empty, indented line where they were: the user writes them again.
 */
function prepareTyping(file: string, keys: number, seed: number): TypingSetup {
  const lines = readFileSync(file, 'utf8').replace(/\r\n/g, '\n').split('\n');
  let startLine = Math.floor(lines.length / 2);
  while (startLine < lines.length - 1 && (lines[startLine] ?? '').trim().length === 0) startLine += 1;
  let regionLines = 0;
  let script: ScriptedKey[] = [];
  while (script.length < keys + 20 && startLine + regionLines < lines.length) {
    regionLines += 1;
    script = scriptTyping(lines.slice(startLine, startLine + regionLines), seed);
  }
  const region = lines.slice(startLine, startLine + regionLines);
  const indent = indentOf(region[0] ?? '');
  const remaining = [...lines.slice(0, startLine), indent, ...lines.slice(startLine + regionLines)];
  const path = relative(ROOT, file);
  return {
    path,
    lineCount: lines.length,
    startLine,
    regionLines,
    script,
    makeDocument: () => new TypingDocument(path, 'typescript', remaining, startLine, indent.length),
  };
}

// ---------------------------------------------------------------------------------------------
// Measurements.

interface ReplayFigures {
  readonly order: Order;
  readonly debounceMs: number;
  readonly keys: number;
  readonly wallS: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  /** p50 over suggestions that came from the model (not the cache). */
  readonly modelP50Ms: number | null;
  readonly shownShare: number;
  readonly cacheServedShare: number;
  /** Cache-served share of the keystrokes that typed the file's own text (not a suggestion typed along). */
  readonly cacheServedShareOfFileText: number;
  readonly followedShare: number;
  readonly callsPer100Keys: number;
  readonly warmsPer100Keys: number;
  readonly promptTokensPerCall: number;
  readonly evaluatedTokensPerCall: number;
  /** All prompt tokens evaluated ÷ all prompt tokens sent: 1 would be a cold prompt every time. */
  readonly evaluatedVsCold: number;
  readonly cpuMsPer100Keys: number;
}

interface SeriesFigures {
  readonly order: Order;
  readonly steps: number;
  readonly maxTokens: number;
  readonly promptTokens: number;
  /** Median over the steps of evaluated ÷ prompt tokens for a one-character extension. */
  readonly extendEvalShare: number;
  readonly extendEvaluatedTokens: number;
  readonly processMs: number | null;
  readonly inProcessMs: number | null;
  /** Median over the steps of process ÷ in-process time for the same request. */
  readonly overheadRatio: number | null;
  readonly overheadRatioOfMedians: number | null;
  readonly generatedTokensProcess: number;
  readonly generatedTokensInProcess: number | null;
}

interface ModelFigures {
  readonly model: ModelKind;
  readonly path: string;
  readonly name: string;
  readonly threads: number;
  readonly threadsReason: string;
  readonly loadMs: number;
  readonly coldPromptTokens: number;
  readonly coldPromptMs: number;
  readonly coldPromptConcurrent: boolean;
  readonly layouts: Record<Order, ReplayFigures>;
  readonly extension: Record<Order, SeriesFigures>;
  readonly favouredLayout: Order;
  readonly sweep: ReplayFigures[];
  readonly debounceTradeOff: readonly string[];
  /** The same typing from a cold start, against `layouts.psm` (the warm replay with the defaults). */
  readonly cold: ColdFigures;
}

/** A model process for one model at the default context, its log on stderr with --verbose. */
function benchSupervisor(path: string, label: string, args: Args): EngineSupervisor {
  return new EngineSupervisor({
    spawn: () => EngineConnection.start(ENGINE_PATH),
    loadParams: async () => ({ path, contextSize: CONTEXT_SIZE, threads: 'auto' }),
    idleUnloadMinutes: () => 0,
    log: (level, message) => {
      if (args.verbose || level === 'error') console.error(`[${label} ${level}] ${message}`);
    },
  });
}

function settingsFor(overrides: Partial<CompletionSettings>): CompletionSettings {
  return completionSettingsSchema.parse(overrides);
}

/** User plus system CPU time of a process, from /proc (Linux); 0 elsewhere. */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of proc(5); `fields` starts at field 3.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
  } catch {
    return 0;
  }
}

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

function median(values: readonly number[]): number | null {
  return percentile(values, 0.5);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

class ModelBench {
  /** What the editor's completions call: the text service over the local engine. */
  readonly text: TextService;

  private constructor(
    readonly kind: ModelKind,
    readonly path: string,
    readonly supervisor: EngineSupervisor,
    readonly info: ModelInfo,
    private readonly setup: TypingSetup,
    private readonly args: Args,
  ) {
    // No catalog entry for the bench models: psm unless a series asks for spm.
    this.text = localTextService(new EngineClient(supervisor, () => undefined));
  }

  static async start(kind: ModelKind, setup: TypingSetup, args: Args): Promise<ModelBench> {
    const path = kind === 'fim' ? await fimTestModelPath() : await benchModelPath({ log: (line) => console.error(line) });
    const supervisor = benchSupervisor(path, 'engine', args);
    const info = await supervisor.start();
    if (!info.hasInfill) throw new Error(`${path} has no fill-in-the-middle tokens; this benchmark measures infill prompts`);
    return new ModelBench(kind, path, supervisor, info, setup, args);
  }

  readonly log = (level: LogLevel, message: string): void => {
    if (this.args.verbose || level === 'warn' || level === 'error') console.error(`[${this.kind} ${level}] ${message}`);
  };

  /** Brings the completion sequence to the prompt at the document's cursor, as warming does (not measured). */
  async prime(document: TypingDocument, order: Order): Promise<{ promptTokens: number; evaluatedPromptTokens: number; totalMs: number }> {
    const settings = settingsFor({ fimOrder: order });
    const at = document.snapshot();
    const window = cursorWindow(at.document.lines, at.line, at.character, settings);
    return this.text.warm('completion', { kind: 'infill', head: '', prefix: window.prefix, suffix: window.suffix, middlePrefix: window.linePrefix, order }, { sources: [] });
  }

  /**
   * One-character extensions of the start prompt, each asked through CompletionService (no
   * debounce, no time budget, cache cleared) and, alternating which goes first, through
   * node-llama-cpp in-process with the same prompt tokens.
   */
  async extensionSeries(order: Order, inProcess: InProcessModel | undefined): Promise<SeriesFigures> {
    const { steps, maxTokens } = EXTENSION_SERIES[this.kind];
    const document = this.setup.makeDocument();
    await this.prime(document, order);
    // No speculative next suggestion: both sides do exactly one request per step.
    const settings = settingsFor({ fimOrder: order, debounceMs: 0, maxTokens, promptBudgetMs: 60_000, generationBudgetMs: 60_000, speculative: false });
    const layoutAt = () => {
      const at = document.snapshot();
      const window = cursorWindow(at.document.lines, at.line, at.character, settings);
      return { head: '', prefix: window.prefix, suffix: window.suffix, middlePrefix: window.linePrefix, order };
    };
    if (inProcess !== undefined) await inProcess.complete(layoutAt(), 1, []);
    // Both sides generate maxTokens: the early stop (which in-process node-llama-cpp does not have) would make the process do less.
    const recording = new RecordingBackend(withoutEarlyStop(this.text));
    const service = new CompletionService(recording, () => settings, this.log);
    const chars = this.setup.script.filter((key) => !key.typo && key.key.kind === 'char').map((key) => key.key);
    const processMs: number[] = [];
    const inProcessMs: number[] = [];
    const shares: number[] = [];
    const evaluated: number[] = [];
    let promptTokens = 0;
    let generatedProcess = 0;
    let generatedInProcess = 0;
    try {
      for (let step = 0; step < steps; step += 1) {
        const key = chars[step];
        if (key === undefined) break;
        document.press(key);
        const viaProcess = async () => {
          service.clearCache();
          const at = document.snapshot();
          const start = performance.now();
          await service.provide(at.document, at.line, at.character, CancellationToken.None);
          processMs.push(performance.now() - start);
          const result = recording.records.at(-1)?.result;
          if (result === undefined) throw new Error('extension series: the model process answered without a result');
          shares.push(result.evaluatedPromptTokens / result.promptTokens);
          evaluated.push(result.evaluatedPromptTokens);
          promptTokens = result.promptTokens;
          generatedProcess += result.generatedTokens;
          if (this.args.verbose) console.error(`  [${this.kind} ${order} step ${step}] process ${processMs.at(-1)?.toFixed(1)} ms (inside ${result.totalMs.toFixed(1)} ms, ttft ${result.ttftMs?.toFixed(1)} ms)`);
        };
        const viaInProcess = async () => {
          if (inProcess === undefined) return;
          const run = await inProcess.complete(layoutAt(), maxTokens, []);
          inProcessMs.push(run.ms);
          generatedInProcess += run.generatedTokens;
          if (this.args.verbose) console.error(`  [${this.kind} ${order} step ${step}] in-process ${run.ms.toFixed(1)} ms`);
        };
        if (step % 2 === 0) {
          await viaProcess();
          await viaInProcess();
        } else {
          await viaInProcess();
          await viaProcess();
        }
      }
    } finally {
      service.dispose();
    }
    const processMedian = median(processMs);
    const inProcessMedian = median(inProcessMs);
    // Each pair ran back to back, so a pair shares the machine's load: the median of the pairs'
    // ratios is steadier on a busy machine than the ratio of the two medians.
    const pairRatio = median(inProcessMs.map((ms, index) => (processMs[index] ?? NaN) / ms).filter(Number.isFinite));
    return {
      order,
      steps: processMs.length,
      maxTokens,
      promptTokens,
      extendEvalShare: median(shares) ?? 1,
      extendEvaluatedTokens: median(evaluated) ?? 0,
      processMs: processMedian,
      inProcessMs: inProcessMedian,
      overheadRatio: pairRatio,
      overheadRatioOfMedians: processMedian !== null && inProcessMedian !== null ? processMedian / inProcessMedian : null,
      generatedTokensProcess: generatedProcess,
      generatedTokensInProcess: inProcess === undefined ? null : generatedInProcess,
    };
  }

  /** Types the script through CompletionService with these settings, from a primed start. */
  async replay(order: Order, debounceMs: number): Promise<ReplayFigures> {
    const document = this.setup.makeDocument();
    await this.prime(document, order);
    const settings = settingsFor({ fimOrder: order, debounceMs });
    const recording = new RecordingBackend(this.text);
    const service = new CompletionService(recording, () => settings, this.log);
    const pid = this.supervisor.pid;
    const cpuBefore = cpuMs(pid);
    let keys: KeyRecord[];
    let wallMs: number;
    try {
      ({ keys, wallMs } = await replayTyping({
        service,
        document,
        script: this.setup.script,
        keys: this.args.keys,
        followChance: this.args.followChance,
        followMaxChars: 32,
        pauses: DEFAULT_PAUSES,
        seed: this.args.seed,
      }));
    } finally {
      service.dispose();
    }
    const cpu = cpuMs(pid) - cpuBefore;
    const n = keys.length;
    const latencies = keys.flatMap((key) => (key.latencyMs === undefined ? [] : [key.latencyMs]));
    const modelLatencies = keys.flatMap((key) => (key.outcome === 'model' && key.latencyMs !== undefined ? [key.latencyMs] : []));
    const fileText = keys.filter((key) => !key.followed);
    // Requests cancelled before they reached the model's sequence built no prompt (0 tokens): not counted.
    const calls = recording.records.filter((record) => record.method !== 'generate/warm' && (record.result?.promptTokens ?? 0) > 0);
    const promptTokens = sum(calls.map((record) => record.result?.promptTokens ?? 0));
    const evaluatedTokens = sum(calls.map((record) => record.result?.evaluatedPromptTokens ?? 0));
    const errors = recording.records.filter((record) => record.error !== undefined);
    if (errors.length > 0) console.error(`[${this.kind}] ${errors.length} requests failed, first: ${errors[0]?.error}`);
    return {
      order,
      debounceMs,
      keys: n,
      wallS: wallMs / 1000,
      p50Ms: percentile(latencies, 0.5),
      p95Ms: percentile(latencies, 0.95),
      modelP50Ms: percentile(modelLatencies, 0.5),
      shownShare: latencies.length / n,
      cacheServedShare: service.stats.cacheServed / n,
      cacheServedShareOfFileText: fileText.filter((key) => key.outcome === 'cache').length / Math.max(1, fileText.length),
      followedShare: (n - fileText.length) / n,
      callsPer100Keys: (service.stats.modelCalls * 100) / n,
      warmsPer100Keys: (recording.records.filter((record) => record.warm !== undefined).length * 100) / n,
      promptTokensPerCall: calls.length === 0 ? 0 : promptTokens / calls.length,
      evaluatedTokensPerCall: calls.length === 0 ? 0 : evaluatedTokens / calls.length,
      evaluatedVsCold: promptTokens === 0 ? 0 : evaluatedTokens / promptTokens,
      cpuMsPer100Keys: (cpu * 100) / n,
    };
  }

  dispose(): void {
    this.supervisor.dispose();
  }
}

/** Lower model-process CPU per keystroke first, then the lower p50. */
/**
 * The layout whose prompts cost less: fewer prompt tokens evaluated per model call. Within 10%
 * (or half a token) of each other, psm, which every fill-in-the-middle model was trained with.
 * CPU per keystroke is not the measure: with random weights it follows what the model happened to
 * write (how often a suggestion survived post-processing and was typed along), not the layout.
 */
function better(psm: ReplayFigures, spm: ReplayFigures): ReplayFigures {
  const gap = psm.evaluatedTokensPerCall - spm.evaluatedTokensPerCall;
  return gap > Math.max(0.5, 0.1 * spm.evaluatedTokensPerCall) ? spm : psm;
}

async function benchOneModel(kind: ModelKind, setup: TypingSetup, args: Args, progress: (line: string) => void): Promise<ModelFigures> {
  const bench = await ModelBench.start(kind, setup, args);
  let inProcess: InProcessModel | undefined;
  try {
    progress(`${kind}: loaded ${bench.info.name} (${bench.info.threads} threads, ${bench.info.threadsReason})`);
    // The cold prompt, evaluated by the model process; node-llama-cpp in-process loads and
    // evaluates the same prompt meanwhile, so on the large model the two cold prompts overlap.
    const coldStart = performance.now();
    const [cold, loadedInProcess] = await Promise.all([
      bench.prime(setup.makeDocument(), 'psm').then((result) => ({ ...result, wallMs: performance.now() - coldStart })),
      InProcessModel.load(bench.path, CONTEXT_SIZE, bench.info.threads).then(async (model) => {
        const document = setup.makeDocument();
        const at = document.snapshot();
        const window = cursorWindow(at.document.lines, at.line, at.character, settingsFor({}));
        await model.complete({ head: '', prefix: window.prefix, suffix: window.suffix, middlePrefix: window.linePrefix, order: 'psm' }, 1, []);
        return model;
      }),
    ]);
    inProcess = loadedInProcess;
    progress(`${kind}: cold prompt ${cold.promptTokens} tokens in ${(cold.totalMs / 1000).toFixed(1)} s`);

    const psmSeries = await bench.extensionSeries('psm', inProcess);
    progress(`${kind}: overhead ${psmSeries.overheadRatio?.toFixed(3)} (psm one-character extensions)`);
    await inProcess.dispose();
    inProcess = undefined;

    const psm = await bench.replay('psm', DEFAULT_DEBOUNCE_MS);
    progress(`${kind}: psm replay p50 ${fmtMs(psm.p50Ms)}, ${psm.callsPer100Keys.toFixed(1)} calls/100 keys`);
    const spmSeries = await bench.extensionSeries('spm', undefined);
    const spm = await bench.replay('spm', DEFAULT_DEBOUNCE_MS);
    progress(`${kind}: spm replay p50 ${fmtMs(spm.p50Ms)}, ${spm.callsPer100Keys.toFixed(1)} calls/100 keys`);
    const favoured = better(psm, spm);

    const sweep: ReplayFigures[] = [];
    if (args.sweep.includes(kind)) {
      for (const debounceMs of SWEEP_DEBOUNCE_MS) {
        const run = debounceMs === DEFAULT_DEBOUNCE_MS ? favoured : await bench.replay(favoured.order, debounceMs);
        sweep.push(run);
        progress(`${kind}: debounce ${debounceMs} ms (${favoured.order}): ${run.callsPer100Keys.toFixed(1)} calls, ${run.cpuMsPer100Keys.toFixed(0)} CPU ms per 100 keys`);
      }
    }
    // A fresh model process: the model loaded (not timed), the file never read.
    bench.dispose();
    const coldBench = await ModelBench.start(kind, setup, args);
    let coldFigures: ColdFigures;
    try {
      coldFigures = await coldReplay({
        text: coldBench.text,
        settings: settingsFor({}),
        makeDocument: setup.makeDocument,
        script: setup.script,
        keys: args.keys,
        seed: args.seed,
        followChance: args.followChance,
        log: coldBench.log,
      });
    } finally {
      coldBench.dispose();
    }
    progress(`${kind}: cold start: first suggestion ${fmtMs(coldFigures.coldFirstMs)} after its keystroke, ${coldFigures.windowAnswers} answers from the first window`);
    return {
      cold: coldFigures,
      model: kind,
      path: relative(ROOT, bench.path),
      name: bench.info.name,
      threads: bench.info.threads,
      threadsReason: bench.info.threadsReason,
      loadMs: bench.info.loadMs,
      coldPromptTokens: cold.promptTokens,
      coldPromptMs: cold.totalMs,
      coldPromptConcurrent: true,
      layouts: { psm, spm },
      extension: { psm: psmSeries, spm: spmSeries },
      favouredLayout: favoured.order,
      sweep,
      debounceTradeOff: debounceTradeOff(sweep),
    };
  } finally {
    await inProcess?.dispose();
    bench.dispose();
  }
}

/**
 * What the default debounce costs and saves against each other one in the sweep: model-process
 * CPU per keystroke against the model-served p50. The choice between them is a judgement (the
 * README gives it); the benchmark prints the trade-off rather than a verdict.
 */
function debounceTradeOff(sweep: readonly ReplayFigures[]): string[] {
  const chosen = sweep.find((run) => run.debounceMs === DEFAULT_DEBOUNCE_MS);
  if (chosen === undefined) return [];
  return sweep
    .filter((run) => run !== chosen)
    .map((run) => {
      const cpu = (chosen.cpuMsPer100Keys / Math.max(1, run.cpuMsPer100Keys) - 1) * 100;
      const p50 = chosen.modelP50Ms !== null && run.modelP50Ms !== null ? `${chosen.modelP50Ms - run.modelP50Ms >= 0 ? '+' : ''}${(chosen.modelP50Ms - run.modelP50Ms).toFixed(0)} ms` : '—';
      return `  default ${DEFAULT_DEBOUNCE_MS} ms against ${run.debounceMs} ms: ${cpu >= 0 ? '+' : ''}${cpu.toFixed(0)}% model CPU per keystroke, ${p50} model-served p50`;
    });
}

// ---------------------------------------------------------------------------------------------
// Output.

function fmtMs(value: number | null): string {
  return value === null ? '—' : value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(0)} ms`;
}

function pct(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => `  ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ')}`;
  return [line(header), ...rows.map(line)].join('\n');
}

function replayRow(label: string, run: ReplayFigures): string[] {
  return [
    label,
    fmtMs(run.p50Ms),
    fmtMs(run.p95Ms),
    fmtMs(run.modelP50Ms),
    pct(run.shownShare),
    pct(run.cacheServedShare),
    pct(run.cacheServedShareOfFileText),
    run.callsPer100Keys.toFixed(1),
    run.promptTokensPerCall.toFixed(0),
    run.evaluatedTokensPerCall.toFixed(1),
    run.evaluatedVsCold.toFixed(4),
    run.cpuMsPer100Keys.toFixed(0),
  ];
}

const REPLAY_HEADER = ['run', 'p50', 'p95', 'p50 model', 'shown', 'cache', 'cache(file)', 'calls/100', 'prompt tok', 'eval tok/call', 'eval÷cold', 'CPU ms/100'];

function printModel(figures: ModelFigures): void {
  console.log(`\n${figures.model === 'fim' ? 'FIM test model' : 'Benchmark model (Qwen2.5-0.5B shape)'}: ${figures.path}`);
  console.log(`  ${figures.name}; ${figures.threads} threads (${figures.threadsReason}); load ${figures.loadMs.toFixed(0)} ms`);
  console.log(
    `  cold prompt: ${figures.coldPromptTokens} tokens evaluated in ${(figures.coldPromptMs / 1000).toFixed(2)} s` +
      ` (while node-llama-cpp in-process evaluated the same prompt)`,
  );
  const layoutRows = (['psm', 'spm'] as const).map((order) => replayRow(`${order}, debounce ${figures.layouts[order].debounceMs}`, figures.layouts[order]));
  console.log(table(REPLAY_HEADER, layoutRows));
  for (const order of ['psm', 'spm'] as const) {
    const series = figures.extension[order];
    console.log(
      `  ${order} one-character extension: ${series.extendEvaluatedTokens} of ${series.promptTokens} prompt tokens evaluated (${pct(series.extendEvalShare)}, median of ${series.steps})`,
    );
  }
  const overhead = figures.extension.psm;
  console.log(
    `  overhead: CompletionService + model process ${fmtMs(overhead.processMs)} vs node-llama-cpp in-process ${fmtMs(overhead.inProcessMs)} per request` +
      ` (medians of ${overhead.steps}, ${overhead.maxTokens} tokens max; generated ${overhead.generatedTokensProcess} vs ${overhead.generatedTokensInProcess} tokens);` +
      ` ratio ${overhead.overheadRatio?.toFixed(3) ?? '—'} (median of pairs; of medians ${overhead.overheadRatioOfMedians?.toFixed(3) ?? '—'})`,
  );
  console.log(`  layout favoured: ${figures.favouredLayout} (fewer prompt tokens evaluated per model call; psm when within 10%)`);
  const cold = figures.cold;
  const warm = figures.layouts.psm;
  console.log(
    `  cold start (a new model process, the file never read; click, look ${LOOK_BEFORE_TYPING_MS / 1000} s, type): first suggestion ${fmtMs(cold.coldFirstMs)} after its keystroke` +
      `${cold.coldFirstAtMs === null ? '' : `, ${(cold.coldFirstAtMs / 1000).toFixed(1)} s after the click`}` +
      `${cold.coldFirstFromWindow ? ', from the fast first window' : ''}; ${cold.pausesWithoutSuggestionBefore} pause(s) without one before it;` +
      ` warm p50 of model-served suggestions ${fmtMs(warm.modelP50Ms)}; cold ÷ warm ${ratio(cold.coldFirstMs, warm.modelP50Ms)}`,
  );
  console.log(
    `  first 30 s: ${pct(cold.firstHalfMinuteShownShare)} of ${cold.firstHalfMinuteKeys} keystrokes showed a suggestion (warm replay: ${pct(warm.shownShare)}); ${cold.windowAnswers} answer(s) from the first window`,
  );
  if (figures.sweep.length > 0) {
    console.log(`  debounce (${figures.favouredLayout}):`);
    console.log(table(REPLAY_HEADER, figures.sweep.map((run) => replayRow(`debounce ${run.debounceMs}`, run))));
    for (const line of figures.debounceTradeOff) console.log(line);
  }
}

function jsonFigures(figures: ModelFigures): Record<string, unknown> {
  const main = figures.layouts.psm; // the defaults: psm, debounce 100
  return {
    p50Ms: round(main.p50Ms),
    p95Ms: round(main.p95Ms),
    modelP50Ms: round(main.modelP50Ms),
    shownShare: round(main.shownShare, 4),
    cacheServedShare: round(main.cacheServedShare, 4),
    cacheServedShareOfFileText: round(main.cacheServedShareOfFileText, 4),
    followedShare: round(main.followedShare, 4),
    callsPer100Keys: round(main.callsPer100Keys),
    promptTokensPerCall: round(main.promptTokensPerCall),
    evaluatedTokensPerCall: round(main.evaluatedTokensPerCall, 2),
    evaluatedVsCold: round(main.evaluatedVsCold, 5),
    extendEvalShare: round(figures.extension.psm.extendEvalShare, 5),
    extendEvalShareSpm: round(figures.extension.spm.extendEvalShare, 5),
    cpuMsPer100Keys: round(main.cpuMsPer100Keys),
    overheadRatio: round(figures.extension.psm.overheadRatio, 4),
    overheadRatioOfMedians: round(figures.extension.psm.overheadRatioOfMedians, 4),
    overheadProcessMs: round(figures.extension.psm.processMs, 2),
    overheadInProcessMs: round(figures.extension.psm.inProcessMs, 2),
    coldPromptTokens: figures.coldPromptTokens,
    coldPromptMs: round(figures.coldPromptMs),
    threads: figures.threads,
    favouredLayout: figures.favouredLayout,
    defaultDebounceMs: DEFAULT_DEBOUNCE_MS,
    coldFirstMs: round(figures.cold.coldFirstMs),
    coldFirstAtMs: round(figures.cold.coldFirstAtMs),
    // The cold first suggestion always needs the model: compare it with the warm suggestions that did.
    warmP50Ms: round(main.modelP50Ms),
    coldToWarmRatio: figures.cold.coldFirstMs === null || main.modelP50Ms === null ? null : round(figures.cold.coldFirstMs / main.modelP50Ms, 3),
    firstHalfMinuteShownShare: round(figures.cold.firstHalfMinuteShownShare, 4),
    firstWindowAnswers: figures.cold.windowAnswers,
    layouts: Object.fromEntries((['psm', 'spm'] as const).map((order) => [order, roundAll(figures.layouts[order])])),
    debounce: figures.sweep.map(roundAll),
  };
}

/** Openings of the stories stories260K writes for the early-stop series. */
const STORY_OPENINGS = ['Once upon a time, there was a little dog named Max.', 'One day, a girl named Lily went to the park.', 'Tom had a big red ball.', 'The sun was shining and the birds were singing.'];

function ratio(a: number | null, b: number | null): string {
  return a === null || b === null || b === 0 ? '—' : (a / b).toFixed(2);
}

/**
 * Tokens generated per shown suggestion on stories260K, typing back the middle of stories it wrote
 * itself (greedy, so the same text each run), with the model process stopping once a suggestion is
 * complete and without.
 */
async function earlyStopFigures(args: Args, progress: (line: string) => void): Promise<{ withStop: EarlyStopFigures; withoutStop: EarlyStopFigures; cold: ColdFigures }> {
  const supervisor = benchSupervisor(await findTestModel(STORY_TEST_MODEL), 'story', args);
  try {
    await supervisor.start();
    const text = localTextService(new EngineClient(supervisor, () => undefined));
    const stories: string[] = [];
    for (const opening of STORY_OPENINGS) {
      const story = await text.complete('completion', opening, { maxTokens: 400, temperature: 0 }, { sources: [] });
      stories.push(`${opening}${story.text}`.trim());
    }
    const prose = join(await mkdtemp(join(tmpdir(), 'hearth-bench-prose-')), 'stories.md');
    await writeFile(prose, `${stories.join('\n\n')}\n`);
    const setup = prepareTyping(prose, args.keys, args.seed);
    const log = (level: LogLevel, message: string) => {
      if (args.verbose || level === 'warn' || level === 'error') console.error(`[story ${level}] ${message}`);
    };
    const common = { settings: settingsFor({}), makeDocument: setup.makeDocument, script: setup.script, keys: args.keys, seed: args.seed, followChance: args.followChance, log };
    const withStop = await earlyStopReplay({ ...common, text });
    const withoutStop = await earlyStopReplay({ ...common, text: withoutEarlyStop(text) });
    progress(`story: ${withStop.tokensPerShownSuggestion?.toFixed(1)} tokens per shown suggestion with the early stop, ${withoutStop.tokensPerShownSuggestion?.toFixed(1)} without`);
    // The starter model from a cold start: a fresh model process that has never read the file.
    await supervisor.restart();
    const cold = await coldReplay({ ...common, text });
    return { withStop, withoutStop, cold };
  } finally {
    supervisor.dispose();
  }
}

function round(value: number | null, digits = 1): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function roundAll(run: ReplayFigures): Record<string, unknown> {
  return Object.fromEntries(Object.entries(run).map(([key, value]) => [key, typeof value === 'number' ? round(value, 4) : value]));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const setup = prepareTyping(args.file === undefined ? pickFile() : resolve(args.file), args.keys, args.seed);
  const progress = (line: string) => console.error(`  … ${line}`);
  const started = performance.now();
  console.log(
    `Hearth completion benchmark — typing ${setup.regionLines} lines back into ${setup.path} (${setup.lineCount} lines) from line ${setup.startLine + 1}; ` +
      `${args.keys} keystrokes a run, pauses ${DEFAULT_PAUSES.minMs}–${DEFAULT_PAUSES.maxMs} ms (longer ${pct(DEFAULT_PAUSES.thinkChance)} of keys and ${pct(DEFAULT_PAUSES.afterLineChance)} after a line), seed ${args.seed}`,
  );
  console.log(
    `  A user shown a suggestion types along its first line ${pct(args.followChance)} of the time (--follow); ` +
      `"cache" counts every keystroke the cache served, "cache(file)" only keystrokes that typed the file's own text.`,
  );
  const results: ModelFigures[] = [];
  for (const kind of args.models) {
    const figures = await benchOneModel(kind, setup, args, progress);
    results.push(figures);
    printModel(figures);
  }
  const earlyStop = await earlyStopFigures(args, progress);
  console.log(
    `\nEarly stop on stories260K (typing back stories it wrote): ${earlyStop.withStop.tokensPerShownSuggestion?.toFixed(1) ?? '—'} tokens generated per shown suggestion` +
      ` (${earlyStop.withStop.generatedTokens} for ${earlyStop.withStop.shown}) with the stop, ${earlyStop.withoutStop.tokensPerShownSuggestion?.toFixed(1) ?? '—'}` +
      ` (${earlyStop.withoutStop.generatedTokens} for ${earlyStop.withoutStop.shown}) without; ratio ${ratio(earlyStop.withStop.tokensPerShownSuggestion, earlyStop.withoutStop.tokensPerShownSuggestion)}`,
  );
  console.log(
    `Starter model (stories260K) from a cold start: first suggestion ${fmtMs(earlyStop.cold.coldFirstMs)} after its keystroke against a warm p50 of ${fmtMs(earlyStop.withStop.modelP50Ms)} ` +
      `(model-served); cold ÷ warm ${ratio(earlyStop.cold.coldFirstMs, earlyStop.withStop.modelP50Ms)}; first 30 s: ${pct(earlyStop.cold.firstHalfMinuteShownShare)} of ${earlyStop.cold.firstHalfMinuteKeys} keystrokes showed a suggestion`,
  );
  console.log(`\n  total ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (args.json) {
    const perModel = Object.fromEntries(results.map((figures) => [figures.model, jsonFigures(figures)]));
    const primary = perModel.fim ?? perModel.bench ?? {};
    const tokensPerShownSuggestion = {
      withEarlyStop: round(earlyStop.withStop.tokensPerShownSuggestion, 2),
      withoutEarlyStop: round(earlyStop.withoutStop.tokensPerShownSuggestion, 2),
      ratio: earlyStop.withStop.tokensPerShownSuggestion === null || earlyStop.withoutStop.tokensPerShownSuggestion === null ? null : round(earlyStop.withStop.tokensPerShownSuggestion / earlyStop.withoutStop.tokensPerShownSuggestion, 3),
    };
    const starter = {
      coldFirstMs: round(earlyStop.cold.coldFirstMs),
      warmP50Ms: round(earlyStop.withStop.modelP50Ms),
      coldToWarmRatio: earlyStop.cold.coldFirstMs === null || earlyStop.withStop.modelP50Ms === null ? null : round(earlyStop.cold.coldFirstMs / earlyStop.withStop.modelP50Ms, 3),
      firstHalfMinuteShownShare: round(earlyStop.cold.firstHalfMinuteShownShare, 4),
    };
    console.log(JSON.stringify({ ...primary, tokensPerShownSuggestion, starter, primaryModel: results[0]?.model, file: setup.path, keys: args.keys, seed: args.seed, followChance: args.followChance, models: perModel }));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
