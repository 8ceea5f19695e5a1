// The boundary between the extension host and the model process. Every JSON-RPC method is
// defined here once, with zod schemas for what crosses the wire; both sides validate with them.
import { z } from 'zod';

/** A request: the host sends params, the model process answers with result. */
export interface RequestDef<P extends z.ZodTypeAny, R extends z.ZodTypeAny> {
  readonly method: string;
  readonly params: P;
  readonly result: R;
}

/** A notification: one-way, no answer. */
export interface NotificationDef<P extends z.ZodTypeAny> {
  readonly method: string;
  readonly params: P;
}

function request<P extends z.ZodTypeAny, R extends z.ZodTypeAny>(method: string, params: P, result: R): RequestDef<P, R> {
  return { method, params, result };
}

function notification<P extends z.ZodTypeAny>(method: string, params: P): NotificationDef<P> {
  return { method, params };
}

export const threadsSchema = z.union([z.literal('auto'), z.number().int().min(1).max(512)]);

/** What a loaded model is used for: inline completions, or chat and writing help. */
export const modelRoleSchema = z.enum(['completion', 'chat']);

export const modelLoadParams = z.object({
  path: z.string().min(1),
  /** Tokens per sequence; clamped to what the model was trained on. */
  contextSize: z.number().int().min(128).max(1_048_576).optional(),
  threads: threadsSchema.default('auto'),
  /**
   * The model for chat and writing help when it is another file. Absent, or the same file as
   * `path`: `path` serves both roles and is loaded once.
   */
  chatPath: z.string().min(1).optional(),
  /**
   * Thread counts measured earlier for these files on this machine (the host remembers them): with
   * threads 'auto', a file listed here loads with its counts instead of being measured again.
   * `threads` decodes, `promptThreads` reads prompts.
   */
  rememberedThreads: z
    .array(
      z.object({
        path: z.string().min(1),
        threads: z.number().int().min(1).max(512),
        promptThreads: z.number().int().min(1).max(512),
        measured: z.string().max(1_000),
      }),
    )
    .max(8)
    .default([]),
});

const loadedModelSchema = z.object({
  path: z.string(),
  name: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  loadMs: z.number().nonnegative(),
  contextSize: z.number().int().positive(),
  trainContextSize: z.number().int().positive(),
  /** Threads while generating tokens (most of what a user waits for). */
  threads: z.number().int().positive(),
  /** Threads while reading a prompt; switched per batch. */
  promptThreads: z.number().int().positive(),
  /** Why these threads: the measurement or the explicit setting. */
  threadsReason: z.string(),
  /** measured now (the host may remember it), remembered from an earlier measurement, or set by hearth.engine.threads. */
  threadsSource: z.enum(['measured', 'remembered', 'setting']),
  hasInfill: z.boolean(),
  /** The chat template node-llama-cpp resolved from the model's metadata. */
  chatWrapper: z.string(),
});

/** The completion model; `chat` is the chat model when it is another file (absent: this one serves both). */
export const modelInfoSchema = loadedModelSchema.extend({
  chat: loadedModelSchema.optional(),
});

export const modelStatusResult = z.object({
  state: z.enum(['unloaded', 'loading', 'ready']),
  model: modelInfoSchema.nullable(),
  rssBytes: z.number().int().nonnegative(),
  /** Tokens held in the most used sequence, of `model.contextSize`. */
  contextTokensUsed: z.number().int().nonnegative(),
  activeRequests: z.number().int().nonnegative(),
  lastTokensPerSec: z.number().nonnegative().nullable(),
  /** The full prompt being read into the completion sequence in the background, if any. */
  backgroundWarm: z.object({ promptTokens: z.number().int().nonnegative(), evaluatedTokens: z.number().int().nonnegative() }).nullable().optional(),
});

/** Where the ghost text stands, so the model process can stop once the suggestion is complete (see suggestionIsComplete). */
export const suggestionStopSchema = z.object({
  linePrefix: z.string().max(1_000_000),
  lineSuffix: z.string().max(1_000_000),
  /** The document's lines after the cursor line (the first non-blank one matters). */
  suffixLines: z.array(z.string().max(1_000_000)).max(10_000),
  maxLines: z.number().int().min(1).max(200),
  tabSize: z.number().int().min(1).max(32).optional(),
});

