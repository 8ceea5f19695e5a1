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
  engineMethods,
  engineNotifications,
  type RequestDef,
} from '../common/protocol/engineProtocol';
import { EngineError } from './engineError';
import { ModelEngine } from './modelEngine';

if (process.send === undefined) {
  console.error('The Hearth model process must be started by the extension host (it needs an IPC channel).');
  process.exit(2);
}

const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
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

// The IPC channel closes when the extension host exits or kills us: leave with it.
process.on('disconnect', () => process.exit(0));
connection.onClose(() => process.exit(0));
connection.listen();
