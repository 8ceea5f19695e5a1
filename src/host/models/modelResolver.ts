// Decides which GGUF file to load: the `hearth.model.path` setting, else the first GGUF in the
// extension's storage folder, else `models/` inside the extension (development checkouts).
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { EngineRequestError } from '../engine/engineErrors';

export interface ModelSearch {
  /** The raw `hearth.model.path` setting; empty means "not set". */
  readonly settingPath: string;
  /** Folder that relative paths and `${workspaceFolder}` refer to. */
  readonly workspaceFolder: string | undefined;
  /** Hearth's models folder (in its global storage), where imported and downloaded models go. */
  readonly storageDir: string;
  /** The storage folder itself, where models were put before the models folder existed. */
  readonly legacyStorageDir?: string;
  /** `models/` inside the extension, used during development. */
  readonly devModelsDir: string;
}

export interface ResolvedModel {
  readonly path: string;
  readonly source: 'setting' | 'storage' | 'development';
}

export async function resolveModel(search: ModelSearch): Promise<ResolvedModel> {
  const setting = search.settingPath.trim();
  if (setting.length > 0) {
    // A configured path is used as given, even if missing: the model process names the file in its error.
    return { path: expandSettingPath(setting, search.workspaceFolder), source: 'setting' };
  }
  const stored = (await firstGguf(search.storageDir)) ?? (search.legacyStorageDir === undefined ? undefined : await firstGguf(search.legacyStorageDir));
  if (stored !== undefined) return { path: stored, source: 'storage' };
  const development = await firstGguf(search.devModelsDir);
  if (development !== undefined) return { path: development, source: 'development' };
  throw new EngineRequestError(
    'noModel',
    `No model is configured. Choose a GGUF model file, or set "hearth.model.path". Hearth also looks in ${search.storageDir}.`,
  );
}

export function expandSettingPath(setting: string, workspaceFolder: string | undefined): string {
  let path = setting;
  if (path === '~' || path.startsWith('~/')) path = join(homedir(), path.slice(1));
  if (workspaceFolder !== undefined) path = path.replaceAll('${workspaceFolder}', workspaceFolder);
  if (!isAbsolute(path) && workspaceFolder !== undefined) path = resolve(workspaceFolder, path);
  return path;
}

async function firstGguf(dir: string): Promise<string | undefined> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const candidates = entries.filter((name) => name.toLowerCase().endsWith('.gguf')).sort((a, b) => a.localeCompare(b));
  for (const name of candidates) {
    const path = join(dir, name);
    const stats = await stat(path).catch(() => undefined);
    if (stats?.isFile() === true) return path;
  }
  return undefined;
}
