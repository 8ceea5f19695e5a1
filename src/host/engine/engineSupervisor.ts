// Keeps one model process alive for as long as it is useful: started on first use, restarted
// with backoff after a crash (at most 4 times in 3 minutes), stopped after an idle period and on
// dispose. It has no `vscode` import, so its policy is unit-tested with a fake process.
import { Emitter, type Event } from 'vscode-jsonrpc/node';
import type { z } from 'zod';
import { engineMethods, type LogLevel, type ModelInfo, type ModelLoadParams, type RequestDef } from '../../common/protocol/engineProtocol';
import type { EngineExit, EngineProcess, RequestOptions } from './engineConnection';
import { EngineRequestError } from './engineErrors';
import { RestartPolicy } from './restartPolicy';

export type EngineState =
  | { readonly kind: 'notLoaded' }
  | { readonly kind: 'loading'; readonly modelPath: string; readonly chatModelPath?: string }
  | { readonly kind: 'restarting'; readonly delayMs: number }
  | { readonly kind: 'ready'; readonly model: ModelInfo }
  | { readonly kind: 'generating'; readonly model: ModelInfo }
  | { readonly kind: 'error'; readonly error: Error };

export interface SupervisorOptions {
  /** Forks a new model process. */
  readonly spawn: () => EngineProcess;
  /** Says which model to load, from the settings at the time of the start. */
  readonly loadParams: () => Promise<ModelLoadParams>;
  /** Minutes without requests before the process is stopped; 0 keeps it. Read at each request. */
  readonly idleUnloadMinutes: () => number;
  readonly log: (level: LogLevel, message: string) => void;
  readonly restartPolicy?: RestartPolicy;
  readonly now?: () => number;
}

interface Running {
  readonly process: EngineProcess;
  readonly ready: Promise<ModelInfo>;
  /** The supervisor's listeners on this process, dropped with it. */
  readonly subscriptions: ReadonlyArray<{ dispose(): void }>;
}

export class EngineSupervisor {
  private readonly stateEmitter = new Emitter<EngineState>();
  private readonly crashGiveUpEmitter = new Emitter<Error>();
  private readonly policy: RestartPolicy;
  private readonly now: () => number;
  private running: Running | undefined;
  private pendingRestart: { timer: NodeJS.Timeout; started: Promise<void>; release: () => void } | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private gaveUp: Error | undefined;
  private inFlight = 0;
  private current: EngineState = { kind: 'notLoaded' };
  private disposed = false;

  /** Fires on every state change, for the status bar. */
  readonly onDidChangeState: Event<EngineState> = this.stateEmitter.event;
  /** Fires when crashes used up the restart budget; the UI offers "Restart". */
  readonly onDidGiveUp: Event<Error> = this.crashGiveUpEmitter.event;

  constructor(private readonly options: SupervisorOptions) {
    this.policy = options.restartPolicy ?? new RestartPolicy();
    this.now = options.now ?? Date.now;
  }

  get state(): EngineState {
    return this.current;
  }

  /** The loaded model, without starting anything. */
  get loadedModel(): ModelInfo | undefined {
    return this.readyModel();
  }

  get pid(): number | undefined {
    return this.running?.process.pid;
  }

