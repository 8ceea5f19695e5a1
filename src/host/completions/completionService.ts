// The logic behind inline completions, free of `vscode` so the benchmark drives exactly what
// the editor does: exclusion, cursor windows, the suggestion cache, debounce, the prompt
// layout sent to the model process, post-processing, and warming while the user is idle.
import { CancellationTokenSource, type CancellationToken } from 'vscode-jsonrpc/node';
import { CompletionCache } from '../../common/completion/completionCache';
import { anchoredWindow, type PromptAnchor } from '../../common/completion/anchoredWindow';
import { applySuggestion } from '../../common/completion/applySuggestion';
import { cursorWindow, type CursorWindow } from '../../common/completion/cursorWindow';
import { ExtraContextRing } from '../../common/completion/extraContextRing';
import { postProcessCompletion } from '../../common/completion/postProcessCompletion';
import type { ContextSource } from '../../common/policy/contextSource';
import type { GenerateResult, LogLevel } from '../../common/protocol/engineProtocol';
import type { LoadedModel, TextService } from '../text/textService';
import type { CompletionSettings } from './completionSettings';

/** What completions need of the text service. */
export type CompletionText = Pick<TextService, 'loadedModel' | 'ensureModel' | 'infill' | 'complete' | 'warm'>;

export interface CompletionDocument {
  /** The document's URI, for the privacy gate (a link to an excluded file is excluded too). */
  readonly uri?: string;
  /** Workspace-relative path, matched against the privacy globs and used to name context chunks. */
  readonly path: string;
  readonly languageId: string;
  readonly lines: readonly string[];
}

export interface CompletionOutcome {
  readonly text: string;
  readonly source: 'cache' | 'model';
  readonly ms: number;
  readonly result?: GenerateResult;
}

/** What completions are doing while no suggestion shows, for the status bar. */
export type CompletionActivity = { readonly kind: 'idle' } | { readonly kind: 'computing' } | { readonly kind: 'reading'; readonly path: string };

export interface CompletionStats {
  requests: number;
  cacheServed: number;
  modelCalls: number;
  debounced: number;
  /** Prompt heads evaluated in the background after the extra context changed or a file was first touched. */
  warms: number;
  /** Files whose prompt was read in on the user's first cursor move or selection in them. */
  touchWarms: number;
  /** Suggestions prepared in the background for after the shown one is accepted. */
  prefetches: number;
}

// Extra context is capped in characters; about four characters a token.
const HEAD_CHARS_PER_CHUNK = 64 * 80;
// How long the user must be idle after the extra context changed before it is evaluated.
const WARM_DELAY_MS = 800;

export class CompletionService {
  private cache!: CompletionCache;
  private ring!: ExtraContextRing;
  private sizedFor = '';
  private warmTimer: NodeJS.Timeout | undefined;
  private warming: CancellationTokenSource | undefined;
  private warmedVersion = -1;
  /** Documents the user has moved the cursor or selected in (their first touch warms them). */
  private readonly touchedDocuments = new Set<string>();
  private prefetching: { readonly source: CancellationTokenSource; readonly key: string; readonly done: Promise<string | undefined> } | undefined;
  private anchor: PromptAnchor | undefined;
  readonly stats: CompletionStats = { requests: 0, cacheServed: 0, modelCalls: 0, debounced: 0, warms: 0, touchWarms: 0, prefetches: 0 };
  /** The model process's answer to the last model call, shown or not: its token counts say what reuse saved. */
  lastModelResult: GenerateResult | undefined;

  constructor(
    private readonly text: CompletionText,
    private readonly readSettings: () => CompletionSettings,
    private readonly log: (level: LogLevel, message: string) => void,
    private readonly onActivity: (activity: CompletionActivity) => void = () => undefined,
    /** The privacy gate's verdict: an excluded file gets no completions and never enters the extra context. */
    private readonly isExcluded: (source: Pick<ContextSource, 'uri' | 'path'>) => boolean = () => false,
  ) {
    this.settings();
  }

  /**
   * The current settings. A change of the cache's or the extra context's size replaces them, so
   * it applies without a reload; 0 turns each off (nothing is cached, no snippet is kept).
   */
  private settings(): CompletionSettings {
    const settings = this.readSettings();
    const sizes = `${settings.cacheSize}/${settings.extraContextChunks}/${settings.extraContextLines}`;
    if (sizes !== this.sizedFor) {
      this.sizedFor = sizes;
      this.cache = new CompletionCache({ capacity: Math.max(1, settings.cacheSize) });
      this.ring = new ExtraContextRing({ maxChunks: Math.max(1, settings.extraContextChunks), chunkLines: settings.extraContextLines });
    }
    return settings;
  }

