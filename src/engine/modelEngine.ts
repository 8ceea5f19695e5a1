// Owns node-llama-cpp inside the model process: the loaded model, its context and sequences,
// and every generation. It knows nothing of JSON-RPC; main.ts wires it to the connection.
import { realpath } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import {
  GeneralChatWrapper,
  getLlama,
  InsufficientMemoryError,
  LlamaChat,
  LlamaCompletion,
  LlamaLogLevel,
  LlamaVocabularyType,
  NoBinaryFoundError,
  getModuleVersion,
  resolveChatWrapper,
  type ChatHistoryItem,
  type ChatWrapper,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import type { z } from 'zod';
import type {
  ChatMessage,
  GenerateResult,
  LogLevel,
  ModelInfo,
  ModelRole,
  ModelStatus,
  StopReason,
  countTokensParams,
  countTokensResult,
  generateChatParams,
  generateCompleteParams,
  generateInfillParams,
  generateWarmParams,
  generateWarmResult,
  modelLoadParams,
  samplingSchema,
} from '../common/protocol/engineProtocol';
import { currentPlatform, missingBinaryMessage } from './binaryPackage';
import { suggestionIsComplete } from '../common/completion/postProcessCompletion';
import { EngineError } from './engineError';
import { checkModelFile, type CheckedModelFile } from './modelFileCheck';
import { assertPairFits } from './pairFit';
import { physicalCores } from './physicalCores';
import { completionTokens, infillTokens, promptRoomFor, vocabularyOf, windowCompletionTokens, windowInfillTokens, type Vocabulary } from './promptLayout';
import { backgroundChunkDelayMs } from './testHooks';
import { SequencePool } from './sequencePool';
import { DEFAULT_CONTEXT_SIZE, firstWindowTokens, SEQUENCE_LAYOUT, sequenceCount, type Serves } from './contextLayout';
import { PhaseThreads, type PhaseHold } from './phaseThreads';
import { chooseThreads, type ThreadChoice } from './threadTuner';

type Sampling = z.output<typeof samplingSchema>;
type LoadParams = z.output<typeof modelLoadParams>;
type OnText = (text: string) => void;
type Log = (level: LogLevel, message: string) => void;

// Prompts are evaluated in chunks this size, so a cancellation or the prompt budget takes effect
// between chunks rather than after the whole prompt.
const PROMPT_CHUNK_TOKENS = 64;
// Room kept free for generated tokens when a prompt has to be trimmed to fit the context.
const MIN_GENERATION_ROOM = 16;

interface Loaded {
  readonly model: LlamaModel;
  readonly context: LlamaContext;
  /** Absent on a chat-only model: its completion-slot requests use the shared pool. */
  readonly completionPool: SequencePool | undefined;
  /** The fast first window's sequence (completion models only). */
  readonly windowPool: SequencePool | undefined;
  readonly sharedPool: SequencePool;
  readonly vocabulary: Vocabulary;
  readonly chatWrapper: ChatWrapper;
  readonly info: ModelInfo;
  /** Threads while a prompt is read, and while tokens are generated. */
  readonly threads: { readonly prompt: number; readonly decode: number };
  /** node-llama-cpp's estimate of the context's RAM (KV cache and graph): given back when it unloads. */
  readonly contextRamBytes: number;
}

/** The model each role uses: one object twice when one file serves both. */
interface Roles {
  readonly completion: Loaded;
  readonly chat: Loaded;
}

/** What a library generation call hands back, reduced to what we report. */
interface RawGeneration {
  readonly text: string;
  readonly libraryStopReason: string;
}

/** Filled in by a run with the exact prompt tokens, so an aborted prompt still reports its size. */
interface PromptRecord {
  target?: readonly Token[];
  /**
   * Set by runs whose prompt the library lays out (chat): count evaluated prompt tokens with the
   * sequence's token meter instead of comparing token lists.
   */
  metered?: boolean;
}

interface GenerationOptions {
  onTextChunk: OnText;
  onToken: (tokens: readonly unknown[]) => void;
  signal: AbortSignal;
  stopOnAbortSignal: true;
  maxTokens: number;
  temperature: number;
  topP?: number;
  seed?: number;
  customStopTriggers?: string[];
}

/** Prompt tokens evaluated per background step; small, so a request never waits long behind one. */
const BACKGROUND_CHUNK_TOKENS = 64;
/** Weight of the newest timing in the prompt speed (an exponential moving average). */
const PROMPT_SPEED_WEIGHT = 0.3;
/** Chunks shorter than this say little about prompt speed. */
const PROMPT_SPEED_MIN_TOKENS = 16;

type GenerationRun = (sequence: LlamaContextSequence, options: GenerationOptions, loaded: Loaded, record: PromptRecord) => Promise<RawGeneration>;

/** How a completion request lays out its full prompt and its fast first window. */
interface WindowPlan {
  readonly full: (loaded: Loaded, room: number) => Token[];
  readonly window: (loaded: Loaded, tokens: number) => Token[];
}

/** A full prompt being read into the completion sequence in the background. */
interface BackgroundRead {
  readonly target: readonly Token[];
  readonly abort: AbortController;
  evaluated: number;
}

/** A request that holds the loaded model (its context, its sequences) until it settles. */
interface ModelUse {
  /** Aborted, with the `modelChanged` EngineError as its reason, when a load or unload ends the request. */
  readonly retire: AbortController;
  /** Resolves when the request has stopped touching the model. */
  readonly settled: Promise<void>;
}

export class ModelEngine {
  private llama: Promise<Llama> | undefined;
  /** Set with the Llama: the thread count of each running phase. */
  private phases: PhaseThreads | undefined;
  private roles: Roles | undefined;
  private loading: Promise<unknown> = Promise.resolve();
  private state: ModelStatus['state'] = 'unloaded';
  private activeRequests = 0;
  /** Resolved when no request runs: the background read waits on them. */
  private idleWaiters: Array<() => void> = [];
  /** Prompt tokens evaluated per millisecond, measured as prompts are read (undefined until then). */
  private promptTokensPerMs: number | undefined;
  /** The background read on each completion model, while it runs. */
  private readonly backgroundReads = new Map<Loaded, BackgroundRead>();
  private lastTokensPerSec: number | null = null;
  /** Every request using `loaded`: disposing the model under one crashes the process in llama.cpp's decode loop. */
  private readonly uses = new Set<ModelUse>();
  /** Set while a load or unload ends the requests on the model it is about to dispose. */
  private retiring: EngineError | undefined;

  constructor(private readonly log: Log) {}

  load(params: LoadParams): Promise<ModelInfo> {
    // Loads and unloads run one after another; a request during one waits for it through `requireLoaded`.
    return this.serialize(() => this.doLoad(params));
  }

  unload(): Promise<boolean> {
    return this.serialize(() => this.retireAndUnload('The model was unloaded while this request was running; send it again after loading a model.'));
  }

  private serialize<T>(run: () => Promise<T>): Promise<T> {
    const next = this.loading.then(run);
    this.loading = next.catch(() => undefined);
    return next;
  }

  /**
   * Ends every request on the loaded model with a `modelChanged` error, waits until none of them
   * touches the model, its context or its sequences, then disposes them.
   */
  private async retireAndUnload(message: string): Promise<boolean> {
    const reason = new EngineError('modelChanged', message);
    this.retiring = reason;
    try {
      const uses = [...this.uses];
      for (const use of uses) use.retire.abort(reason);
      await Promise.all(uses.map((use) => use.settled));
      if (uses.length > 0) this.log('info', `Ended ${uses.length} request(s) on ${this.roles?.completion.info.name ?? 'the model'} before unloading it.`);
      return await this.unloadNow();
    } finally {
      this.retiring = undefined;
    }
  }

  /**
   * Runs a request on the loaded model, registered so a load or unload can end it first. The
   * model is checked and the use registered in the same tick, so no request can start on a model
   * that is being retired.
   */
  private async withModel<T>(role: ModelRole, run: (loaded: Loaded, retired: AbortSignal) => Promise<T>): Promise<T> {
    const roles = await this.requireLoaded();
    if (this.retiring !== undefined) throw this.retiring;
    if (roles !== this.roles) throw new EngineError('modelChanged', 'The model changed before this request started; send it again.');
    const loaded = roles[role];
    let settle: () => void = () => undefined;
    const use: ModelUse = { retire: new AbortController(), settled: new Promise<void>((resolve) => (settle = resolve)) };
    this.uses.add(use);
    try {
      return await run(loaded, use.retire.signal);
    } finally {
      this.uses.delete(use);
      settle();
    }
  }

  private async unloadNow(): Promise<boolean> {
    const roles = this.roles;
    if (roles === undefined) return false;
    this.roles = undefined;
    this.state = 'unloaded';
    for (const loaded of distinct(roles)) await disposeLoaded(loaded);
    this.log('info', `Unloaded ${distinct(roles).map((loaded) => loaded.info.name).join(' and ')}`);
    return true;
  }

  status(): ModelStatus {
    const roles = this.roles;
    const sequences = roles === undefined ? [] : distinct(roles).flatMap((loaded) => [...(loaded.completionPool?.all ?? []), ...(loaded.windowPool?.all ?? []), ...loaded.sharedPool.all]);
    const reading = roles === undefined ? undefined : this.backgroundReads.get(roles.completion);
    const used = Math.max(0, ...sequences.map((sequence) => sequence.nextTokenIndex));
    return {
      state: this.state,
      model: roles === undefined ? null : rolesInfo(roles),
      rssBytes: process.memoryUsage().rss,
      contextTokensUsed: used,
      activeRequests: this.activeRequests,
      lastTokensPerSec: this.lastTokensPerSec,
      backgroundWarm: reading === undefined ? null : { promptTokens: reading.target.length, evaluatedTokens: reading.evaluated },
    };
  }

  complete(params: z.output<typeof generateCompleteParams>, onText: OnText, cancel: AbortSignal): Promise<GenerateResult> {
    return this.generate(
      params,
      onText,
      cancel,
      (sequence, options, loaded, record) =>
        this.continueTokens(sequence, options, record, completionTokens(params.prompt, loaded.vocabulary, promptRoom(sequence, params.maxTokens))),
      'completion',
      undefined,
      {
        full: (loaded, room) => completionTokens(params.prompt, loaded.vocabulary, room),
        window: (loaded, tokens) => windowCompletionTokens(params.prompt, loaded.vocabulary, tokens),
      },
    );
  }

  infill(params: z.output<typeof generateInfillParams>, onText: OnText, cancel: AbortSignal): Promise<GenerateResult> {
    return this.generate(
      params,
      onText,
      cancel,
      (sequence, options, loaded, record) => {
        assertInfill(loaded);
        return this.continueTokens(sequence, options, record, infillTokens(params, loaded.vocabulary, promptRoom(sequence, params.maxTokens)));
      },
      'completion',
      undefined,
      {
        full: (loaded, room) => {
          assertInfill(loaded);
          return infillTokens(params, loaded.vocabulary, room);
        },
        window: (loaded, tokens) => windowInfillTokens(params, loaded.vocabulary, tokens),
      },
    );
  }

  /** Evaluates a prompt into a sequence and generates nothing, so the next request pays only for what it adds. */
  warm(params: z.output<typeof generateWarmParams>, cancel: AbortSignal): Promise<z.infer<typeof generateWarmResult>> {
    return this.withModel(params.role, async (loaded, retired) => {
      const start = performance.now();
      const pool = poolFor(loaded, params.slot);
      const stop = AbortSignal.any([cancel, retired]);
      let sequence: LlamaContextSequence;
      try {
        sequence = await pool.acquire(stop);
      } catch (error) {
        throwIfRetired(retired);
        // Cancelled while another request held the sequence: nothing was evaluated, nothing failed.
        if (!cancel.aborted) throw error;
        return { promptTokens: 0, evaluatedPromptTokens: 0, totalMs: performance.now() - start, cancelled: true };
      }
      try {
        const room = promptRoom(sequence, MIN_GENERATION_ROOM);
        const input = params.input;
        if (input.kind === 'infill') assertInfill(loaded);
        const tokens = input.kind === 'infill' ? infillTokens(input, loaded.vocabulary, room) : completionTokens(input.prompt, loaded.vocabulary, room);
        const target = withBeginningToken(loaded.model, tokens);
        const before = sequence.contextTokens;
        let cancelled = false;
        try {
          await this.readPrompt(loaded, () => evaluatePrompt(sequence, target, stop, this.meter));
        } catch (error) {
          if (!stop.aborted) throw error;
          cancelled = true;
        }
        throwIfRetired(retired);
        const reused = commonPrefixLength(before, target);
        return { promptTokens: target.length, evaluatedPromptTokens: target.length - reused, totalMs: performance.now() - start, cancelled };
      } finally {
        pool.release(sequence);
      }
    });
  }

  /** Generates from `tokens` (no BOS: the library adds it) after evaluating them in cancellable chunks. */
  private async continueTokens(sequence: LlamaContextSequence, options: GenerationOptions, record: PromptRecord, tokens: Token[]): Promise<RawGeneration> {
    const target = withBeginningToken(sequence.model, tokens);
    record.target = target;
    // All but the last token: the library evaluates that one itself to get the next token's logits.
    await evaluatePrompt(sequence, target.slice(0, -1), options.signal, this.meter);
    const completion = new LlamaCompletion({ contextSequence: sequence });
    try {
      const response = await completion.generateCompletionWithMeta(tokens, options);
      return { text: response.response, libraryStopReason: response.metadata.stopReason };
    } finally {
      completion.dispose();
    }
  }

  chat(params: z.output<typeof generateChatParams>, onText: OnText, cancel: AbortSignal): Promise<GenerateResult> {
    return this.generate(
      params,
      onText,
      cancel,
      async (sequence, options, loaded, record) => {
        record.metered = true;
        const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: loaded.chatWrapper, autoDisposeSequence: false });
        try {
          const response = await chat.generateResponse(toChatHistory(params.messages), options);
          return { text: response.response, libraryStopReason: response.metadata.stopReason };
        } finally {
          chat.dispose({ disposeSequence: false });
        }
      },
      'chat',
      params.conversationId,
    );
  }

  /** Tokens in each text for the loaded model, as a prompt segment (no BOS). */
  countTokens(params: z.output<typeof countTokensParams>): Promise<z.infer<typeof countTokensResult>> {
    // Synchronous once it has the model, but registered like the rest so no load can slip in between.
    return this.withModel(params.role, async (loaded) => ({ counts: params.texts.map((text) => (text.length === 0 ? 0 : loaded.vocabulary.tokenize(text).length)) }));
  }

  private async doLoad(params: LoadParams): Promise<ModelInfo> {
    const llama = await this.getLlama();
    const chatPath = params.chatPath !== undefined && !(await samePath(params.chatPath, params.path)) ? params.chatPath : undefined;
    // Files that fail their checks, or a pair that would not fit, leave the loaded models, and the
    // requests on them, untouched.
    const checked = await checkModelFile(params.path, llama);
    const checkedChat = chatPath === undefined ? undefined : await checkModelFile(chatPath, llama);
    if (chatPath !== undefined && checkedChat !== undefined) {
      await assertPairFits(llama, {
        contextSize: params.contextSize ?? DEFAULT_CONTEXT_SIZE,
        models: [
          { role: 'completion', path: params.path, insights: checked.insights, sequences: sequenceCount('completion') },
          { role: 'chat', path: chatPath, insights: checkedChat.insights, sequences: sequenceCount('chat') },
        ],
        // What the loaded models hold now is given back before the new ones load.
        reclaimableRamBytes: this.roles === undefined ? 0 : distinct(this.roles).reduce((sum, loaded) => sum + loaded.contextRamBytes, 0),
      });
    }
    const names = chatPath === undefined ? basename(params.path) : `${basename(params.path)} and ${basename(chatPath)}`;
    await this.retireAndUnload(`The model changed (${names} is being loaded) while this request was running; send it again.`);
    this.state = 'loading';
    try {
      const completion = await this.loadOne(llama, params, params.path, checked, chatPath === undefined ? 'both' : 'completion');
      let chat = completion;
      if (chatPath !== undefined && checkedChat !== undefined) {
        chat = await this.loadOne(llama, params, chatPath, checkedChat, 'chat').catch(async (error: unknown) => {
          await disposeLoaded(completion);
          throw error;
        });
      }
      this.roles = { completion, chat };
      this.state = 'ready';
      return rolesInfo(this.roles);
    } catch (error) {
      this.state = 'unloaded';
      throw error;
    }
  }

  /** Loads one file with a context laid out for the roles it serves. */
  private async loadOne(llama: Llama, params: LoadParams, path: string, checked: CheckedModelFile, serves: Serves): Promise<Loaded> {
    const start = performance.now();
    const model = await llama.loadModel({ modelPath: path }).catch((error: unknown) => {
      throw loadFailure(error, path);
    });
    const loadMs = performance.now() - start;
    try {
      const phases = this.phasesOf(llama);
      const threads = await this.resolveThreads(model, params, path, phases);
      const contextSize = Math.min(params.contextSize ?? DEFAULT_CONTEXT_SIZE, model.trainContextSize);
      const layout = SEQUENCE_LAYOUT[serves];
      // The context asks for its larger count and accepts one thread; each batch then gets the
      // count of the phase that runs it (see PhaseThreads). Created while the budget allows the larger.
      const most = Math.max(threads.promptThreads, threads.decodeThreads);
      const context = await phases
        .with(model, most, () => model.createContext({ contextSize, sequences: sequenceCount(serves), threads: { ideal: most, min: 1 } }))
        .catch((error: unknown) => {
          throw loadFailure(error, path);
        });
      const completionSequences: LlamaContextSequence[] = [];
      for (let index = 0; index < layout.completion; index += 1) completionSequences.push(context.getSequence());
      const windowSequences: LlamaContextSequence[] = [];
      for (let index = 0; index < layout.window; index += 1) windowSequences.push(context.getSequence());
      const sharedSequences: LlamaContextSequence[] = [];
      for (let index = 0; index < layout.shared; index += 1) sharedSequences.push(context.getSequence());
      const chatWrapper = chatWrapperFor(model);
      const info: ModelInfo = {
        path,
        name: modelName(model, path),
        sizeBytes: checked.sizeBytes,
        loadMs,
        contextSize: context.contextSize,
        trainContextSize: model.trainContextSize,
        threads: threads.decodeThreads,
        promptThreads: threads.promptThreads,
        threadsReason: threads.reason,
        threadsSource: threads.source,
        hasInfill: isInfillCapable(model),
        chatWrapper: chatWrapper.wrapperName,
      };
      const roleWords = serves === 'both' ? 'completion and chat' : serves;
      this.log(
        'info',
        `Loaded ${info.name} for ${roleWords} in ${loadMs.toFixed(0)} ms; ${info.promptThreads} threads reading prompts, ${info.threads} decoding (${info.threadsReason}); chat template: ${info.chatWrapper}; infill: ${info.hasInfill}`,
      );
      return {
        model,
        context,
        completionPool: completionSequences.length === 0 ? undefined : new SequencePool(completionSequences),
        windowPool: windowSequences.length === 0 ? undefined : new SequencePool(windowSequences),
        sharedPool: new SequencePool(sharedSequences),
        vocabulary: vocabularyOf(model),
        chatWrapper,
        info,
        threads: { prompt: threads.promptThreads, decode: threads.decodeThreads },
        contextRamBytes: checked.insights.estimateContextResourceRequirements({ contextSize: context.contextSize, sequences: sequenceCount(serves), modelGpuLayers: model.gpuLayers }).cpuRam,
      };
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  private async resolveThreads(model: LlamaModel, params: LoadParams, path: string, phases: PhaseThreads): Promise<ThreadChoice & { source: ModelInfo['threadsSource'] }> {
    const cores = physicalCores();
    const setting = params.threads;
    if (setting !== 'auto') {
      if (setting > cores) this.log('warn', `hearth.engine.threads is ${setting}, more than the ${cores} physical cores; this is usually slower.`);
      return { promptThreads: setting, decodeThreads: setting, reason: 'set by hearth.engine.threads', source: 'setting' };
    }
    const remembered = params.rememberedThreads.find((entry) => entry.path === path);
    if (remembered !== undefined) {
      this.log(
        'info',
        `Reused the thread measurement for ${basename(path)} on this machine: ${remembered.promptThreads} threads reading prompts, ${remembered.threads} decoding (${remembered.measured}); no measurement this time.`,
      );
      return { promptThreads: remembered.promptThreads, decodeThreads: remembered.threads, reason: `remembered: ${remembered.measured}`, source: 'remembered' };
    }
    return { ...(await chooseThreads(model, cores, phases)), source: 'measured' };
  }

  private phasesOf(llama: Llama): PhaseThreads {
    // While nothing runs the budget is the core count (a context created then may ask for that many).
    this.phases ??= new PhaseThreads(llama, physicalCores());
    return this.phases;
  }

  /** Runs `read` (prompt tokens into a sequence of `loaded`) with the prompt phase's threads. */
  private readPrompt<T>(loaded: Loaded, read: () => Promise<T>): Promise<T> {
    return this.phases === undefined ? read() : this.phases.with(loaded.context, loaded.threads.prompt, read);
  }

  /** The process's one node-llama-cpp instance (created on first use), shared with header reads and hardware queries. */
  getLlama(): Promise<Llama> {
    this.llama ??= getLlama({
      // Never compile or download at run time: the prebuilt binaries ship inside npm packages.
      build: 'never',
      // A budget, not 0 (each context exactly its count): PhaseThreads moves it per phase.
      maxThreads: physicalCores(),
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => {
        const text = message.trim();
        if (text.length > 0) this.log(level === LlamaLogLevel.error || level === LlamaLogLevel.fatal ? 'error' : 'warn', text);
      },
    }).catch(async (error: unknown) => {
      // Retried on the next call: the user may install the right package meanwhile.
      this.llama = undefined;
      if (!(error instanceof NoBinaryFoundError)) throw error;
      throw new EngineError('binaryMissing', missingBinaryMessage(currentPlatform(), await getModuleVersion().catch(() => 'unknown')));
    });
    return this.llama;
  }

  private async requireLoaded(): Promise<Roles> {
    await this.loading;
    if (this.roles === undefined) throw new EngineError('noModelLoaded', 'No model is loaded; load one with model/load first.');
    return this.roles;
  }

  private generate(
    params: Sampling,
    onText: OnText,
    cancel: AbortSignal,
    run: GenerationRun,
    /** The model that answers when the request names no role: chat for generate/chat, completion otherwise. */
    defaultRole: ModelRole,
    /** Chat: prefer the sequence this conversation used last. */
    conversationId?: string,
    /** Completions: how to lay out the full prompt and the fast first window. */
    windowPlan?: WindowPlan,
  ): Promise<GenerateResult> {
    const role = params.role ?? defaultRole;
    return this.withModel(role, (loaded, retired) => {
      const planned = windowPlan === undefined ? undefined : this.planFirstWindow(loaded, params, windowPlan);
      if (planned?.window === undefined) return this.generateOn(loaded, retired, params, onText, cancel, planned?.run ?? run, conversationId);
      // The window was sized to fit the prompt budget: its own prompt is not held to it again.
      const { promptBudgetMs: _sized, ...windowParams } = params;
      return this.generateOn(loaded, retired, windowParams, onText, cancel, planned.run, conversationId, planned.window).then((result) => ({ ...result, firstWindow: true }));
    });
  }

  /**
   * A completion whose full prompt would not fit its prompt budget (the completion sequence does
   * not hold most of it yet) answers from a short window on the window sequence (`window`), while
   * the full prompt is read into the completion sequence in the background. Otherwise it runs on
   * the completion sequence with the full prompt laid out here, not a second time. Undefined: the
   * request does not ask for a window, or this model has no window sequence.
   */
  private planFirstWindow(loaded: Loaded, params: Sampling, plan: WindowPlan): { window?: SequencePool; run: GenerationRun } | undefined {
    const completionSequence = loaded.completionPool?.all[0];
    if (!params.firstWindow || params.slot !== 'completion' || loaded.windowPool === undefined || completionSequence === undefined) return undefined;
    const tokens = plan.full(loaded, promptRoom(completionSequence, params.maxTokens));
    const full = withBeginningToken(loaded.model, tokens);
    const windowTokens = firstWindowTokens({
      tokensToEvaluate: full.length - commonPrefixLength(completionSequence.contextTokens, full),
      tokensPerMs: this.promptTokensPerMs,
      promptBudgetMs: params.promptBudgetMs,
    });
    if (windowTokens === undefined) return { run: (sequence, options, _loaded, record) => this.continueTokens(sequence, options, record, tokens) };
    this.readInBackground(loaded, full);
    return { window: loaded.windowPool, run: (sequence, options, windowLoaded, record) => this.continueTokens(sequence, options, record, plan.window(windowLoaded, windowTokens)) };
  }

  /** Starts (or keeps) reading `target` into the completion sequence, in chunks, while no request runs. */
  private readInBackground(loaded: Loaded, target: readonly Token[]): void {
    const current = this.backgroundReads.get(loaded);
    if (current !== undefined && commonPrefixLength(current.target, target) === target.length && current.target.length === target.length) return;
    current?.abort.abort();
    const read: BackgroundRead = { target, abort: new AbortController(), evaluated: 0 };
    this.backgroundReads.set(loaded, read);
    this.log('debug', `Reading a ${target.length}-token prompt into the completion sequence in the background (fast first window meanwhile).`);
    void this.withModel('completion', async (model, retired) => {
      if (model !== loaded) return;
      await this.runBackgroundRead(loaded, read, AbortSignal.any([read.abort.signal, retired]));
    })
      .catch((error: unknown) => {
        if (!read.abort.signal.aborted && !(error instanceof EngineError && error.kind === 'modelChanged')) {
          this.log('warn', `The background read of a prompt stopped: ${error instanceof Error ? error.message : String(error)}`);
        }
      })
      .finally(() => {
        if (this.backgroundReads.get(loaded) === read) this.backgroundReads.delete(loaded);
      });
  }

  private async runBackgroundRead(loaded: Loaded, read: BackgroundRead, stop: AbortSignal): Promise<void> {
    const pool = loaded.completionPool;
    if (pool === undefined) return;
    const started = performance.now();
    for (;;) {
      // A request in flight shares the decode batch with anything evaluated now: let it finish first.
      await this.untilNoRequests(stop);
      if (stop.aborted) return;
      const sequence = await pool.acquire(stop);
      let finished = false;
      try {
        const common = commonPrefixLength(sequence.contextTokens, read.target);
        if (common < sequence.nextTokenIndex) await sequence.eraseContextTokenRanges([{ start: common, end: sequence.nextTokenIndex }]);
        const chunk = read.target.slice(common, common + BACKGROUND_CHUNK_TOKENS);
        if (chunk.length > 0) {
          const chunkStart = performance.now();
          await this.readPrompt(loaded, () => sequence.evaluateWithoutGeneratingNewTokens(chunk));
          this.meter(chunk.length, performance.now() - chunkStart);
        }
        read.evaluated = common + chunk.length;
        finished = read.evaluated >= read.target.length;
      } finally {
        pool.release(sequence);
      }
      if (finished) {
        this.log('debug', `Read the ${read.target.length}-token prompt in the background in ${(performance.now() - started).toFixed(0)} ms.`);
        return;
      }
      const delay = backgroundChunkDelayMs();
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** Resolves once no request runs (or `stop` aborts). */
  private async untilNoRequests(stop: AbortSignal): Promise<void> {
    while (this.activeRequests > 0 && !stop.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          stop.removeEventListener('abort', done);
          resolve();
        };
        this.idleWaiters.push(done);
        stop.addEventListener('abort', done, { once: true });
      });
    }
  }

  /** Records how fast a prompt chunk was evaluated (the fast first window is sized from it). */
  private readonly meter = (tokens: number, ms: number): void => {
    if (tokens < PROMPT_SPEED_MIN_TOKENS || ms <= 0) return;
    const speed = tokens / ms;
    this.promptTokensPerMs = this.promptTokensPerMs === undefined ? speed : this.promptTokensPerMs * (1 - PROMPT_SPEED_WEIGHT) + speed * PROMPT_SPEED_WEIGHT;
  };

  private async generateOn(
    loaded: Loaded,
    retired: AbortSignal,
    params: Sampling,
    onText: OnText,
    cancel: AbortSignal,
    run: GenerationRun,
    conversationId: string | undefined,
    /** The sequences to run on; by default the slot's. */
    pool: SequencePool = poolFor(loaded, params.slot),
  ): Promise<GenerateResult> {
    const start = performance.now();
    const abort = new AbortController();
    let abortReason: StopReason | undefined;
    const stop = (reason: StopReason) => {
      abortReason ??= reason;
      abort.abort(new Error(reason));
    };
    const onCancel = () => stop('cancelled');
    if (cancel.aborted) onCancel();
    cancel.addEventListener('abort', onCancel, { once: true });
    // A load or unload stops the generation like a cancellation; the request then fails with its reason.
    retired.addEventListener('abort', onCancel, { once: true });
    const budget = params.timeBudgetMs === undefined ? undefined : setTimeout(() => stop('timeBudget'), params.timeBudgetMs);
    let promptBudget = params.promptBudgetMs === undefined ? undefined : setTimeout(() => stop('timeBudget'), params.promptBudgetMs);
    let generationBudget: NodeJS.Timeout | undefined;
    this.activeRequests += 1;
    let sequence: LlamaContextSequence | undefined;
    let phase: PhaseHold | undefined;
    try {
      sequence = await pool.acquire(abort.signal, conversationId);
      // The prompt is read with the prompt phase's threads; the first token switches to decoding's.
      phase = this.phases?.hold(loaded.context, loaded.threads.prompt);
      const before = sequence.contextTokens;
      const inputBefore = sequence.tokenMeter.usedInputTokens;
      let generatedTokens = 0;
      let firstTokenAt: number | undefined;
      let generated = '';
      const options: GenerationOptions = {
        onTextChunk: (text) => {
          onText(text);
          if (params.suggestion === undefined || abortReason !== undefined) return;
          generated += text;
          // Nothing after this can change the ghost text: stop instead of running to maxTokens or the budget.
          if (suggestionIsComplete({ ...params.suggestion, completion: generated })) stop('stop');
        },
        onToken: (tokens) => {
          if (promptBudget !== undefined) {
            clearTimeout(promptBudget);
            promptBudget = undefined;
          }
          if (firstTokenAt === undefined) {
            phase?.set(loaded.threads.decode);
            if (params.generationBudgetMs !== undefined) generationBudget = setTimeout(() => stop('timeBudget'), params.generationBudgetMs);
          }
          firstTokenAt ??= performance.now();
          generatedTokens += tokens.length;
        },
        signal: abort.signal,
        stopOnAbortSignal: true,
        maxTokens: params.maxTokens,
        temperature: params.temperature,
        ...(params.topP === undefined ? {} : { topP: params.topP }),
        ...(params.seed === undefined ? {} : { seed: params.seed }),
        ...(params.stop.length === 0 ? {} : { customStopTriggers: params.stop }),
      };
      const record: PromptRecord = {};
      let raw: RawGeneration;
      try {
        raw = await run(sequence, options, loaded, record);
      } catch (error) {
        throwIfRetired(retired);
        // Aborted before the first token: the library throws rather than returning partial text.
        if (abortReason === undefined) throw error;
        raw = { text: '', libraryStopReason: 'abort' };
      }
      // Partial text from a model that is going away is not an answer.
      throwIfRetired(retired);
      const end = performance.now();
      // The sequence now holds the prompt (all of it, unless aborted) and all generated tokens but
      // the last, which is not evaluated yet.
      const held = Math.max(0, sequence.contextTokens.length - Math.max(0, generatedTokens - 1));
      const promptTokens = record.target?.length ?? held;
      // The meter's input tokens are the prompt tokens evaluated (node-llama-cpp 3.21 counts generated tokens apart).
      const meteredPrompt = Math.max(0, sequence.tokenMeter.usedInputTokens - inputBefore);
      const reused = record.metered === true ? promptTokens - Math.min(promptTokens, meteredPrompt) : Math.min(commonPrefixLength(before, record.target ?? sequence.contextTokens), held);
      const decodeMs = firstTokenAt === undefined ? 0 : end - firstTokenAt;
      const tokensPerSec = generatedTokens > 1 && decodeMs > 0 ? ((generatedTokens - 1) * 1000) / decodeMs : 0;
      if (tokensPerSec > 0) this.lastTokensPerSec = tokensPerSec;
      return {
        text: raw.text,
        stopReason: mapStopReason(raw.libraryStopReason, abortReason),
        promptTokens,
        evaluatedPromptTokens: Math.max(0, Math.min(promptTokens, held) - reused),
        generatedTokens,
        ttftMs: firstTokenAt === undefined ? null : firstTokenAt - start,
        totalMs: end - start,
        tokensPerSec,
      };
    } catch (error) {
      throwIfRetired(retired);
      if (abortReason !== undefined && sequence === undefined) return emptyResult(abortReason, performance.now() - start);
      throw error;
    } finally {
      if (budget !== undefined) clearTimeout(budget);
      if (promptBudget !== undefined) clearTimeout(promptBudget);
      if (generationBudget !== undefined) clearTimeout(generationBudget);
      cancel.removeEventListener('abort', onCancel);
      retired.removeEventListener('abort', onCancel);
      phase?.release();
      if (sequence !== undefined) pool.release(sequence);
      this.activeRequests -= 1;
      if (this.activeRequests === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}

/**
 * The model's own chat template when its metadata has one. Without one, node-llama-cpp would guess
 * a wrapper (Llama 2's [INST] tags for a llama model) that the model never saw in training; a plain
 * "### Human / ### Assistant" transcript is closer to text a base model has read.
 */
function chatWrapperFor(model: LlamaModel): ChatWrapper {
  const template = model.fileInfo.metadata.tokenizer?.chat_template;
  if (typeof template === 'string' && template.trim().length > 0) return resolveChatWrapper(model);
  return new GeneralChatWrapper();
}

function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((message): ChatHistoryItem => {
    if (message.role === 'system') return { type: 'system', text: message.content };
    if (message.role === 'user') return { type: 'user', text: message.content };
    return { type: 'model', response: [message.content] };
  });
  // The model answers into a trailing model turn; an assistant message last is continued.
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}

function mapStopReason(library: string, aborted: StopReason | undefined): StopReason {
  if (library === 'abort') return aborted ?? 'cancelled';
  if (library === 'maxTokens') return 'maxTokens';
  if (library === 'customStopTrigger' || library === 'stopGenerationTrigger') return 'stop';
  return 'eos';
}

/** A request ended by a load or unload fails with the `modelChanged` error the retirement carries. */
function throwIfRetired(retired: AbortSignal): void {
  if (!retired.aborted) return;
  throw retired.reason instanceof EngineError ? retired.reason : new EngineError('modelChanged', 'The model changed while this request was running; send it again.');
}

function emptyResult(stopReason: StopReason, totalMs: number): GenerateResult {
  return { text: '', stopReason, promptTokens: 0, evaluatedPromptTokens: 0, generatedTokens: 0, ttftMs: null, totalMs, tokensPerSec: 0 };
}

function commonPrefixLength(a: readonly unknown[], b: readonly unknown[]): number {
  const limit = Math.min(a.length, b.length);
  let index = 0;
  while (index < limit && a[index] === b[index]) index += 1;
  return index;
}

function isInfillCapable(model: LlamaModel): boolean {
  const infill = model.tokens.infill;
  return infill.prefix !== null && infill.suffix !== null && infill.middle !== null;
}

function modelName(model: LlamaModel, path: string): string {
  const name = model.fileInfo.metadata.general?.name;
  return typeof name === 'string' && name.trim().length > 0 ? name.trim() : basename(path);
}

function loadFailure(error: unknown, path: string): EngineError {
  if (error instanceof InsufficientMemoryError) {
    return new EngineError('modelTooLarge', `Not enough memory to load the model: ${error.message}. Choose a smaller model: ${path}`, path);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new EngineError('corruptModel', `llama.cpp could not load the model (${message}): ${path}`, path);
}

function assertInfill(loaded: Loaded): void {
  if (loaded.vocabulary.fim !== null) return;
  throw new EngineError(
    'infillUnsupported',
    `The model ${loaded.info.name} has no fill-in-the-middle tokens; use a code model such as Qwen2.5-Coder, or plain completion.`,
    loaded.info.path,
  );
}

/** The tokens as LlamaCompletion will hold them: it prepends BOS the same way (resolveBeginningTokenToPrepend). */
function withBeginningToken(model: LlamaModel, tokens: Token[]): Token[] {
  const type = model.vocabularyType;
  const bos = model.tokens.bos;
  if (bos === null || type === LlamaVocabularyType.rwkv || type === LlamaVocabularyType.ugm) return tokens;
  if (type !== LlamaVocabularyType.wpm && !model.tokens.shouldPrependBosToken) return tokens;
  return [bos, ...tokens];
}

/** Tokens a prompt may use in this sequence, leaving room to generate (see promptRoomFor). */
function promptRoom(sequence: LlamaContextSequence, maxTokens: number): number {
  return promptRoomFor(sequence.contextSize, Math.max(maxTokens, MIN_GENERATION_ROOM));
}

/**
 * Brings the sequence to hold exactly `target`: keeps the common start, drops the rest, and
 * evaluates what is new in chunks, checking `signal` between them.
 */
async function evaluatePrompt(
  sequence: LlamaContextSequence,
  target: readonly Token[],
  signal: AbortSignal,
  meter: (tokens: number, ms: number) => void = () => undefined,
): Promise<void> {
  const common = commonPrefixLength(sequence.contextTokens, target);
  if (common < sequence.nextTokenIndex) await sequence.eraseContextTokenRanges([{ start: common, end: sequence.nextTokenIndex }]);
  for (let start = common; start < target.length; start += PROMPT_CHUNK_TOKENS) {
    if (signal.aborted) throw signal.reason;
    const chunk = target.slice(start, start + PROMPT_CHUNK_TOKENS);
    const started = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(chunk);
    meter(chunk.length, performance.now() - started);
  }
}

/** The sequences a slot takes on this model; a chat-only model serves completion-slot requests from its shared ones. */
function poolFor(loaded: Loaded, slot: 'completion' | 'shared'): SequencePool {
  return slot === 'completion' ? (loaded.completionPool ?? loaded.sharedPool) : loaded.sharedPool;
}

function distinct(roles: Roles): Loaded[] {
  return roles.chat === roles.completion ? [roles.completion] : [roles.completion, roles.chat];
}

/** The completion model's info, with the chat model's when it is another file. */
function rolesInfo(roles: Roles): ModelInfo {
  return roles.chat === roles.completion ? roles.completion.info : { ...roles.completion.info, chat: roles.chat.info };
}

async function disposeLoaded(loaded: Loaded): Promise<void> {
  await loaded.context.dispose();
  await loaded.model.dispose();
}

/** Two settings naming one file (through a link, or spelled differently) load it once. */
async function samePath(a: string, b: string): Promise<boolean> {
  const [realA, realB] = await Promise.all([realpath(a).catch(() => resolve(a)), realpath(b).catch(() => resolve(b))]);
  return realA === realB;
}
