// Hearth's settings, read through zod schemas so an invalid value falls back to its default
// with a warning in the log instead of reaching the model process.
import * as vscode from 'vscode';
import { z } from 'zod';
import { engineSettingIds, engineSettingsSchema, type EngineSettings } from './engine/engineSettings';

export function readEngineSettings(warn: (message: string) => void): EngineSettings {
  return readSettings(engineSettingsSchema, engineSettingIds, warn);
}

const warned = new Set<string>();

/** Reads each field from its setting id; an invalid one is replaced by its default, with one warning. */
export function readSettings<T extends z.ZodRawShape>(schema: z.ZodObject<T>, ids: Record<keyof T & string, string>, warn: (message: string) => void): z.infer<z.ZodObject<T>> {
  const config = vscode.workspace.getConfiguration();
  const defaults: Record<string, unknown> = schema.parse({});
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape) as Array<keyof T & string>) {
    const raw = config.get<unknown>(ids[key]);
    const field = (schema.shape[key] as z.ZodTypeAny).safeParse(raw);
    if (field.success) {
      result[key] = field.data;
      continue;
    }
    const message = `Ignoring invalid setting ${ids[key]} (${JSON.stringify(raw)}): ${field.error.issues[0]?.message ?? 'invalid'}; using ${JSON.stringify(defaults[key])}.`;
    if (!warned.has(message)) {
      warned.add(message);
      warn(message);
    }
    result[key] = defaults[key];
  }
  return schema.parse(result);
}
