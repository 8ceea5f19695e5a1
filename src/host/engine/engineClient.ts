// The only module above the supervisor that speaks the model process's protocol: it names the
// JSON-RPC methods, mints stream ids, and turns streamed notifications into a callback. The text
// service calls it as the local backend; no feature calls it directly.
import type { CancellationToken } from 'vscode-jsonrpc/node';
import type { z } from 'zod';
import {
  engineMethods,
  type ChatMessage,
  type GenerateResult,
  type ModelEstimate,
  type ModelInfo,
  type ModelRole,
  type SystemHardware,
  type generateWarmParams,
  type generateWarmResult,
  type infillLayoutSchema,
  type samplingSchema,
} from '../../common/protocol/engineProtocol';
import { newStreamId } from './engineConnection';
import type { EngineSupervisor } from './engineSupervisor';

/** A loaded model as features see it: what the model process reported, plus what the host resolved once. */
export interface LoadedModel extends Omit<ModelInfo, 'chat'> {
  /** The fill-in-the-middle order the model was trained with, when known (catalog); undefined: psm. */
  readonly fimOrder: 'psm' | 'spm' | undefined;
}

/** Sampling and budgets; the stream id, whether to stream and the role are the client's business. */
export type Sampling = Omit<z.input<typeof samplingSchema>, 'streamId' | 'stream' | 'role'>;
export type InfillInput = z.input<typeof infillLayoutSchema>;
export type WarmInput = z.input<typeof generateWarmParams>['input'];
export type WarmResult = z.infer<typeof generateWarmResult>;

export interface CallOptions {
  /** Cancels inside the model process too. */
  readonly token?: CancellationToken;
  /** Which loaded model answers (default: chat for chat, completion for the rest). */
  readonly role?: ModelRole;
  /** Streamed text; without it nothing is streamed over IPC. */
  readonly onText?: (text: string) => void;
}

export class EngineClient {
  private readonly resolved = new WeakMap<object, LoadedModel>();

  constructor(
    private readonly supervisor: EngineSupervisor,
    /** Resolves the FIM order of a model once per load (the model catalog knows it for catalog models). */
    private readonly fimOrderOf: (model: Omit<ModelInfo, 'chat'>) => 'psm' | 'spm' | undefined,
  ) {}

  /** The model loaded for a role, without starting anything. */
  loadedModel(role: ModelRole = 'completion'): LoadedModel | undefined {
    const info = this.supervisor.loadedModel;
    return info === undefined ? undefined : this.withHostInfo(info, role);
  }

  /** The model for a role, starting the process and loading the models first if needed. */
  async ensureModel(role: ModelRole = 'completion'): Promise<LoadedModel> {
    return this.withHostInfo(await this.supervisor.start(), role);
  }

  complete(prompt: string, sampling: Sampling, options: CallOptions = {}): Promise<GenerateResult> {
    return this.supervisor.request(engineMethods.generateComplete, { ...sampling, ...stream(options), prompt }, options);
  }

  infill(input: InfillInput, sampling: Sampling, options: CallOptions = {}): Promise<GenerateResult> {
    return this.supervisor.request(engineMethods.generateInfill, { ...sampling, ...stream(options), ...input }, options);
  }

  chat(messages: readonly ChatMessage[], conversationId: string | undefined, sampling: Sampling, options: CallOptions = {}): Promise<GenerateResult> {
    return this.supervisor.request(
      engineMethods.generateChat,
      { ...sampling, ...stream(options), messages: [...messages], ...(conversationId === undefined ? {} : { conversationId }) },
      options,
    );
  }

  warm(input: WarmInput, slot: 'completion' | 'shared', options: CallOptions = {}): Promise<WarmResult> {
    return this.supervisor.request(engineMethods.generateWarm, { slot, input, ...role(options) }, options);
  }

  async countTokens(texts: readonly string[], options: CallOptions = {}): Promise<number[]> {
    if (texts.length === 0) return [];
    return (await this.supervisor.request(engineMethods.modelCountTokens, { texts: [...texts], ...role(options) }, options)).counts;
  }

  /**
   * RAM, physical cores and the GPU as node-llama-cpp sees them. Asks the running process; starts
   * one (loading the configured model, as any start does) only when `start` is true.
   */
  hardware(options: MachineCallOptions = {}): Promise<SystemHardware> {
    return this.supervisor.requestWithoutModel(engineMethods.systemHardware, {}, machineCall(options));
  }

  /** What loading `path` with `contextSize` tokens would take, from its GGUF header; nothing is loaded. */
  estimate(path: string, contextSize: number | undefined, options: MachineCallOptions = {}): Promise<ModelEstimate> {
    return this.supervisor.requestWithoutModel(
      engineMethods.modelEstimate,
      { path, ...(contextSize === undefined ? {} : { contextSize }) },
      machineCall(options),
    );
  }

  private withHostInfo(info: ModelInfo, role: ModelRole): LoadedModel {
    const { chat, ...completion } = info;
    // The reported info object (or its chat part) keys the cache, so each load resolves once.
    const key: object = role === 'chat' && chat !== undefined ? chat : info;
    let known = this.resolved.get(key);
    if (known === undefined) {
      const model = role === 'chat' && chat !== undefined ? chat : completion;
      known = { ...model, fimOrder: this.fimOrderOf(model) };
      this.resolved.set(key, known);
    }
    return known;
  }
}

export interface MachineCallOptions {
  readonly token?: CancellationToken;
  /** Start the model process if it is not running (default false: fail with 'unavailable'). */
  readonly start?: boolean;
}

function machineCall(options: MachineCallOptions): { start: boolean; token?: CancellationToken } {
  return { start: options.start === true, ...(options.token === undefined ? {} : { token: options.token }) };
}

function stream(options: CallOptions): { streamId: string; stream: boolean; role?: ModelRole } {
  return { streamId: newStreamId(), stream: options.onText !== undefined, ...role(options) };
}

function role(options: CallOptions): { role?: ModelRole } {
  return options.role === undefined ? {} : { role: options.role };
}
