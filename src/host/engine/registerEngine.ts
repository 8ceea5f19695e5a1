// The model process as the user sees it: the supervisor behind every request, the status bar
// item and its menu, Restart Engine, Show Log, Try the Local Model, and reloading when a setting
// that shapes the model changes.
import * as vscode from 'vscode';
import { bundledModelCatalog, catalogEntryForPath } from '../models/modelCatalog';
import type { PrivacyArea } from '../privacy/registerPrivacy';
import { CONFIRM_WORKSPACE_MODEL_COMMAND, WorkspaceModelConsent } from '../models/workspaceModelConsent';
import { askConsent } from '../privacy/consentDialog';
import { withErrors, type Services } from '../services';
import { cloudConnection } from '../text/cloudConnection';
import { CloudGateway } from '../text/cloudGateway';
import { loadCloudModules } from '../loadCloudModules';
import { TextRouter } from '../text/textRouter';
import { TextService } from '../text/textService';
import { taskInfo } from '../../common/text/tasks';
import { createEngineSupervisor } from './createEngineSupervisor';
import { EngineClient } from './engineClient';
import { presentEngineError } from './engineErrorPresenter';
import { showEngineMenu } from './engineMenu';
import { reloadingSettings } from './engineSettings';
import { EngineStatusBar, STATUS_MENU_COMMAND } from './engineStatusBar';
import { ThreadTuningMemory } from './threadTuningMemory';
import { tryModel, type TryModelResult } from './tryModel';

export interface EngineArea {
  readonly services: Services;
  readonly statusBarText: () => string;
  readonly statusBarTooltip: () => string;
  /** Every "kept local" notice shown, for tests. */
  readonly keptLocalNotices: readonly string[];
}

export function registerEngine(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, privacy: PrivacyArea): EngineArea {
  const consent = new WorkspaceModelConsent(context.globalState);
  const tuning = new ThreadTuningMemory(context.globalState);
  const supervisor = createEngineSupervisor(context, log, consent, tuning);
  context.subscriptions.push({ dispose: () => supervisor.dispose() });

  // The FIM order is resolved once per loaded model, here, from the catalog.
  const catalog = bundledModelCatalog();
  const client = new EngineClient(supervisor, (model) => catalogEntryForPath(catalog, model.path)?.fim?.order);
  const policy = () => privacy.policy.current;
  const cloud = new CloudGateway({
    policy,
    neverSendReason: (source) => privacy.gate.neverSendReason(source),
    askConsent,
    apiKey: (endpoint) => privacy.apiKeys.get(endpoint),
    connection: cloudConnection,
    createProvider: (endpoint, options) => loadCloudModules().createCloudProvider(endpoint, options),
    redact: async (texts) => {
      const { redactSecrets, mergeFindings } = loadCloudModules();
      const results = await Promise.all(texts.map((text) => redactSecrets(text)));
      return { texts: results.map((result) => result.text), findings: mergeFindings(results.map((result) => result.findings)) };
    },
    ledger: privacy.ledger,
    log: (message) => log.info(message),
  });
  const keptLocalNotices: string[] = [];
  const text = new TextService({
    local: client,
    router: new TextRouter(policy, () => vscode.workspace.getConfiguration('hearth.privacy').get<string>('cloudEndpoint')),
    cloud,
    excludedReason: (source) => privacy.gate.excludedReason(source),
    keptLocal: (task, why) => {
      keptLocalNotices.push(why);
      log.info(`privacy: ${taskInfo(task).title}: ${why}`);
      void vscode.window.showInformationMessage(`Hearth: ${why}`, 'Privacy Options').then((choice) => {
        if (choice) void vscode.commands.executeCommand('hearth.privacy.menu');
      });
    },
    log: (level, message) => log[level](message),
  });
  const services: Services = {
    log,
    engine: supervisor,
    engineClient: client,
    text,
    privacy,
    presentError: (error) => void presentEngineError(error),
  };

  const statusBar = new EngineStatusBar();
  context.subscriptions.push(
    statusBar,
    supervisor.onDidChangeState((state) => statusBar.show(state)),
    // A fresh thread measurement is kept for the next load of the same file on this machine.
    supervisor.onDidChangeState((state) => {
      if (state.kind !== 'ready') return;
      void tuning.rememberLoad(state.model).then(
        (paths) => paths.forEach((path) => log.info(`Remembered the thread measurement for ${path}; the next load reuses it.`)),
        (error: unknown) => log.warn(`Could not remember the thread measurement: ${error instanceof Error ? error.message : String(error)}`),
      );
    }),
    supervisor.onDidGiveUp((error) => services.presentError(error)),
    vscode.commands.registerCommand(
      'hearth.generate.tryModel',
      withErrors(services, (prompt?: unknown): Promise<TryModelResult | undefined> => tryModel(text, typeof prompt === 'string' ? prompt : undefined)),
    ),
    vscode.commands.registerCommand('hearth.engine.restart', withErrors(services, () => supervisor.restart())),
    // "Load This Model File": the one confirmation a model file inside the workspace needs.
    vscode.commands.registerCommand(
      CONFIRM_WORKSPACE_MODEL_COMMAND,
      withErrors(services, async (file?: unknown) => {
        if (typeof file !== 'string' || !(await consent.confirm(file))) return false;
        log.info(`Confirmed the workspace model file ${file}.`);
        await supervisor.restart();
        return true;
      }),
    ),
    vscode.commands.registerCommand('hearth.showLog', () => log.show()),
    vscode.commands.registerCommand(STATUS_MENU_COMMAND, () => {
      const state = supervisor.state;
      return showEngineMenu(state.kind === 'ready' || state.kind === 'generating' ? state.model.path : 'no model loaded');
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (reloadingSettings.some((id) => event.affectsConfiguration(id))) supervisor.stop('settings changed; the next request loads with the new settings');
    }),
  );
  return { services, statusBarText: () => statusBar.text, statusBarTooltip: () => statusBar.tooltip, keptLocalNotices };
}
