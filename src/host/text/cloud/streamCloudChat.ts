// The part of a cloud call both providers share: open the SDK's stream, read its chunks, deliver the
// text, stop on the caller's signal or on silence, and turn whatever went wrong into a CloudError.
// The SDK's own timeout covers the wait for the answer to start (with its retries); the idle timer
// here covers the stream after that, where the SDK would wait forever on a hung connection.
import { CloudError, cloudMalformedError, cloudTimeoutError, toCloudError, type CloudErrorContext } from './cloudErrors';
import type { CloudCallOptions, CloudChatResult } from './cloudProvider';
import { ABORTED, unlessAborted } from '../../../common/unlessAborted';

/** What one chunk of a provider's stream says. */
export interface ChunkReading {
  readonly text?: string;
  /** Present on the chunk that ends the answer; a stream that ends without one was cut short. */
  readonly stopReason?: 'stop' | 'length';
  readonly inputTokens?: number;
  readonly outputTokens?: number;
}

export interface CloudStreamCall<Chunk> {
  readonly context: CloudErrorContext;
  /** Sends the request through the SDK with this signal; resolves when the answer's headers arrived. */
  open(signal: AbortSignal): Promise<AsyncIterable<Chunk>>;
  /** Reads one chunk; returns a string saying what is wrong when it is not the wire format. */
  read(chunk: Chunk): ChunkReading | string;
}

/** The caller's onText threw: that is the caller's error, passed on as it is. */
class CallbackFailure {
  constructor(readonly error: unknown) {}
}

export async function streamCloudChat<Chunk>(call: CloudStreamCall<Chunk>, options: CloudCallOptions = {}): Promise<CloudChatResult> {
  const { context } = call;
  const callerSignal = options.signal;
  let text = '';
  let stopReason: 'stop' | 'length' | undefined;
  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  const usage = () => ({ ...(inputTokens === undefined ? {} : { inputTokens }), ...(outputTokens === undefined ? {} : { outputTokens }) });
  const cancelled = (): CloudChatResult => ({ text, stopReason: 'cancelled', ...usage() });
  if (callerSignal?.aborted) return cancelled();

  // One signal for the SDK: the caller's abort and the idle timer both end the request through it.
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort();
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let wentIdle = false;
  const armIdleTimer = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      wentIdle = true;
      controller.abort();
    }, context.timeoutMs);
  };

  try {
    const chunks = await unlessAborted(call.open(controller.signal), controller.signal);
    if (chunks === ABORTED) return cancelled();
    armIdleTimer();
    // The SDKs end the iteration quietly when the signal aborts; the flags say why it ended.
    for await (const chunk of chunks) {
      if (controller.signal.aborted) break;
      armIdleTimer();
      const reading = call.read(chunk);
      if (typeof reading === 'string') throw cloudMalformedError(context, reading);
      if (reading.inputTokens !== undefined) inputTokens = reading.inputTokens;
      if (reading.outputTokens !== undefined) outputTokens = reading.outputTokens;
      if (reading.stopReason !== undefined) stopReason = reading.stopReason;
      if (reading.text !== undefined && reading.text !== '') {
        text += reading.text;
        try {
          options.onText?.(reading.text);
        } catch (error) {
          throw new CallbackFailure(error);
        }
      }
    }
    if (wentIdle) throw cloudTimeoutError(context, 'idle');
    if (stopReason === undefined) {
      if (callerSignal?.aborted) return cancelled();
      throw cloudMalformedError(context, 'the answer ended before it was complete');
    }
    return { text, stopReason, ...usage() };
  } catch (error) {
    if (error instanceof CallbackFailure) throw error.error;
    if (error instanceof CloudError) throw error;
    if (wentIdle) throw cloudTimeoutError(context, 'idle');
    if (callerSignal?.aborted) return cancelled();
    throw toCloudError(error, context);
  } finally {
    clearTimeout(idleTimer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
    // Ends whatever the SDK still has open: a stream left early, or retries still waiting to run.
    controller.abort();
  }
}