export const samplingSchema = z.object({
  /** Key of the `generate/token` notifications for this request. */
  streamId: z.string().min(1).max(200),
  /** false: send no `generate/token` notifications, only the result (inline completions need only the whole answer). */
  stream: z.boolean().default(true),
  maxTokens: z.number().int().min(1).max(32_768).default(256),
  stop: z.array(z.string().min(1)).max(32).default([]),
  temperature: z.number().min(0).max(5).default(0),
  topP: z.number().gt(0).max(1).optional(),
  seed: z.number().int().nonnegative().optional(),
  /** Wall-clock budget for the whole request; the text so far is returned when it runs out. */
  timeBudgetMs: z.number().int().positive().optional(),
  /** Budget for evaluating the prompt; when it runs out before the first token, nothing is generated. */
  promptBudgetMs: z.number().int().positive().optional(),
  /** Budget for generating, counted from the first token; the text so far is returned when it runs out. */
  generationBudgetMs: z.number().int().positive().optional(),
  /**
   * `completion`: the one warm sequence kept for inline completions, so the next keystroke's prompt
   * reuses this one's tokens; `shared`: any free sequence (chat, commands).
   */
  slot: z.enum(['completion', 'shared']).default('shared'),
  /** Which loaded model answers; absent: the chat model for generate/chat, the completion model otherwise. */
  role: modelRoleSchema.optional(),
  /**
   * Stop (stopReason 'stop') as soon as the text so far holds the whole suggestion the host's
   * post-processing would show: a finished line, a finished block, or maxLines lines.
   */
  suggestion: suggestionStopSchema.optional(),
  /**
   * Completion slot only: when reading what the full prompt adds to the completion sequence would
   * not fit promptBudgetMs at the measured prompt speed (a file just opened), answer from a short
   * window around the cursor on a sequence of its own, and read the full prompt into the
   * completion sequence in the background, pausing while any request runs.
   */
  firstWindow: z.boolean().default(false),
});

export const generateCompleteParams = samplingSchema.extend({
  prompt: z.string(),
});

export const infillLayoutSchema = z.object({
  prefix: z.string(),
  suffix: z.string(),
  /** Extra context before the FIM tokens: a stable prompt head (other files' snippets). */
  head: z.string().default(''),
  /**
   * Text placed after the middle token: what the user typed since a stable point (the start of
   * the line). Each keystroke then appends to the end of the prompt instead of changing the prefix.
   */
  middlePrefix: z.string().default(''),
  /** prefix-suffix-middle, or suffix-prefix-middle for models trained with it. */
  order: z.enum(['psm', 'spm']).default('psm'),
});

export const generateInfillParams = samplingSchema.merge(infillLayoutSchema);

export const generateWarmParams = z.object({
  slot: z.enum(['completion', 'shared']).default('completion'),
  role: modelRoleSchema.default('completion'),
  input: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('complete'), prompt: z.string() }),
    infillLayoutSchema.extend({ kind: z.literal('infill') }),
  ]),
});

export const generateWarmResult = z.object({
  promptTokens: z.number().int().nonnegative(),
  evaluatedPromptTokens: z.number().int().nonnegative(),
  totalMs: z.number().nonnegative(),
  cancelled: z.boolean(),
});

export const chatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

export const generateChatParams = samplingSchema.extend({
  messages: z.array(chatMessageSchema).min(1),
  /**
   * Keeps a conversation on the sequence it used last, when that one is free, so a follow-up
   * evaluates only what is new. Without it (or when the sequence went to another), any free one.
   */
  conversationId: z.string().min(1).max(200).optional(),
});

export const countTokensParams = z.object({
  texts: z.array(z.string().max(4_000_000)).min(1).max(10_000),
  /** Whose tokenizer counts: chat history is trimmed for the chat model. */
  role: modelRoleSchema.default('chat'),
});

export const countTokensResult = z.object({
  counts: z.array(z.number().int().nonnegative()),
});

export const stopReasonSchema = z.enum(['eos', 'maxTokens', 'stop', 'cancelled', 'timeBudget']);

export const generateResult = z.object({
  text: z.string(),
  stopReason: stopReasonSchema,
  /** Tokens in the prompt as sent to the model. */
  promptTokens: z.number().int().nonnegative(),
  /** Prompt tokens that had to be evaluated; the rest were reused from the sequence's cache. */
  evaluatedPromptTokens: z.number().int().nonnegative(),
  generatedTokens: z.number().int().nonnegative(),
  ttftMs: z.number().nonnegative().nullable(),
  totalMs: z.number().nonnegative(),
  tokensPerSec: z.number().nonnegative(),
  /** True when the answer came from the fast first window (the full prompt was still being read in). */
  firstWindow: z.boolean().optional(),
});

export const emptyParams = z.object({}).strict();

/** What the model process sees of the machine: node-llama-cpp's view, which alone knows the GPU. */
export const systemHardwareResult = z.object({
  totalRamBytes: z.number().int().nonnegative(),
  freeRamBytes: z.number().int().nonnegative(),
  /** Physical cores (llama.cpp slows down past them). */
  cpuCores: z.number().int().positive(),
  /** Absent when node-llama-cpp runs on the CPU only. */
  gpu: z
    .object({
      type: z.enum(['cuda', 'vulkan', 'metal']),
      names: z.array(z.string()),
      vramBytes: z.number().int().nonnegative(),
      freeVramBytes: z.number().int().nonnegative(),
    })
    .optional(),
});

export const modelEstimateParams = z.object({
  path: z.string().min(1),
  /** Tokens per sequence, as for model/load; clamped the same way to what the model was trained on. */
  contextSize: z.number().int().min(128).max(1_048_576).optional(),
});