  /** Whether this document gets completions at all: the switches, its language, and the exclude globs. */
  appliesTo(document: CompletionDocument): boolean {
    const settings = this.settings();
    if (!settings.enabled) return false;
    const byLanguage = settings.languages[document.languageId] ?? settings.languages['*'] ?? true;
    return byLanguage && !this.excluded(document);
  }

  async provide(document: CompletionDocument, line: number, character: number, token: CancellationToken): Promise<CompletionOutcome | undefined> {
    if (!this.appliesTo(document)) return undefined;
    const started = performance.now();
    const settings = this.settings();
    this.stats.requests += 1;
    this.cancelWarm();
    const window = windowAt(document.lines, line, character, settings);
    const before = window.prefix + window.linePrefix;
    const cached = this.cache.get(before, window.suffix) ?? this.cache.lookupTypedThrough(before, window.suffix);
    if (cached !== undefined) {
      this.stats.cacheServed += 1;
      this.log('debug', `completion: cache hit in ${(performance.now() - started).toFixed(1)} ms`);
      return { text: cached, source: 'cache', ms: performance.now() - started };
    }

    // Accepted the shown suggestion before the next one was ready: wait for it rather than ask again.
    const prefetched = this.prefetching;
    if (prefetched !== undefined && prefetched.key === this.cache.key(before, window.suffix)) {
      const text = await untilCancelled(prefetched.done, token);
      if (token.isCancellationRequested) return undefined;
      if (text !== undefined) {
        this.stats.cacheServed += 1;
        return { text, source: 'cache', ms: performance.now() - started };
      }
    }

    // The user went another way than the suggestion being prepared: stop it now, not after the debounce.
    this.cancelPrefetch();
    // No model work while keystrokes arrive faster than the debounce: each one cancels the last.
    if (!(await waitUnlessCancelled(settings.debounceMs, token))) {
      this.stats.debounced += 1;
      return undefined;
    }
    const model = await this.text.ensureModel('completion');
    if (token.isCancellationRequested) return undefined;
    const answer = await this.fromModel(model, document, line, character, window, token, false);
    const ms = performance.now() - started;
    this.log(
      'debug',
      `completion: ${ms.toFixed(0)} ms, prompt ${answer.result.promptTokens} tokens (reused ${answer.result.promptTokens - answer.result.evaluatedPromptTokens}), ` +
        `generated ${answer.result.generatedTokens}, ${answer.result.stopReason}, cache miss${answer.text === undefined ? ', nothing to show' : ''}`,
    );
    if (answer.text === undefined) return undefined;
    if (settings.speculative) this.prefetchAfter(model, document, line, character, answer.text);
    return { text: answer.text, source: 'model', ms, result: answer.result };
  }

  /** Asks the model for the suggestion at the cursor, post-processes it and caches it. */
  private async fromModel(
    model: LoadedModel,
    document: CompletionDocument,
    line: number,
    character: number,
    window: CursorWindow,
    token: CancellationToken,
    background: boolean,
  ): Promise<{ text: string | undefined; result: GenerateResult }> {
    const settings = this.settings();
    const singleLine = window.lineSuffix.trim().length > 0;
    const input = this.promptInput(model, document, line, character, window, settings);
    // Ghost text shows the whole answer, so nothing is streamed.
    const suffixLines = document.lines.slice(line + 1, line + 1 + settings.suffixLines);
    // Post-processing reads only the first non-blank line below the cursor.
    const firstBelow = suffixLines.findIndex((text) => text.trim().length > 0);
    const maxLines = singleLine ? 1 : settings.maxLines;
    const sampling = {
      slot: 'completion' as const,
      maxTokens: settings.maxTokens,
      stop: singleLine ? ['\n'] : [],
      // A file not read in yet answers from a short window while the model process reads it (not for prefetches).
      firstWindow: !background,
      // The model process stops once what post-processing keeps is complete.
      suggestion: { linePrefix: window.linePrefix, lineSuffix: window.lineSuffix, suffixLines: suffixLines.slice(0, firstBelow + 1), maxLines },
      temperature: 0,
      promptBudgetMs: settings.promptBudgetMs,
      generationBudgetMs: settings.generationBudgetMs,
    };
    if (background) this.stats.prefetches += 1;
    else {
      this.stats.modelCalls += 1;
      this.onActivity({ kind: 'computing' });
    }
    let result: GenerateResult;
    try {
      result =
        input.kind === 'infill'
          ? await this.text.infill('completion', input, sampling, { token, sources: this.sourcesOf(document) })
          : await this.text.complete('completion', input.prompt, sampling, { token, sources: this.sourcesOf(document) });
    } finally {
      if (!background) this.onActivity({ kind: 'idle' });
    }
    if (!background) this.lastModelResult = result;
    if (result.firstWindow === true) this.log('debug', `completion: answered from a ${result.promptTokens}-token window while ${document.path} is read in`);
    const text = token.isCancellationRequested
      ? undefined
      : postProcessCompletion({
          completion: result.text,
          linePrefix: window.linePrefix,
          lineSuffix: window.lineSuffix,
          suffixLines,
          maxLines,
        });
    if (text !== undefined && settings.cacheSize > 0) this.cache.set(window.prefix + window.linePrefix, window.suffix, text);
    return { text, result };
  }

