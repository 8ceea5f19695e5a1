// The `hearth.model.*` and `hearth.engine.*` settings as one zod schema.
import { z } from 'zod';
import { threadsSchema } from '../../common/protocol/engineProtocol';

export const engineSettingsSchema = z.object({
  modelPath: z.string().default(''),
  completionModelPath: z.string().default(''),
  chatModelPath: z.string().default(''),
  threads: threadsSchema.default('auto'),
  contextSize: z.number().int().min(256).max(131_072).default(4096),
  idleUnloadMinutes: z.number().min(0).max(24 * 60).default(15),
});

export type EngineSettings = z.infer<typeof engineSettingsSchema>;

export const engineSettingIds: Record<keyof EngineSettings, string> = {
  modelPath: 'hearth.model.path',
  completionModelPath: 'hearth.models.completion',
  chatModelPath: 'hearth.models.chat',
  threads: 'hearth.engine.threads',
  contextSize: 'hearth.engine.contextSize',
  idleUnloadMinutes: 'hearth.engine.idleUnloadMinutes',
};

/** Setting ids whose change needs the model reloaded. */
export const reloadingSettings = [
  engineSettingIds.modelPath,
  engineSettingIds.completionModelPath,
  engineSettingIds.chatModelPath,
  engineSettingIds.threads,
  engineSettingIds.contextSize,
] as const;

/** The settings that say which model files load. */
export const modelPathSettings = [engineSettingIds.modelPath, engineSettingIds.completionModelPath, engineSettingIds.chatModelPath] as const;
