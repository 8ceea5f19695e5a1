// One running model process and the JSON-RPC connection to it. It forks `dist/engine.mjs`,
// validates every answer with the protocol's schemas, routes streamed tokens to their request,
// and fails every in-flight request at once when the process dies.
import { fork, type ChildProcess } from 'node:child_process';
import {
  CancellationTokenSource,
  createMessageConnection,
  Emitter,
  IPCMessageReader,
  IPCMessageWriter,
  ResponseError,
  type CancellationToken,
  type Event,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type { z } from 'zod';
import {
  ENGINE_ERROR_CODE,
  ENGINE_EXIT_UNCAUGHT_EXCEPTION,
  engineErrorData,
  engineNotifications,
  type LogLevel,
  type RequestDef,
} from '../../common/protocol/engineProtocol';
import { EngineRequestError } from './engineErrors';

export interface EngineExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RequestOptions {
  /** Cancels the request inside the model process too, not just here. */
  readonly token?: CancellationToken;
  /** Receives streamed text for requests that carry a `streamId`. */
  readonly onText?: (text: string) => void;
}

/** What the supervisor needs of a model process; unit tests supply a fake. */
export interface EngineProcess {
  readonly pid: number | undefined;
  readonly onExit: Event<EngineExit>;
  readonly onLog: Event<{ level: LogLevel; message: string }>;
  request<P extends z.ZodTypeAny, R extends z.ZodTypeAny>(def: RequestDef<P, R>, params: z.input<P>, options?: RequestOptions): Promise<z.output<R>>;
  dispose(): void;
}

let nextStreamId = 1;

export class EngineConnection implements EngineProcess {
  private readonly exitEmitter = new Emitter<EngineExit>();
  private readonly logEmitter = new Emitter<{ level: LogLevel; message: string }>();
  private readonly streams = new Map<string, (text: string) => void>();
  private readonly inFlight = new Set<(error: Error) => void>();
  private readonly connection: MessageConnection;
  private exited: EngineExit | undefined;
  readonly onExit = this.exitEmitter.event;
  readonly onLog = this.logEmitter.event;

  static start(enginePath: string): EngineConnection {
    const child = fork(enginePath, [], {
      // Inside VS Code the host binary is Electron; this makes it behave as plain Node.
      // One libuv pool thread drives llama.cpp, as llama.cpp's own server has one loop thread: with
      // Node's default four, successive decode steps hop between pool threads and llama.cpp's extra
      // compute threads mostly wait at barriers. Measured on the 0.5B shape, 2 cores: 2-thread
      // decoding went from 25–31 to 40–50 tok/s (see the README's speed section).
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', UV_THREADPOOL_SIZE: '1' },
      // Do not inherit the extension host's inspector or loader flags.
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    return new EngineConnection(child);
  }

  private constructor(private readonly child: ChildProcess) {
    this.connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    this.connection.onNotification(engineNotifications.token.method, (raw: unknown) => {
      const parsed = engineNotifications.token.params.safeParse(raw);
      if (parsed.success) this.streams.get(parsed.data.streamId)?.(parsed.data.text);
      else this.logEmitter.fire({ level: 'warn', message: `Dropped a malformed token notification from the model process: ${parsed.error.message}` });
    });
    this.connection.onNotification(engineNotifications.log.method, (raw: unknown) => {
      const parsed = engineNotifications.log.params.safeParse(raw);
      if (parsed.success) this.logEmitter.fire(parsed.data);
    });
    // Native llama.cpp output arrives on stdout/stderr rather than through the protocol.
    child.stdout?.on('data', (chunk: Buffer) => this.logEmitter.fire({ level: 'debug', message: chunk.toString().trimEnd() }));
    child.stderr?.on('data', (chunk: Buffer) => this.logEmitter.fire({ level: 'warn', message: chunk.toString().trimEnd() }));
    child.on('error', (error) => this.logEmitter.fire({ level: 'error', message: `Model process error: ${error.message}` }));
    child.on('exit', (code, signal) => this.handleExit({ code, signal }));
    this.connection.listen();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async request<P extends z.ZodTypeAny, R extends z.ZodTypeAny>(
    def: RequestDef<P, R>,
    params: z.input<P>,
    options: RequestOptions = {},
  ): Promise<z.output<R>> {
    if (this.exited !== undefined) throw crashError(this.exited);
    const streamId = typeof params === 'object' && params !== null && 'streamId' in params ? String(params.streamId) : undefined;
    if (streamId !== undefined && options.onText !== undefined) this.streams.set(streamId, options.onText);
    let rejectOnExit: (error: Error) => void = () => undefined;
    const exited = new Promise<never>((_, reject) => {
      rejectOnExit = reject;
    });
    this.inFlight.add(rejectOnExit);
    try {
      const raw: unknown = await Promise.race([this.connection.sendRequest(def.method, params, options.token ?? new CancellationTokenSource().token), exited]);
      const parsed = def.result.safeParse(raw);
      if (!parsed.success) throw new EngineRequestError('protocol', `The model process sent a malformed ${def.method} result: ${parsed.error.message}`);
      return parsed.data as z.output<R>;
    } catch (error) {
      throw toEngineError(error);
    } finally {
      this.inFlight.delete(rejectOnExit);
      if (streamId !== undefined) this.streams.delete(streamId);
    }
  }

  dispose(): void {
    if (this.exited === undefined) this.child.kill('SIGKILL');
    this.connection.dispose();
    this.streams.clear();
    this.exitEmitter.dispose();
    this.logEmitter.dispose();
  }

  private handleExit(exit: EngineExit): void {
    this.exited = exit;
    const error = crashError(exit);
    for (const reject of this.inFlight) reject(error);
    this.inFlight.clear();
    this.exitEmitter.fire(exit);
  }
}

/** A fresh id for a streaming request's notifications. */
export function newStreamId(): string {
  nextStreamId += 1;
  return `s${process.pid}-${nextStreamId}`;
}

function crashError(exit: EngineExit): EngineRequestError {
  const how =
    exit.signal !== null
      ? `was killed (${exit.signal})`
      : exit.code === ENGINE_EXIT_UNCAUGHT_EXCEPTION
        ? `stopped itself after an internal error (code ${exit.code}; details in the Hearth log)`
        : `exited with code ${exit.code ?? 'unknown'}`;
  return new EngineRequestError('crashed', `The Hearth model process ${how} while working on this request. It restarts on its own; try again.`);
}

function toEngineError(error: unknown): Error {
  if (error instanceof EngineRequestError) return error;
  if (error instanceof ResponseError) {
    if (error.code === ENGINE_ERROR_CODE) {
      const data = engineErrorData.safeParse(error.data);
      if (data.success) return new EngineRequestError(data.data.kind, error.message, data.data.path);
    }
    return new EngineRequestError('internal', error.message);
  }
  return error instanceof Error ? error : new Error(String(error));
}
