// The one error a cloud call rejects with: a kind the UI can act on and a message that names the
// endpoint's host and says what to do. The SDKs' own errors never leave this folder, and neither
// does the API key: every message is worded here from the status, and the only text a server
// wrote (its reason) is scrubbed of the key in case it echoed it.
import {
  APIConnectionError as AnthropicConnectionError,
  APIConnectionTimeoutError as AnthropicTimeoutError,
  APIError as AnthropicApiError,
} from '@anthropic-ai/sdk';
import { APIConnectionError as OpenAiConnectionError, APIConnectionTimeoutError as OpenAiTimeoutError, APIError as OpenAiApiError } from 'openai';
import type { CloudEndpoint } from './cloudProvider';

/**
 * auth 401 · forbidden 402/403 · notFound 404 or an unusable base URL · badRequest any other 4xx
 * (the server's reason is in the message) · rateLimited 429 · server 5xx or an error event
 * mid-answer · timeout no answer, or silence mid-answer, for timeoutMs · malformed a response
 * that does not parse · network no connection (DNS, refused, TLS, proxy, dropped mid-answer).
 */
export type CloudErrorKind = 'auth' | 'forbidden' | 'notFound' | 'badRequest' | 'rateLimited' | 'server' | 'timeout' | 'malformed' | 'network';

