// The one task-level text service every feature calls: completions, chat, summaries, writing
// help. Each call names its task and the sources its text came from. The privacy gate runs here,
// in front of everything: an excluded source is refused (or, from an earlier chat turn, left
// out), and the router decides local or cloud; only the cloud gateway may leave the machine.
// Stream ids, JSON-RPC methods and sequences stay below, in the engine client.
import type { CancellationToken } from 'vscode-jsonrpc/node';
import type { ContextSource } from '../../common/policy/contextSource';
import type { ChatMessage, GenerateResult, LogLevel } from '../../common/protocol/engineProtocol';
import { taskInfo, type TaskId } from '../../common/text/tasks';
import type { EngineClient, InfillInput, LoadedModel, Sampling, WarmInput, WarmResult } from '../engine/engineClient';
import type { CloudGateway } from './cloudGateway';
import { TextRouter } from './textRouter';
import { DEFAULT_POLICY } from '../../common/policy/privacyPolicy';
import { textStream, type TextStream } from './textStream';

export type { InfillInput, LoadedModel, Sampling, WarmInput, WarmResult } from '../engine/engineClient';
export type { TextStream } from './textStream';
export type { ContextSource } from '../../common/policy/contextSource';

/** A finished answer and who produced it. */
export interface TextResult extends GenerateResult {
  readonly backend: 'local' | 'cloud';
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
  /** Every file (and lines) the request's text came from: the gate checks each. */
  readonly sources: readonly ContextSource[];
}

/** A request that would read a file excluded from AI. */
export class ExcludedFromAIError extends Error {
  constructor(readonly reason: string) {
    super(`${reason}, so it is not given to the model.`);
    this.name = 'ExcludedFromAIError';
  }
}

/** A request the policy refused outright (an endpoint not allowed). */
export class PolicyRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyRefusedError';
  }
}

export interface TextServiceDeps {
  readonly local: EngineClient;
  readonly router: TextRouter;
  /** Absent in a local-only service (benchmarks, engine tests): a route to the cloud then fails. */
  readonly cloud?: CloudGateway;
  readonly excludedReason: (source: ContextSource) => string | undefined;
  /** Tells the user a complex command was kept local, and why. */
  readonly keptLocal?: (task: TaskId, why: string) => void;
  readonly log?: (level: LogLevel, message: string) => void;
}

/** A text service with the default policy (local) and no gate exclusions: benchmarks and engine tests. */
export function localTextService(local: EngineClient, log?: (level: LogLevel, message: string) => void): TextService {
  return new TextService({ local, router: new TextRouter(() => DEFAULT_POLICY, () => undefined), excludedReason: () => undefined, log });
}

export class TextService {
  private readonly local: EngineClient;

  constructor(private readonly deps: TextServiceDeps) {
    this.local = deps.local;
  }

  /** The local model that serves a task (its role's), without loading anything. */
  loadedModel(task: TaskId): LoadedModel | undefined {
    return this.local.loadedModel(taskInfo(task).role);
  }

  /** The local model that serves a task, loading the models if needed. */
  ensureModel(task: TaskId): Promise<LoadedModel> {
    return this.local.ensureModel(taskInfo(task).role);
  }

  async complete(task: TaskId, prompt: string, sampling: Sampling, options: TextOptions): Promise<TextResult> {
    this.admitLocal(task, options.sources);
    return this.finish(task, await this.local.complete(prompt, sampling, withRole(task, options)));
  }

  /** A plain continuation, streamed. */
  completeStream(task: TaskId, prompt: string, sampling: Sampling, options: TextOptions): TextStream<TextResult> {
    return textStream(async (onText) => {
      this.admitLocal(task, options.sources);
      return this.finish(task, await this.local.complete(prompt, sampling, { ...withRole(task, options), onText }));
    });
  }

  async infill(task: TaskId, input: InfillInput, sampling: Sampling, options: TextOptions): Promise<TextResult> {
    this.admitLocal(task, options.sources);
    return this.finish(task, await this.local.infill(input, sampling, withRole(task, options)));
  }

  /** Evaluates a prompt ahead of time on the local model, so the next request reuses it. */
  warm(task: TaskId, input: WarmInput, options: TextOptions): Promise<WarmResult> {
    this.admitLocal(task, options.sources);
    return this.local.warm(input, task === 'completion' ? 'completion' : 'shared', withRole(task, options));
  }

  /** A chat answer, streamed as it is generated; the one kind of request that may go to a cloud. */
  chat(task: TaskId, request: ChatRequest, options: TextOptions): TextStream<TextResult> {
    return textStream(async (onText) => {
      const messages = this.admit(options.sources, request.messages);
      const route = this.deps.router.route(task);
      this.log('debug', `text: ${task} (${route.complexity}) → ${route.backend}: ${route.reason}`);
      const runLocal = async () => this.finish(task, await this.local.chat(messages, request.conversationId, request.sampling, { ...withRole(task, options), onText }));
      if (route.backend === 'refused') throw new PolicyRefusedError(route.reason);
      if (route.backend === 'local') {
        if (route.keptLocal !== undefined) this.deps.keptLocal?.(task, route.keptLocal);
        return runLocal();
      }
      if (this.deps.cloud === undefined) throw new PolicyRefusedError('This text service has no cloud gateway.');
      return this.deps.cloud.run({
        task,
        endpoint: route.endpoint,
        consent: route.consent,
        messages,
        sources: options.sources,
        maxTokens: request.sampling.maxTokens ?? 512,
        temperature: request.sampling.temperature ?? 0.3,
        token: options.token,
        onText,
        runLocal,
      });
    });
  }

  /** Token counts on the local model that serves the task (to fit a history to its context). */
  countTokens(task: TaskId, texts: readonly string[], options: TextOptions): Promise<number[]> {
    this.admitLocal(task, options.sources);
    return this.local.countTokens(texts, withRole(task, options));
  }

  private admitLocal(task: TaskId, sources: readonly ContextSource[]): void {
    this.admit(sources);
    this.log('trace', `text: ${task} (${taskInfo(task).complexity}) → local`);
  }

  /**
   * The exclusion gate: a source excluded from AI is refused; one from an earlier chat turn
   * (excluded since) has its text replaced in the messages instead, so the conversation goes on.
   */
  private admit<M extends { content: string }>(sources: readonly ContextSource[], messages: readonly M[] = []): M[] {
    let current = [...messages];
    for (const source of sources) {
      const reason = this.deps.excludedReason(source);
      if (reason === undefined) continue;
      const text = source.text ?? '';
      if (!source.history || text.trim().length === 0) throw new ExcludedFromAIError(reason);
      current = current.map((message) => ({ ...message, content: message.content.split(text).join(`[left out: ${source.path} is excluded from AI]`) }));
      this.log('info', `text: ${reason}; left out of the conversation`);
    }
    return current;
  }

  private log(level: LogLevel, message: string): void {
    this.deps.log?.(level, message);
  }

  private finish(task: TaskId, result: GenerateResult): TextResult {
    return { ...result, backend: 'local', model: this.loadedModel(task)?.name ?? 'local model' };
  }
}

/** The call options with the role of the model that serves the task. */
function withRole(task: TaskId, options: TextOptions): TextOptions & { readonly role: 'completion' | 'chat' } {
  return { ...options, role: taskInfo(task).role };
}
