// What the extension exports. `HearthApi` is what another extension may rely on; the test hooks
// (internal services, the status bar's text, timings) are attached only when VS Code runs Hearth
// in development or test mode, never for an installed extension.
import * as vscode from 'vscode';
import type { ChatArea } from './chat/registerChat';
import type { CompletionsHandle } from './completions/registerCompletions';
import type { EngineState } from './engine/engineSupervisor';
import type { EngineArea } from './engine/registerEngine';
import type { ModelsArea } from './models/registerModels';
import type { Services } from './services';
import type { WritingArea } from './writing/registerWriting';

export interface HearthApi {
  readonly engine: {
    /** The local model's state: notLoaded, loading, ready, generating, restarting or error. */
    readonly state: EngineState;
    readonly onDidChangeState: (listener: (state: EngineState) => void) => vscode.Disposable;
  };
}

/** Only for Hearth's own tests and benchmarks. */
export interface HearthTestHooks extends HearthApi {
  readonly engine: HearthApi['engine'] & { readonly pid: number | undefined };
  readonly services: Services;
  readonly statusBarText: () => string;
  readonly statusBarTooltip: () => string;
  /** The "kept local" notices shown so far (complex commands the policy kept on this machine). */
  readonly keptLocalNotices: readonly string[];
  readonly completions: CompletionsHandle;
  readonly chat: ChatArea;
  readonly writing: WritingArea;
  readonly models: ModelsArea;
  /** How long activate() took, for `npm run bench:engine`. */
  readonly activationMs: number;
}

/** The export key of the test hooks. */
export const TEST_HOOKS = '__hearthTestHooks';

export type HearthExports = HearthApi & { readonly [TEST_HOOKS]?: HearthTestHooks };

interface Parts {
  readonly services: Services;
  readonly activationMs: number;
  readonly engine: EngineArea;
  readonly completions: CompletionsHandle;
  readonly chat: ChatArea;
  readonly writing: WritingArea;
  readonly models: ModelsArea;
}

export function createHearthApi(context: vscode.ExtensionContext, parts: Parts): HearthExports {
  const supervisor = parts.services.engine;
  const engine = {
    get state() {
      return supervisor.state;
    },
    get pid() {
      return supervisor.pid;
    },
    onDidChangeState: (listener: (state: EngineState) => void) => {
      const subscription = supervisor.onDidChangeState(listener);
      return new vscode.Disposable(() => subscription.dispose());
    },
  };
  const api: HearthApi = { engine: { get state() { return supervisor.state; }, onDidChangeState: engine.onDidChangeState } };
  if (context.extensionMode === vscode.ExtensionMode.Production) return api;
  const hooks: HearthTestHooks = {
    engine,
    services: parts.services,
    statusBarText: parts.engine.statusBarText,
    statusBarTooltip: parts.engine.statusBarTooltip,
    keptLocalNotices: parts.engine.keptLocalNotices,
    completions: parts.completions,
    chat: parts.chat,
    writing: parts.writing,
    models: parts.models,
    activationMs: parts.activationMs,
  };
  return { ...api, [TEST_HOOKS]: hooks };
}