export class CloudError extends Error {
  constructor(
    readonly kind: CloudErrorKind,
    message: string,
    /** host[:port] of the endpoint's base URL, e.g. api.openai.com. */
    readonly endpointHost: string,
    /** The HTTP status, when the endpoint answered with one. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CloudError';
  }
}

/** What wording a message needs. The key is here only so it can be scrubbed out. */
export interface CloudErrorContext {
  readonly endpoint: CloudEndpoint;
  /** The URL path the request went to, e.g. /v1/chat/completions. */
  readonly requestPath: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly apiKey: string;
}

const SET_KEY_COMMAND = '"Hearth: Set Cloud API Key…"';
/** A server's reason is shown, but only this much of it. */
const MAX_REASON_CHARS = 300;
const TLS_CODES = /CERT_|_CERT\b|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|DEPTH_ZERO|ERR_SSL|HOSTNAME_MISMATCH|ALTNAME/;

/** host[:port] of the endpoint, or its id when the base URL does not parse. */
export function endpointHostOf(endpoint: CloudEndpoint): string {
  try {
    return new URL(endpoint.baseUrl).host || endpoint.id;
  } catch {
    return endpoint.id;
  }
}

function cloudError(context: CloudErrorContext, kind: CloudErrorKind, message: string, status?: number): CloudError {
  return new CloudError(kind, message, endpointHostOf(context.endpoint), status);
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** The endpoint sent no answer (phase 'start') or fell silent mid-answer ('idle') for timeoutMs. */
export function cloudTimeoutError(context: CloudErrorContext, phase: 'start' | 'idle'): CloudError {
  const host = endpointHostOf(context.endpoint);
  const detail =
    phase === 'idle' ? ': the answer stopped mid-stream' : context.maxRetries > 0 ? ` (tried ${context.maxRetries + 1} times)` : '';
  return cloudError(context, 'timeout', `${host} did not answer within ${seconds(context.timeoutMs)}${detail}. Try again later.`);
}

/** The endpoint answered, but with something that is not the wire format. */
export function cloudMalformedError(context: CloudErrorContext, detail: string): CloudError {
  return cloudError(context, 'malformed', `${endpointHostOf(context.endpoint)} sent a response Hearth could not read (${detail}).`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The server's own reason from an error body, as a sentence to append (or ''): OpenAI
 * `{error:{message}}` (the SDK keeps the inner object) or Anthropic `{type:'error', error:{message}}`
 * (the SDK keeps the whole body). */
function serverSaid(body: unknown, apiKey: string): string {
  if (!isRecord(body)) return '';
  const message = typeof body.message === 'string' ? body.message : isRecord(body.error) ? body.error.message : undefined;
  if (typeof message !== 'string' || message.trim() === '') return '';
  const scrubbed = apiKey === '' ? message : message.split(apiKey).join('[API key]');
  const oneLine = scrubbed.replace(/\s+/g, ' ').trim();
  const short = oneLine.length > MAX_REASON_CHARS ? `${oneLine.slice(0, MAX_REASON_CHARS)}…` : oneLine;
  return ` It said: ${short}${/[.!?…]$/.test(short) ? '' : '.'}`;
}

/** The error type a body names (Anthropic `overloaded_error`, OpenAI `server_error`…). */
function serverErrorType(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  if (isRecord(body.error) && typeof body.error.type === 'string') return body.error.type;
  return typeof body.type === 'string' && body.type !== 'error' ? body.type : undefined;
}

/** What went wrong with a connection, from its cause chain: the first `code` (ECONNREFUSED,
 * UND_ERR_SOCKET, a TLS code…) and the root cause's message, with any credentials in a URL (a
 * proxy's) and the key taken out. */
function connectionDetail(error: unknown, apiKey: string): { readonly code?: string; readonly text: string } {
  let code: string | undefined;
  let message: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 8 && isRecord(current); depth += 1) {
    if (code === undefined && typeof current.code === 'string') code = current.code;
    if (typeof current.message === 'string' && current.message.trim() !== '') message = current.message;
    current = current.cause;
  }
  const text = message === undefined ? (code ?? 'unknown error') : code === undefined || message.includes(code) ? message : `${code}: ${message}`;
  const clean = (apiKey === '' ? text : text.split(apiKey).join('[API key]')).replace(/\/\/[^/@\s]*@/g, '//').replace(/\s+/g, ' ').trim();
  return { code, text: clean.length > MAX_REASON_CHARS ? `${clean.slice(0, MAX_REASON_CHARS)}…` : clean };
}

function retryAfter(headers: Headers | undefined): string {
  const value = headers?.get('retry-after');
  const secondsToWait = value === null || value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(secondsToWait) && secondsToWait > 0 ? `in ${Math.ceil(secondsToWait)} s` : 'in a minute';
}

function fromStatus(context: CloudErrorContext, status: number, body: unknown, headers: Headers | undefined): CloudError {
  const { endpoint } = context;
  const host = endpointHostOf(endpoint);
  const said = serverSaid(body, context.apiKey);
  const retried = context.maxRetries > 0 ? `, still after ${context.maxRetries} ${context.maxRetries === 1 ? 'retry' : 'retries'}` : '';
  if (status === 401) {
    // The reason is left out on purpose: OpenAI's names part of the rejected key.
    const message =
      context.apiKey === ''
        ? `${host} asks for an API key (401) and none is set. Set one with ${SET_KEY_COMMAND}.`
        : `${host} rejected the API key (401). Set a new key with ${SET_KEY_COMMAND}.`;
    return cloudError(context, 'auth', message, status);
  }
  if (status === 402) {
    return cloudError(context, 'forbidden', `${host} refused the request for billing reasons (402). Check the account's credit or plan.${said}`, status);
  }
  if (status === 403) {
    return cloudError(
      context,
      'forbidden',
      `${host} refused access to the model "${endpoint.model}" (403): the API key lacks access to it. Use a key that has access, or choose another model.`,
      status,
    );
  }
  if (status === 404) {
    return cloudError(
      context,
      'notFound',
      `${host} found no model "${endpoint.model}" at ${context.requestPath} (404). Check the model name and the path of the base URL (${endpoint.provider === 'openai' ? 'OpenAI-compatible servers usually end it in /v1' : 'Anthropic\'s is https://api.anthropic.com'}).`,
      status,
    );
  }
  if (status === 408) return cloudTimeoutError(context, 'start');
  if (status === 429) {
    return cloudError(context, 'rateLimited', `${host} is rate limiting requests (429${retried}). Try again ${retryAfter(headers)}.`, status);
  }
  if (status >= 500 || status === 409) {
    return cloudError(context, 'server', `${host} had a server error (${status}${retried}). Try again later.${said}`, status);
  }
  return cloudError(context, 'badRequest', `${host} refused the request (${status}).${said || ' It gave no reason.'}`, status);
}

/** An error event inside a 200 stream (Anthropic `event: error`, OpenAI `data: {"error":…}`). */
function fromStreamEvent(context: CloudErrorContext, body: unknown): CloudError {
  const host = endpointHostOf(context.endpoint);
  const said = serverSaid(body, context.apiKey);
  if (serverErrorType(body) === 'rate_limit_error') {
    return cloudError(context, 'rateLimited', `${host} stopped the answer for rate limiting. Try again in a minute.${said}`);
  }
  return cloudError(context, 'server', `${host} reported an error in the middle of the answer. Try again later.${said}`);
}

/** Maps what an SDK call or its stream threw to a CloudError. Cancellation is not an error and is
 * handled before this is called. */
export function toCloudError(error: unknown, context: CloudErrorContext): CloudError {
  if (error instanceof CloudError) return error;
  const host = endpointHostOf(context.endpoint);
  if (error instanceof OpenAiTimeoutError || error instanceof AnthropicTimeoutError) return cloudTimeoutError(context, 'start');
  if (error instanceof OpenAiConnectionError || error instanceof AnthropicConnectionError || !(error instanceof OpenAiApiError || error instanceof AnthropicApiError)) {
    if (error instanceof SyntaxError) return cloudMalformedError(context, 'invalid JSON in the event stream');
    // Connection failures: before the answer (wrapped by the SDK) or dropped mid-stream (raw).
    const detail = connectionDetail(error, context.apiKey);
    if (detail.code !== undefined && TLS_CODES.test(detail.code)) {
      return cloudError(
        context,
        'network',
        `Hearth could not verify the certificate of ${host} (${detail.text}). If a company proxy or CA signs its certificate, add that CA certificate to Hearth's cloud settings.`,
      );
    }
    return cloudError(context, 'network', `Hearth could not reach ${host}, or lost the connection (${detail.text}). Check the base URL, the network and the proxy.`);
  }
  if (typeof error.status === 'number') return fromStatus(context, error.status, error.error, error.headers ?? undefined);
  return fromStreamEvent(context, error.error);
}
