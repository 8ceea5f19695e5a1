// The one task-level text service every feature calls: completions, chat, summaries, writing
// help. Each call names its task; the router decides where it runs (today: always the local
// engine). Stream ids, JSON-RPC methods and sequences stay below, in the engine client.
import type { CancellationToken } from 'vscode-jsonrpc/node';
import type { ChatMessage, GenerateResult, LogLevel } from '../../common/protocol/engineProtocol';
import type { TaskId } from '../../common/text/tasks';
import type { EngineClient, InfillInput, LoadedModel, Sampling, WarmInput, WarmResult } from '../engine/engineClient';
import { TextRouter } from './textRouter';
import { textStream, type TextStream } from './textStream';

export type { InfillInput, LoadedModel, Sampling, WarmInput, WarmResult } from '../engine/engineClient';
export type { TextStream } from './textStream';

/** A finished answer and who produced it. */
export interface TextResult extends GenerateResult {
  readonly backend: 'local';
  /** The model's name, as shown beside an answer. */
  readonly model: string;
}

export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  /** Keeps a conversation's tokens in the model process between turns. */
  readonly conversationId?: string;
  readonly sampling: Sampling;
}

export interface TextOptions {
  readonly token?: CancellationToken;
}

export class TextService {
  private readonly router = new TextRouter();

  constructor(
    private readonly local: EngineClient,
    private readonly log: (level: LogLevel, message: string) => void = () => undefined,
  ) {}

  /** The loaded local model, without loading anything. */
  get loadedModel(): LoadedModel | undefined {
    return this.local.loadedModel;
  }

  /** The local model, loading it if needed. */
  ensureModel(): Promise<LoadedModel> {
    return this.local.ensureModel();
  }

  async complete(task: TaskId, prompt: string, sampling: Sampling, options: TextOptions = {}): Promise<TextResult> {
    this.route(task);
    return this.finish(await this.local.complete(prompt, sampling, options));
  }

  /** A plain continuation, streamed. */
  completeStream(task: TaskId, prompt: string, sampling: Sampling, options: TextOptions = {}): TextStream<TextResult> {
    this.route(task);
    return textStream(async (onText) => this.finish(await this.local.complete(prompt, sampling, { ...options, onText })));
  }

  async infill(task: TaskId, input: InfillInput, sampling: Sampling, options: TextOptions = {}): Promise<TextResult> {
    this.route(task);
    return this.finish(await this.local.infill(input, sampling, options));
  }

  /** Evaluates a prompt ahead of time on the local model, so the next request reuses it. */
  warm(task: TaskId, input: WarmInput, options: TextOptions = {}): Promise<WarmResult> {
    this.route(task);
    return this.local.warm(input, task === 'completion' ? 'completion' : 'shared', options);
  }

  /** A chat answer, streamed as it is generated. */
  chat(task: TaskId, request: ChatRequest, options: TextOptions = {}): TextStream<TextResult> {
    this.route(task);
    return textStream(async (onText) => this.finish(await this.local.chat(request.messages, request.conversationId, request.sampling, { ...options, onText })));
  }

  /** Token counts for the model that will answer `task` (to fit a history to its context). */
  countTokens(task: TaskId, texts: readonly string[], options: TextOptions = {}): Promise<number[]> {
    this.route(task);
    return this.local.countTokens(texts, options);
  }

  private route(task: TaskId): void {
    const route = this.router.route(task);
    this.log('trace', `text: ${task} (${route.complexity}) → ${route.backend}: ${route.reason}`);
  }

  private finish(result: GenerateResult): TextResult {
    return { ...result, backend: 'local', model: this.local.loadedModel?.name ?? 'local model' };
  }
}
