// Builds the supervisor from the extension's context and live settings.
import * as vscode from 'vscode';
import { EngineConnection } from './engineConnection';
import { EngineSupervisor } from './engineSupervisor';
import { modelSearch } from '../models/modelLocations';
import { resolveModel } from '../models/modelResolver';
import type { WorkspaceModelConsent } from '../models/workspaceModelConsent';
import { readEngineSettings } from '../settings';

export function createEngineSupervisor(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, consent: WorkspaceModelConsent): EngineSupervisor {
  const warn = (message: string) => log.warn(message);
  return new EngineSupervisor({
    spawn: () => EngineConnection.start(context.asAbsolutePath('dist/engine.mjs')),
    loadParams: async () => {
      const settings = readEngineSettings(warn);
      const model = await resolveModel(modelSearch(context, warn));
      await consent.check(model.path);
      log.info(`Loading ${model.path} (from ${model.source}).`);
      return { path: model.path, contextSize: settings.contextSize, threads: settings.threads };
    },
    idleUnloadMinutes: () => readEngineSettings(warn).idleUnloadMinutes,
    log: (level, message) => log[level](message),
  });
}
