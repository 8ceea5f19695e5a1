// Anthropic's Messages API through the official SDK's raw event stream
// (`messages.create({ stream: true })`): system messages go in the `system` field.
import Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import type { CloudErrorContext } from './cloudErrors';
import type { CloudFetch } from './cloudFetch';
import type { CloudCallOptions, CloudChatRequest, CloudChatResult, CloudConnectionOptions, CloudEndpoint, CloudProvider } from './cloudProvider';
import { sdkClientOptions } from './sdkClientOptions';
import { streamCloudChat, type ChunkReading } from './streamCloudChat';

// Cloud responses are a trust boundary: each event type Hearth reads is checked for the fields it
// reads; other event types (ping, content_block_start/stop, thinking…) pass unread.
const messageStartSchema = z.object({
  type: z.literal('message_start'),
  message: z.object({ usage: z.object({ input_tokens: z.number().nullish(), output_tokens: z.number().nullish() }).nullish() }),
});
const contentBlockDeltaSchema = z.object({
  type: z.literal('content_block_delta'),
  delta: z.union([z.object({ type: z.literal('text_delta'), text: z.string() }), z.object({ type: z.string().refine((type) => type !== 'text_delta') })]),
});
const messageDeltaSchema = z.object({
  type: z.literal('message_delta'),
  delta: z.object({ stop_reason: z.string().nullish() }),
  usage: z.object({ input_tokens: z.number().nullish(), output_tokens: z.number().nullish() }).nullish(),
});
const eventSchema = z.object({ type: z.string() });

/** Stop reasons that mean the answer was cut off by a limit, not finished. */
const LENGTH_STOPS = new Set(['max_tokens', 'model_context_window_exceeded']);

const numberOrUndefined = (value: number | null | undefined) => value ?? undefined;

export function readAnthropicEvent(event: unknown): ChunkReading | string {
  const typed = eventSchema.safeParse(event);
  if (!typed.success) return 'an event without a type';
  const schema =
    typed.data.type === 'message_start'
      ? messageStartSchema
      : typed.data.type === 'content_block_delta'
        ? contentBlockDeltaSchema
        : typed.data.type === 'message_delta'
          ? messageDeltaSchema
          : undefined;
  if (schema === undefined) return {};
  const parsed = schema.safeParse(event);
  if (!parsed.success) return `a ${typed.data.type} event without ${parsed.error.issues[0]?.path.join('.') ?? 'its fields'}`;
  const data = parsed.data;
  switch (data.type) {
    case 'message_start':
      return { inputTokens: numberOrUndefined(data.message.usage?.input_tokens), outputTokens: numberOrUndefined(data.message.usage?.output_tokens) };
    case 'content_block_delta':
      return 'text' in data.delta ? { text: data.delta.text } : {};
    case 'message_delta': {
      const stop = data.delta.stop_reason;
      return {
        stopReason: stop === null || stop === undefined ? undefined : LENGTH_STOPS.has(stop) ? 'length' : 'stop',
        inputTokens: numberOrUndefined(data.usage?.input_tokens),
        outputTokens: numberOrUndefined(data.usage?.output_tokens),
      };
    }
  }
}

/** The SDK appends /v1/messages itself, so a base URL written with /v1 (as OpenAI's are) loses it. */
function sdkBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/v1\/*$/, '');
}

export class AnthropicProvider implements CloudProvider {
  private readonly client: Anthropic;
  private readonly context: CloudErrorContext;

  constructor(
    readonly endpoint: CloudEndpoint,
    options: CloudConnectionOptions,
    fetch: CloudFetch | undefined,
  ) {
    const baseURL = sdkBaseUrl(endpoint.baseUrl);
    this.context = {
      endpoint,
      requestPath: `${new URL(baseURL).pathname.replace(/\/+$/, '')}/v1/messages`,
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      apiKey: options.apiKey,
    };
    this.client = new Anthropic({
      ...sdkClientOptions(options, fetch),
      baseURL,
      // No tracing spans, and no trace context sent along with the user's text.
      openTelemetry: false,
    });
  }

  chat(request: CloudChatRequest, options?: CloudCallOptions): Promise<CloudChatResult> {
    const system = request.messages
      .filter((message) => message.role === 'system')
      .map((message) => message.content)
      .join('\n\n');
    const body = {
      model: this.endpoint.model,
      ...(system === '' ? {} : { system }),
      messages: request.messages.flatMap((message) => (message.role === 'system' ? [] : [{ role: message.role, content: message.content }])),
      max_tokens: request.maxTokens,
      // Anthropic's range is 0–1; Hearth's setting goes to 2.
      temperature: Math.min(1, Math.max(0, request.temperature)),
      stream: true as const,
    };
    return streamCloudChat<unknown>(
      {
        context: this.context,
        open: (signal) => this.client.messages.create(body, { signal }),
        read: readAnthropicEvent,
      },
      options,
    );
  }
}
