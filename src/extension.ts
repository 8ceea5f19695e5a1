// Activation builds Hearth's services and registers its contributions; nothing heavy happens
// here: the model process starts on first use.
import * as vscode from 'vscode';
import { createEngineSupervisor } from './host/createEngineSupervisor';
import { chooseModelFile } from './host/chooseModelFile';
import { registerCompletions, type CompletionsHandle } from './host/completions/registerCompletions';
import { presentEngineError } from './host/engineErrorPresenter';
import { showEngineMenu } from './host/engineMenu';
import { EngineStatusBar, STATUS_MENU_COMMAND } from './host/engineStatusBar';
import type { EngineState } from './host/engineSupervisor';
import { reloadingSettings } from './host/engineSettings';
import { tryModel, type TryModelResult } from './host/tryModel';

/** What the extension exports: read by the integration tests, stable for other extensions. */
export interface HearthApi {
  readonly engine: {
    readonly state: EngineState;
    readonly pid: number | undefined;
    readonly onDidChangeState: (listener: (state: EngineState) => void) => vscode.Disposable;
  };
  readonly statusBarText: () => string;
  readonly completions: CompletionsHandle;
  /** How long activate() took, for `npm run bench:engine`. */
  readonly activationMs: number;
}

export function activate(context: vscode.ExtensionContext): HearthApi {
  const activationStart = performance.now();
  const log = vscode.window.createOutputChannel('Hearth', { log: true });
  context.subscriptions.push(log);

  const supervisor = createEngineSupervisor(context, log);
  context.subscriptions.push({ dispose: () => supervisor.dispose() });

  const statusBar = new EngineStatusBar();
  context.subscriptions.push(statusBar);
  context.subscriptions.push(supervisor.onDidChangeState((state) => statusBar.show(state)));
  context.subscriptions.push(supervisor.onDidGiveUp((error) => void presentEngineError(error)));

  const completions = registerCompletions(context, supervisor, log, (error) => void presentEngineError(error));

  const withErrors =
    <A extends unknown[], R>(command: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R | undefined> => {
      try {
        return await command(...args);
      } catch (error) {
        log.error(error instanceof Error ? error.message : String(error));
        void presentEngineError(error);
        return undefined;
      }
    };

  context.subscriptions.push(
    vscode.commands.registerCommand(
      'hearth.generate.tryModel',
      withErrors((prompt?: unknown): Promise<TryModelResult | undefined> => tryModel(supervisor, typeof prompt === 'string' ? prompt : undefined)),
    ),
    vscode.commands.registerCommand('hearth.model.choose', withErrors(chooseModelFile)),
    vscode.commands.registerCommand('hearth.engine.restart', withErrors(() => supervisor.restart())),
    vscode.commands.registerCommand('hearth.showLog', () => log.show()),
    vscode.commands.registerCommand(STATUS_MENU_COMMAND, () => {
      const state = supervisor.state;
      return showEngineMenu(state.kind === 'ready' || state.kind === 'generating' ? state.model.path : 'no model loaded');
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (reloadingSettings.some((id) => event.affectsConfiguration(id))) supervisor.stop('settings changed; the next request loads with the new settings');
    }),
  );

  const activationMs = performance.now() - activationStart;
  log.info(`Activated in ${activationMs.toFixed(1)} ms.`);
  return {
    activationMs,
    engine: {
      get state() {
        return supervisor.state;
      },
      get pid() {
        return supervisor.pid;
      },
      onDidChangeState: (listener) => {
        const subscription = supervisor.onDidChangeState(listener);
        return new vscode.Disposable(() => subscription.dispose());
      },
    },
    statusBarText: () => statusBar.text,
    completions,
  };
}

export function deactivate(): void {
  // Everything, the model process included, is disposed through context.subscriptions.
}
