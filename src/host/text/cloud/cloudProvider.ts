// The one interface every cloud model provider implements: a streaming, cancellable chat call.
// The router sees only these types; which SDK and wire format sit behind them is the provider's business.

/** One configured cloud endpoint (the shape of a `hearth.privacy` endpoint setting). */
export interface CloudEndpoint {
  readonly id: string;
  readonly provider: 'openai' | 'anthropic';
  /** e.g. https://api.openai.com/v1 (OpenAI-compatible) or https://api.anthropic.com. */
  readonly baseUrl: string;
  readonly model: string;
  readonly trust: 'internal' | 'external';
}

export interface CloudMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface CloudChatRequest {
  readonly messages: readonly CloudMessage[];
  readonly maxTokens: number;
  readonly temperature: number;
}

export interface CloudChatResult {
  /** The whole answer; after a cancellation, the part received before it. */
  readonly text: string;
  readonly stopReason: 'stop' | 'length' | 'cancelled';
  /** As the endpoint reported them; absent when it did not (or the call was cancelled first). */
  readonly inputTokens?: number;
  readonly outputTokens?: number;
}

export interface CloudCallOptions {
  /** Aborting resolves the call with stopReason 'cancelled' and the text so far; it is not an error. */
  readonly signal?: AbortSignal;
  /** Each piece of text as it arrives, in order. */
  readonly onText?: (delta: string) => void;
}

export interface CloudProvider {
  readonly endpoint: CloudEndpoint;
  /** Resolves with the answer, or rejects with a CloudError (cloudErrors.ts). */
  chat(request: CloudChatRequest, options?: CloudCallOptions): Promise<CloudChatResult>;
}

export interface CloudConnectionOptions {
  /** Empty for OpenAI-compatible servers that need no key (a local vLLM, llama-server, Ollama). */
  readonly apiKey: string;
  /** Per request until the answer starts (the SDK's timeout), and the longest silence allowed between stream chunks. */
  readonly timeoutMs: number;
  /** Retries on 408/409/429/5xx and connection failures, with the SDK's backoff and its honouring of retry-after. */
  readonly maxRetries: number;
  /** e.g. http://proxy.corp:3128 (credentials in the URL are sent as Proxy-Authorization). */
  readonly proxyUrl?: string;
  /** Extra PEM CA certificates trusted in addition to Node's built-in roots (a company CA). */
  readonly caCertificates?: readonly string[];
}
