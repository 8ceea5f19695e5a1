// Any OpenAI-compatible chat endpoint (OpenAI, Azure OpenAI's /openai/v1, OpenRouter, vLLM,
// llama-server, Ollama) through the official SDK's streaming Chat Completions.
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { z } from 'zod';
import type { CloudErrorContext } from './cloudErrors';
import type { CloudFetch } from './cloudFetch';
import type { CloudCallOptions, CloudChatRequest, CloudChatResult, CloudConnectionOptions, CloudEndpoint, CloudProvider } from './cloudProvider';
import { sdkClientOptions } from './sdkClientOptions';
import { streamCloudChat, type ChunkReading } from './streamCloudChat';

// Cloud responses are a trust boundary: only the fields read here are checked, others pass.
const chunkSchema = z.object({
  choices: z
    .array(
      z.object({
        delta: z.object({ content: z.string().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .optional(),
  usage: z.object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() }).nullish(),
});

export function readOpenAiChunk(chunk: unknown): ChunkReading | string {
  const parsed = chunkSchema.safeParse(chunk);
  if (!parsed.success) return `a stream chunk that is not a chat completion chunk: ${parsed.error.issues[0]?.path.join('.') ?? ''}`;
  const choice = parsed.data.choices?.[0];
  const finish = choice?.finish_reason;
  return {
    text: choice?.delta?.content ?? undefined,
    stopReason: finish === null || finish === undefined ? undefined : finish === 'length' ? 'length' : 'stop',
    inputTokens: parsed.data.usage?.prompt_tokens,
    outputTokens: parsed.data.usage?.completion_tokens,
  };
}

/** OpenAI's own API and Azure's reject `max_tokens` for reasoning models and take
 * `max_completion_tokens` for all; other compatible servers may know only `max_tokens`. */
function maxTokensFor(hostname: string, maxTokens: number): { max_tokens: number } | { max_completion_tokens: number } {
  return /(^|\.)openai\.com$|\.openai\.azure\.com$|\.cognitiveservices\.azure\.com$|\.services\.ai\.azure\.com$/i.test(hostname)
    ? { max_completion_tokens: maxTokens }
    : { max_tokens: maxTokens };
}

export class OpenAiProvider implements CloudProvider {
  private readonly client: OpenAI;
  private readonly context: CloudErrorContext;
  private readonly baseUrl: URL;

  constructor(
    readonly endpoint: CloudEndpoint,
    options: CloudConnectionOptions,
    fetch: CloudFetch | undefined,
  ) {
    this.baseUrl = new URL(endpoint.baseUrl);
    this.context = {
      endpoint,
      requestPath: `${this.baseUrl.pathname.replace(/\/+$/, '')}/chat/completions`,
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      apiKey: options.apiKey,
    };
    this.client = new OpenAI({
      ...sdkClientOptions(options, fetch),
      baseURL: endpoint.baseUrl,
      // Explicit nulls, so the environment's OPENAI_ORG_ID and friends are never sent to another endpoint.
      organization: null,
      project: null,
      adminAPIKey: null,
      webhookSecret: null,
    });
  }

  chat(request: CloudChatRequest, options?: CloudCallOptions): Promise<CloudChatResult> {
    const body = {
      model: this.endpoint.model,
      messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
      ...maxTokensFor(this.baseUrl.hostname, request.maxTokens),
      temperature: request.temperature,
      stream: true as const,
      stream_options: { include_usage: true },
    };
    return streamCloudChat<ChatCompletionChunk>(
      {
        context: this.context,
        open: (signal) => this.client.chat.completions.create(body, { signal }),
        read: readOpenAiChunk,
      },
      options,
    );
  }
}