  /**
   * Prepares the suggestion that will follow this one if it is accepted, while the user reads it,
   * so Tab shows the next one from the cache. A keystroke that misses the cache cancels it.
   */
  private prefetchAfter(model: LoadedModel, document: CompletionDocument, line: number, character: number, suggestion: string): void {
    this.cancelPrefetch();
    const accepted = applySuggestion(document.lines, line, character, suggestion);
    const next: CompletionDocument = { ...document, lines: accepted.lines };
    const settings = this.settings();
    const window = windowAt(accepted.lines, accepted.line, accepted.character, settings);
    if (this.cache.get(window.prefix + window.linePrefix, window.suffix) !== undefined) return;
    const source = new CancellationTokenSource();
    const done = this.fromModel(model, next, accepted.line, accepted.character, window, source.token, true).then(
      (answer) => {
        this.log('debug', `completion: prepared the next suggestion (${answer.result.generatedTokens} tokens${answer.text === undefined ? ', nothing to show' : ''})`);
        return answer.text;
      },
      (error: unknown) => {
        this.log('debug', `completion: preparing the next suggestion failed: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      },
    );
    const entry = { source, key: this.cache.key(window.prefix + window.linePrefix, window.suffix), done };
    this.prefetching = entry;
    void done.finally(() => {
      if (this.prefetching === entry) this.prefetching = undefined;
      source.dispose();
    });
  }

  private cancelPrefetch(): void {
    this.prefetching?.source.cancel();
    this.prefetching = undefined;
  }

  /**
   * Records text the user is working with in a file (opened, edited) as extra context for
   * completions in other files, and warms the model with it once the user is idle.
   */
  noteContext(document: CompletionDocument, aroundLine: number, current: () => { document: CompletionDocument; line: number; character: number } | undefined): void {
    if (this.excluded(document) || document.lines.length === 0 || this.settings().extraContextChunks === 0) return;
    this.ring.add(document.path, document.lines, aroundLine, Date.now());
    if (this.ring.version === this.warmedVersion) return;
    if (this.warmTimer !== undefined) clearTimeout(this.warmTimer);
    this.warmTimer = setTimeout(() => void this.warm(current(), 'context'), WARM_DELAY_MS);
  }

  /**
   * The user's first cursor move or selection in a document (not an editor merely restored or
   * opened): once they are idle, start the model if needed and read the file's prompt in, so the
   * first pause finds it evaluated. Excluded files are never read.
   */
  touched(document: CompletionDocument, current: () => { document: CompletionDocument; line: number; character: number } | undefined): void {
    const key = document.uri ?? document.path;
    if (this.touchedDocuments.has(key) || !this.appliesTo(document)) return;
    this.touchedDocuments.add(key);
    if (this.warmTimer !== undefined) clearTimeout(this.warmTimer);
    this.warmTimer = setTimeout(() => void this.warm(current(), 'touch'), WARM_DELAY_MS);
  }

  /** The files whose snippets the next prompt may carry, oldest first. */
  extraContextSources(): string[] {
    return [...new Set(this.ring.chunks().map((chunk) => chunk.source))];
  }

  forgetContext(path: string): void {
    this.ring.removeSource(path);
  }

  /** After the policy changed: drops snippets of files that are excluded now. */
  forgetExcluded(): void {
    for (const path of this.extraContextSources()) if (this.isExcluded({ uri: '', path })) this.ring.removeSource(path);
    this.cache.clear();
  }

  clearCache(): void {
    this.cache.clear();
  }

  dispose(): void {
    if (this.warmTimer !== undefined) clearTimeout(this.warmTimer);
    this.cancelWarm();
    this.cancelPrefetch();
  }

  /**
   * Evaluates the prompt the next request will use. After a change of the extra context it never
   * loads a model just for this; after the first touch of a file it does (the user is about to type).
   */
  private async warm(at: { document: CompletionDocument; line: number; character: number } | undefined, why: 'context' | 'touch'): Promise<void> {
    this.warmTimer = undefined;
    if (at === undefined || !this.appliesTo(at.document)) return;
    let model = this.text.loadedModel('completion');
    if (model === undefined && why === 'touch') {
      try {
        model = await this.text.ensureModel('completion');
      } catch (error) {
        this.log('debug', `completion: could not load the model to read ${at.document.path}: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
    }
    if (model === undefined) return;
    const settings = this.settings();
    const version = this.ring.version;
    const window = windowAt(at.document.lines, at.line, at.character, settings);
    this.cancelWarm();
    const source = new CancellationTokenSource();
    this.warming = source;
    this.onActivity({ kind: 'reading', path: at.document.path });
    try {
      const input = this.promptInput(model, at.document, at.line, at.character, window, settings);
      const warmed = await this.text.warm('completion', input, { token: source.token, sources: this.sourcesOf(at.document) });
      if (!warmed.cancelled) {
        this.warmedVersion = version;
        this.stats.warms += 1;
        if (why === 'touch') this.stats.touchWarms += 1;
      }
      const reason = why === 'touch' ? `, first touch of ${at.document.path}` : '';
      // A first touch happens once per file: worth a line at the default log level.
      this.log(
        why === 'touch' ? 'info' : 'debug',
        `completion: warmed ${warmed.evaluatedPromptTokens} of ${warmed.promptTokens} prompt tokens in ${warmed.totalMs.toFixed(0)} ms${reason}${warmed.cancelled ? ' (interrupted by typing)' : ''}`,
      );
    } catch (error) {
      this.log('debug', `completion: warming failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      if (this.warming === source) {
        this.warming = undefined;
        this.onActivity({ kind: 'idle' });
      }
      source.dispose();
    }
  }

  /**
   * The prompt at the cursor, extra context first: for a FIM model its layout, the prefix anchored
   * so that typing forward, Enter included, only appends to the prompt; otherwise plain text.
   */
  private promptInput(model: LoadedModel, document: CompletionDocument, line: number, character: number, window: CursorWindow, settings: CompletionSettings) {
    const head = this.ring.render(settings.extraContextChunks * HEAD_CHARS_PER_CHUNK, document.path);
    if (!model.hasInfill) return { kind: 'complete' as const, prompt: head + window.prefix + window.linePrefix };
    const anchored = anchoredWindow(document.path, document.lines, line, character, settings.prefixLines, this.anchor);
    this.anchor = anchored.anchor;
    const order = settings.fimOrder === 'auto' ? (model.fimOrder ?? 'psm') : settings.fimOrder;
    return { kind: 'infill' as const, head, prefix: anchored.prefix, suffix: window.suffix, middlePrefix: anchored.middlePrefix, order };
  }

  private cancelWarm(): void {
    if (this.warming === undefined) return;
    this.warming.cancel();
    this.warming = undefined;
    this.onActivity({ kind: 'idle' });
  }

  private excluded(document: CompletionDocument): boolean {
    return this.isExcluded({ uri: document.uri ?? '', path: document.path });
  }

  /** What a prompt at the cursor carries: the document and the files of the extra context. */
  private sourcesOf(document: CompletionDocument): ContextSource[] {
    const own: ContextSource = { uri: document.uri ?? '', path: document.path, startLine: 1, endLine: Math.max(1, document.lines.length) };
    const ring = this.extraContextSources()
      .filter((path) => path !== document.path)
      .map((path) => ({ uri: '', path, startLine: 1, endLine: 1 }));
    return [own, ...ring];
  }
}

function windowAt(lines: readonly string[], line: number, character: number, settings: CompletionSettings): CursorWindow {
  return cursorWindow(lines, line, character, { prefixLines: settings.prefixLines, suffixLines: settings.suffixLines });
}

/** What `promise` resolves to, or undefined as soon as the token is cancelled. */
function untilCancelled<T>(promise: Promise<T>, token: CancellationToken): Promise<T | undefined> {
  if (token.isCancellationRequested) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const subscription = token.onCancellationRequested(() => {
      subscription.dispose();
      resolve(undefined);
    });
    void promise.then((value) => {
      subscription.dispose();
      resolve(value);
    });
  });
}

/** Resolves true after `ms`, or false as soon as the token is cancelled. */
function waitUnlessCancelled(ms: number, token: CancellationToken): Promise<boolean> {
  if (token.isCancellationRequested) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const subscription = token.onCancellationRequested(() => {
      clearTimeout(timer);
      subscription.dispose();
      resolve(false);
    });
    const timer = setTimeout(() => {
      subscription.dispose();
      resolve(true);
    }, ms);
  });
}