/** node-llama-cpp's estimate, from the GGUF header alone, of what model/load would take at this context size. */
export const modelEstimateResult = z.object({
  modelRamBytes: z.number().int().nonnegative(),
  modelVramBytes: z.number().int().nonnegative(),
  contextRamBytes: z.number().int().nonnegative(),
  contextVramBytes: z.number().int().nonnegative(),
  totalRamBytes: z.number().int().nonnegative(),
  totalVramBytes: z.number().int().nonnegative(),
  /** Layers that would go to the GPU (0 without one). */
  gpuLayers: z.number().int().nonnegative(),
  /** The context size model/load would use: the one asked for, capped at trainContextSize. */
  contextSize: z.number().int().positive(),
  /** Sequences model/load creates in its context; each holds contextSize tokens of KV cache. */
  sequences: z.number().int().positive(),
  trainContextSize: z.number().int().positive().nullable(),
  architecture: z.string().nullable(),
  /** Within the memory Hearth may use (the same headroom as the model list's recommendation). */
  fits: z.boolean(),
  /** One plain sentence. */
  reason: z.string(),
});

export const engineMethods = {
  /** host → model process: load a GGUF file, replacing any loaded model. */
  modelLoad: request('model/load', modelLoadParams, modelInfoSchema),
  /** host → model process: free the model and its contexts. */
  modelUnload: request('model/unload', emptyParams, z.object({ unloaded: z.boolean() })),
  /** host → model process: state, memory and context use. */
  modelStatus: request('model/status', emptyParams, modelStatusResult),
  /** host → model process: plain continuation of a prompt. */
  generateComplete: request('generate/complete', generateCompleteParams, generateResult),
  /** host → model process: fill in the middle between prefix and suffix (models with FIM tokens). */
  generateInfill: request('generate/infill', generateInfillParams, generateResult),
  /** host → model process: a chat reply, formatted with the model's own chat template. */
  generateChat: request('generate/chat', generateChatParams, generateResult),
  /** host → model process: how many tokens each text is (counts only; the tokens stay in the process) for the loaded model (chat history trimming). */
  modelCountTokens: request('model/tokenize', countTokensParams, countTokensResult),
  /** host → model process: evaluate a prompt into a sequence and generate nothing (warm the cache while idle). */
  generateWarm: request('generate/warm', generateWarmParams, generateWarmResult),
  /** host → model process: RAM, physical cores and the GPU as node-llama-cpp sees them; needs no loaded model. */
  systemHardware: request('system/hardware', emptyParams, systemHardwareResult),
  /** host → model process: memory a GGUF file would take, from its header only (nothing is loaded; the loaded model is untouched). */
  modelEstimate: request('model/estimate', modelEstimateParams, modelEstimateResult),
} as const;

export const tokenNotificationParams = z.object({
  streamId: z.string(),
  text: z.string(),
});

export const logNotificationParams = z.object({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error']),
  message: z.string(),
});

export const engineNotifications = {
  /** model process → host: generated text, in order, for one request. */
  token: notification('generate/token', tokenNotificationParams),
  /** model process → host: a line for the Hearth log. */
  log: notification('engine/log', logNotificationParams),
} as const;

/** What went wrong, so the host can say it in words and offer the right action. */
export const engineErrorKind = z.enum([
  'modelNotFound',
  'notGguf',
  'corruptModel',
  'modelTooLarge',
  'noModelLoaded',
  'infillUnsupported',
  'invalidParams',
  'internal',
  /** A model/load or model/unload ended this request: the model it ran on was replaced. Send it again. */
  'modelChanged',
  /** node-llama-cpp found no prebuilt llama.cpp binary for this platform in the installation. */
  'binaryMissing',
]);
export type EngineErrorKind = z.infer<typeof engineErrorKind>;

export const engineErrorData = z.object({
  kind: engineErrorKind,
  path: z.string().optional(),
});
export type EngineErrorData = z.infer<typeof engineErrorData>;

/** JSON-RPC error code used for every engine error; `data.kind` says which. */
export const ENGINE_ERROR_CODE = -32_001;

/**
 * Exit code of a model process that stopped itself after an uncaught exception (logged first
 * through `engine/log`); BSD's EX_SOFTWARE. Like any crash, the supervisor restarts it.
 */
export const ENGINE_EXIT_UNCAUGHT_EXCEPTION = 70;

export type ModelLoadParams = z.input<typeof modelLoadParams>;
export type ModelInfo = z.infer<typeof modelInfoSchema>;
export type ModelRole = z.infer<typeof modelRoleSchema>;
export type ModelStatus = z.infer<typeof modelStatusResult>;
export type GenerateResult = z.infer<typeof generateResult>;
export type ChatMessage = z.infer<typeof chatMessageSchema>;
export type StopReason = z.infer<typeof stopReasonSchema>;
export type SystemHardware = z.infer<typeof systemHardwareResult>;
export type ModelEstimate = z.infer<typeof modelEstimateResult>;
export type LogLevel = z.infer<typeof logNotificationParams>['level'];
