// Entry of the model process: forked by the extension host, it speaks JSON-RPC over the IPC
// channel and never imports `vscode`. It exits when the parent goes away, so it cannot orphan.
import {
  createMessageConnection,
  ErrorCodes,
  IPCMessageReader,
  IPCMessageWriter,
  ResponseError,
  type CancellationToken,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type { z } from 'zod';
import {
  ENGINE_EXIT_UNCAUGHT_EXCEPTION,
  engineMethods,
  engineNotifications,
  type RequestDef,
} from '../common/protocol/engineProtocol';
import { EngineError } from './engineError';
import { ModelEngine } from './modelEngine';
import { estimateModel } from './modelEstimate';
import { systemHardware } from './systemHardware';
import { ENGINE_TEST_HOOKS_ENV, engineTestMethods, scheduleFault } from './testHooks';

if (process.send === undefined) {
  console.error('The Hearth model process must be started by the extension host (it needs an IPC channel).');
  process.exit(2);
}

const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));

// What a stray error does here, decided rather than left to Node's defaults (which exit on both):
// - An unhandled rejection is a promise some code path forgot to await. Every request's own
//   errors already become its JSON-RPC error (see `handle`), so a stray rejection is a bug scoped
//   to one request: it is logged with its stack and the process stays up, keeping the loaded
//   model and the supervisor's restart budget.
// - An uncaught exception unwound a stack nobody expected to unwind: the model, its context or
//   the connection may be half-updated. It is logged, then the process exits with
//   ENGINE_EXIT_UNCAUGHT_EXCEPTION; the host fails what was in flight and the supervisor restarts
//   the process with backoff.
process.on('unhandledRejection', (reason) => {
  connection
    .sendNotification(engineNotifications.log.method, {
      level: 'error',
      message: `Unhandled promise rejection in the model process (it keeps running): ${describeError(reason)}`,
    })
    // A failed send must not become another unhandled rejection, and another, and another.
    .catch(() => undefined);
});
let exiting = false;
process.on('uncaughtException', (error) => {
  // A second one while the first is being logged: the exit is already on its way.
  if (exiting) return;
  exiting = true;
  const message = `Uncaught exception in the model process; it exits (code ${ENGINE_EXIT_UNCAUGHT_EXCEPTION}) to be restarted: ${describeError(error)}`;
  void sendLastLog(message).finally(() => process.exit(ENGINE_EXIT_UNCAUGHT_EXCEPTION));
});
const engine = new ModelEngine((level, message) => {
  void connection.sendNotification(engineNotifications.log.method, { level, message });
});

function handle<P extends z.ZodTypeAny, R extends z.ZodTypeAny>(
  connection: MessageConnection,
  def: RequestDef<P, R>,
  handler: (params: z.output<P>, cancel: AbortSignal) => Promise<z.input<R>>,
): void {
  connection.onRequest(def.method, async (raw: unknown, token: CancellationToken) => {
    const parsed = def.params.safeParse(raw ?? {});
    if (!parsed.success) {
      return new ResponseError(ErrorCodes.InvalidParams, `Invalid params for ${def.method}: ${parsed.error.message}`);
    }
    const abort = new AbortController();
    // A request cancelled before it was dispatched gets vscode-jsonrpc's frozen Cancelled token,
    // whose event never fires: without this check it would run to its end.
    if (token.isCancellationRequested) abort.abort(new Error('cancelled'));
    const subscription = token.onCancellationRequested(() => abort.abort(new Error('cancelled')));
    try {
      return await handler(parsed.data, abort.signal);
    } catch (error) {
      if (error instanceof EngineError) return error.toResponseError();
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      void connection.sendNotification(engineNotifications.log.method, { level: 'error', message: `${def.method} failed: ${message}` });
      return new ResponseError(ErrorCodes.InternalError, `${def.method} failed: ${error instanceof Error ? error.message : String(error)}`, { kind: 'internal' });
    } finally {
      subscription.dispose();
    }
  });
}

const streamTo = (params: { streamId: string; stream: boolean }) => (text: string) => {
  if (params.stream) void connection.sendNotification(engineNotifications.token.method, { streamId: params.streamId, text });
};

handle(connection, engineMethods.modelLoad, (params) => engine.load(params));
handle(connection, engineMethods.modelUnload, async () => ({ unloaded: await engine.unload() }));
handle(connection, engineMethods.modelStatus, async () => engine.status());
handle(connection, engineMethods.generateComplete, (params, cancel) => engine.complete(params, streamTo(params), cancel));
handle(connection, engineMethods.generateInfill, (params, cancel) => engine.infill(params, streamTo(params), cancel));
handle(connection, engineMethods.generateChat, (params, cancel) => engine.chat(params, streamTo(params), cancel));
handle(connection, engineMethods.modelCountTokens, (params) => engine.countTokens(params));
handle(connection, engineMethods.generateWarm, (params, cancel) => engine.warm(params, cancel));
// Header reads and machine facts: they share the engine's llama instance but never its model.
handle(connection, engineMethods.systemHardware, async () => systemHardware(await engine.getLlama()));
handle(connection, engineMethods.modelEstimate, async (params) => estimateModel(await engine.getLlama(), params));
// Only engine tests set this: it lets them raise the stray errors handled above.
if (process.env[ENGINE_TEST_HOOKS_ENV] === '1') {
  handle(connection, engineTestMethods.fault, async ({ kind }) => {
    scheduleFault(kind);
    return { scheduled: true as const };
  });
}

// The IPC channel closes when the extension host exits or kills us: leave with it.
process.on('disconnect', () => process.exit(0));
connection.onClose(() => process.exit(0));
connection.listen();

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * Logs a line the host must see before this process exits. The connection's IPC writer resolves
 * before the message has left, so this goes through process.send, whose callback says it has (the
 * channel keeps order, so earlier notifications are out too); a dead channel costs at most a second.
 */
function sendLastLog(message: string): Promise<void> {
  const notification = { jsonrpc: '2.0', method: engineNotifications.log.method, params: { level: 'error', message } };
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1_000);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    try {
      if (process.connected && process.send !== undefined) process.send(notification, undefined, undefined, done);
      else {
        console.error(message);
        done();
      }
    } catch {
      console.error(message);
      done();
    }
  });
}
