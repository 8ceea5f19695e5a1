// Hearth's settings, read through one zod schema so an invalid value falls back to its default
// with a warning in the log instead of reaching the model process.
import * as vscode from 'vscode';
import { z } from 'zod';
import { threadsSchema } from '../common/protocol/engineProtocol';

const engineSettings = z.object({
  modelPath: z.string().default(''),
  threads: threadsSchema.default('auto'),
  contextSize: z.number().int().min(256).max(131_072).default(4096),
  idleUnloadMinutes: z.number().min(0).max(24 * 60).default(15),
});

export type EngineSettings = z.infer<typeof engineSettings>;

/** Setting ids whose change needs the model reloaded. */
export const reloadingSettings = ['hearth.model.path', 'hearth.engine.threads', 'hearth.engine.contextSize'] as const;

export function readEngineSettings(warn: (message: string) => void): EngineSettings {
  const config = vscode.workspace.getConfiguration('hearth');
  const raw = {
    modelPath: config.get<unknown>('model.path'),
    threads: config.get<unknown>('engine.threads'),
    contextSize: config.get<unknown>('engine.contextSize'),
    idleUnloadMinutes: config.get<unknown>('engine.idleUnloadMinutes'),
  };
  const defaults = engineSettings.parse({});
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(defaults) as Array<keyof EngineSettings>) {
    const field = engineSettings.shape[key].safeParse(raw[key]);
    if (field.success) result[key] = field.data;
    else {
      warn(`Ignoring invalid setting ${settingId(key)} (${JSON.stringify(raw[key])}): ${field.error.issues[0]?.message ?? 'invalid'}; using ${JSON.stringify(defaults[key])}.`);
      result[key] = defaults[key];
    }
  }
  return engineSettings.parse(result);
}

function settingId(key: keyof EngineSettings): string {
  return key === 'modelPath' ? 'hearth.model.path' : `hearth.engine.${key}`;
}
