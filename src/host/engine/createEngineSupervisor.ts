// Builds the supervisor from the extension's context and live settings.
import * as vscode from 'vscode';
import { EngineConnection } from './engineConnection';
import { EngineSupervisor } from './engineSupervisor';
import { modelSearch } from '../models/modelLocations';
import { resolveModels } from '../models/modelResolver';
import type { WorkspaceModelConsent } from '../models/workspaceModelConsent';
import type { ThreadTuningMemory } from './threadTuningMemory';
import { readEngineSettings } from '../settings';

export function createEngineSupervisor(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  consent: WorkspaceModelConsent,
  tuning: ThreadTuningMemory,
): EngineSupervisor {
  const warn = (message: string) => log.warn(message);
  return new EngineSupervisor({
    spawn: () => EngineConnection.start(context.asAbsolutePath('dist/engine.mjs')),
    loadParams: async () => {
      const settings = readEngineSettings(warn);
      const { completion, chat } = await resolveModels(modelSearch(context, warn));
      await consent.check(completion.path);
      if (chat.path !== completion.path) await consent.check(chat.path);
      const from = (model: typeof completion) => model.setting ?? model.source;
      if (chat.path === completion.path) log.info(`Loading ${completion.path} for completion and chat (from ${from(completion)}).`);
      else log.info(`Loading ${completion.path} for completion (from ${from(completion)}) and ${chat.path} for chat (from ${from(chat)}).`);
      // Thread counts measured before for these files on this machine: the load skips measuring them.
      const rememberedThreads = settings.threads === 'auto' ? await tuning.lookup([completion.path, chat.path]) : [];
      return {
        path: completion.path,
        ...(chat.path === completion.path ? {} : { chatPath: chat.path }),
        contextSize: settings.contextSize,
        threads: settings.threads,
        rememberedThreads,
      };
    },
    idleUnloadMinutes: () => readEngineSettings(warn).idleUnloadMinutes,
    log: (level, message) => log[level](message),
  });
}
