// Decides which GGUF file each role loads: its own setting (`hearth.models.completion` or
// `hearth.models.chat`), else `hearth.model.path`, else the other role's setting, else the first
// GGUF in the extension's storage folder, else `models/` inside the extension (development
// checkouts). One setting alone therefore serves both roles.
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { EngineRequestError } from '../engine/engineErrors';

export interface ModelSearch {
  /** The raw `hearth.model.path` setting; empty means "not set". */
  readonly settingPath: string;
  /** The raw `hearth.models.completion` and `hearth.models.chat` settings; empty means "not set". */
  readonly completionPath?: string;
  readonly chatPath?: string;
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
  /** The setting it came from, when it came from one. */
  readonly setting?: string;
}

export interface ResolvedRoles {
  readonly completion: ResolvedModel;
  readonly chat: ResolvedModel;
}

export async function resolveModels(search: ModelSearch): Promise<ResolvedRoles> {
  const completion = chosen(search, [
    ['hearth.models.completion', search.completionPath],
    ['hearth.model.path', search.settingPath],
    ['hearth.models.chat', search.chatPath],
  ]);
  const chat = chosen(search, [
    ['hearth.models.chat', search.chatPath],
    ['hearth.model.path', search.settingPath],
    ['hearth.models.completion', search.completionPath],
  ]);
  if (completion !== undefined && chat !== undefined) return { completion, chat };
  // Neither role has a setting (one set would serve both): both use the file found on disk.
  const found = await resolveModel({ ...search, settingPath: '' });
  return { completion: completion ?? found, chat: chat ?? found };
}

function chosen(search: ModelSearch, candidates: ReadonlyArray<readonly [string, string | undefined]>): ResolvedModel | undefined {
  for (const [setting, raw] of candidates) {
    const value = raw?.trim() ?? '';
    // A configured path is used as given, even if missing: the model process names the file in its error.
    if (value.length > 0) return { path: expandSettingPath(value, search.workspaceFolder), source: 'setting', setting };
  }
  return undefined;
}

export async function resolveModel(search: ModelSearch): Promise<ResolvedModel> {
  const setting = search.settingPath.trim();
  if (setting.length > 0) {
    // A configured path is used as given, even if missing: the model process names the file in its error.
    return { path: expandSettingPath(setting, search.workspaceFolder), source: 'setting', setting: 'hearth.model.path' };
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