  /** Sends a request, starting the process and loading the model first if needed. */
  async request<P extends z.ZodTypeAny, R extends z.ZodTypeAny>(def: RequestDef<P, R>, params: z.input<P>, options: RequestOptions = {}): Promise<z.output<R>> {
    this.clearIdleTimer();
    this.inFlight += 1;
    try {
      const running = await this.ensureRunning();
      const model = await running.ready;
      this.setState({ kind: 'generating', model });
      return await running.process.request(def, params, options);
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) {
        const model = this.readyModel();
        if (model !== undefined) this.setState({ kind: 'ready', model });
        this.armIdleTimer();
      }
    }
  }

  /**
   * Sends a request that needs the model process but not its model (hardware, GGUF header
   * estimates): to the running process at once, without waiting for its model to load. When none
   * runs, it starts one only if `start` says so, and then like any start it loads the configured
   * model first; otherwise it fails with 'unavailable' and the caller uses what it knows without one.
   */
  async requestWithoutModel<P extends z.ZodTypeAny, R extends z.ZodTypeAny>(
    def: RequestDef<P, R>,
    params: z.input<P>,
    options: RequestOptions & { readonly start: boolean },
  ): Promise<z.output<R>> {
    const running = this.running;
    if (running === undefined) {
      if (!options.start) throw new EngineRequestError('unavailable', 'The model process is not running.');
      return this.request(def, params, options);
    }
    this.clearIdleTimer();
    this.inFlight += 1;
    try {
      return await running.process.request(def, params, options);
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) this.armIdleTimer();
    }
  }

  /** Starts the process and loads the model now (used when the user asks, e.g. "Restart"). */
  async start(): Promise<ModelInfo> {
    const running = await this.ensureRunning();
    try {
      return await running.ready;
    } finally {
      this.armIdleTimer();
    }
  }

  /** The user's restart: a fresh crash budget and a fresh process. */
  async restart(): Promise<ModelInfo> {
    this.policy.reset();
    this.gaveUp = undefined;
    this.stop('restart requested');
    return this.start();
  }

  /** Stops the process (settings changed, idle, or dispose); the next request starts it again. */
  stop(reason: string): void {
    this.clearIdleTimer();
    const cancelledRestart = this.pendingRestart !== undefined;
    if (this.pendingRestart !== undefined) {
      clearTimeout(this.pendingRestart.timer);
      this.pendingRestart.release();
      this.pendingRestart = undefined;
    }
    const running = this.running;
    if (running === undefined) {
      // Nothing runs and nothing will restart: say so rather than staying 'restarting'.
      if (cancelledRestart && !this.disposed) this.setState({ kind: 'notLoaded' });
      return;
    }
    this.running = undefined;
    this.options.log('info', `Stopping the model process (${reason}).`);
    releaseProcess(running);
    if (!this.disposed) this.setState({ kind: 'notLoaded' });
  }

  dispose(): void {
    this.stop('shutting down');
    this.disposed = true;
    this.stateEmitter.dispose();
    this.crashGiveUpEmitter.dispose();
  }

  private async ensureRunning(): Promise<Running> {
    if (this.disposed) throw new EngineRequestError('unavailable', 'Hearth is shutting down.');
    if (this.pendingRestart !== undefined) {
      await this.pendingRestart.started;
      // dispose() releases the wait; it must not be followed by a new process.
      if (this.disposed) throw new EngineRequestError('unavailable', 'Hearth is shutting down.');
    }
    if (this.gaveUp !== undefined) throw this.gaveUp;
    this.running ??= this.spawn();
    return this.running;
  }

  private spawn(): Running {
    const process = this.options.spawn();
    this.options.log('info', `Started the model process (pid ${process.pid ?? 'unknown'}).`);
    const subscriptions = [process.onLog(({ level, message }) => this.options.log(level, message)), process.onExit((exit) => this.handleExit(process, exit))];
    const ready = this.load(process);
    // A failed load is reported to whoever awaits `ready`; this keeps it from counting as unhandled.
    ready.catch(() => undefined);
    return { process, ready, subscriptions };
  }

  private async load(process: EngineProcess): Promise<ModelInfo> {
    let params: ModelLoadParams | undefined;
    try {
      params = await this.options.loadParams();
      if (this.running?.process !== process) throw new EngineRequestError('unavailable', 'The model process was stopped before its model loaded.');
      this.setState({ kind: 'loading', modelPath: params.path, ...(params.chatPath === undefined ? {} : { chatModelPath: params.chatPath }) });
      const model = await process.request(engineMethods.modelLoad, params);
      if (this.running?.process === process) {
        this.setState({ kind: 'ready', model });
        // A process started by an automatic restart has no request to arm the idle clock.
        if (this.inFlight === 0) this.armIdleTimer();
      }
      return model;
    } catch (error) {
      // A bad model or setting is not a crash: drop this process so the next request retries
      // with whatever the user fixes.
      const running = this.running;
      if (running?.process === process) {
        this.running = undefined;
        releaseProcess(running);
        this.setState({ kind: 'error', error: asError(error) });
      }
      throw error;
    }
  }

  private handleExit(process: EngineProcess, exit: EngineExit): void {
    const running = this.running;
    if (running?.process !== process) return; // stopped on purpose, or already replaced
    this.running = undefined;
    releaseProcess(running);
    const how = exit.signal !== null ? `killed by ${exit.signal}` : `exited with code ${exit.code ?? 'unknown'}`;
    const decision = this.policy.recordCrash(this.now());
    if (!decision.restart) {
      this.gaveUp = new EngineRequestError(
        'unavailable',
        `The Hearth model process crashed ${decision.crashes} times in a short while (last: ${how}) and will not be restarted automatically. Use "Hearth: Restart Engine" after checking the log.`,
      );
      this.options.log('error', this.gaveUp.message);
      this.setState({ kind: 'error', error: this.gaveUp });
      this.crashGiveUpEmitter.fire(this.gaveUp);
      return;
    }
    this.options.log('warn', `The model process ${how}; restarting in ${decision.delayMs} ms.`);
    this.setState({ kind: 'restarting', delayMs: decision.delayMs });
    let release: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      release = resolve;
    });
    const timer = setTimeout(() => {
      this.pendingRestart = undefined;
      if (!this.disposed && this.running === undefined) this.running = this.spawn();
      release();
    }, decision.delayMs);
    this.pendingRestart = { timer, started, release };
  }

  private readyModel(): ModelInfo | undefined {
    const state = this.current;
    return state.kind === 'ready' || state.kind === 'generating' ? state.model : undefined;
  }

  private armIdleTimer(): void {
    this.clearIdleTimer();
    const minutes = this.options.idleUnloadMinutes();
    if (minutes <= 0 || this.running === undefined) return;
    this.idleTimer = setTimeout(() => {
      if (this.inFlight === 0) this.stop(`idle for ${minutes} min`);
    }, minutes * 60_000);
    this.idleTimer.unref?.();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private setState(state: EngineState): void {
    this.current = state;
    this.stateEmitter.fire(state);
  }
}

/** Drops the supervisor's listeners on a process, then the process itself. */
function releaseProcess(running: Running): void {
  for (const subscription of running.subscriptions) subscription.dispose();
  running.process.dispose();
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
