// Writes the settings that say which model each role loads (`hearth.model.path` for both,
// `hearth.models.completion` and `hearth.models.chat` for one), always in the user's settings: a
// model path belongs to this machine, and the engine reloads when one changes.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelUse } from '../../common/models/buildManageItems';
import type { ResolvedRoles } from './modelResolver';

const ROLE_SETTING: Readonly<Record<ModelUse, string>> = { completion: 'models.completion', chat: 'models.chat' };

/**
 * Sets the model of one role and keeps the other role's: a role without a setting of its own
 * follows `hearth.model.path`, else the other role's setting, so when neither exists it is pinned
 * to the file it uses now.
 */
export async function useModelFor(role: ModelUse, file: string, current: ResolvedRoles | undefined): Promise<void> {
  const config = vscode.workspace.getConfiguration('hearth');
  const otherRole: ModelUse = role === 'completion' ? 'chat' : 'completion';
  const other = ROLE_SETTING[otherRole];
  const otherPinned = isSet(config.get<string>(other)) || isSet(config.get<string>('model.path'));
  if (!otherPinned && current !== undefined) await config.update(other, current[otherRole].path, vscode.ConfigurationTarget.Global);
  await config.update(ROLE_SETTING[role], file, vscode.ConfigurationTarget.Global);
}

/** One model for both roles (Choose Model File…, Import and use): the role settings would shadow it, so they go. */
export async function useModelForBoth(file: string): Promise<void> {
  const config = vscode.workspace.getConfiguration('hearth');
  for (const setting of Object.values(ROLE_SETTING)) {
    if (config.inspect<string>(setting)?.globalValue !== undefined) await config.update(setting, undefined, vscode.ConfigurationTarget.Global);
  }
  await config.update('model.path', file, vscode.ConfigurationTarget.Global);
}

/** Clears every model setting that names a file about to be gone. */
export async function forgetModelFile(file: string): Promise<void> {
  const config = vscode.workspace.getConfiguration('hearth');
  const resolved = path.resolve(file);
  for (const setting of ['model.path', ...Object.values(ROLE_SETTING)]) {
    const configured = config.inspect<string>(setting)?.globalValue;
    if (configured !== undefined && isSet(configured) && path.resolve(configured) === resolved) await config.update(setting, undefined, vscode.ConfigurationTarget.Global);
  }
}

function isSet(value: string | undefined): boolean {
  return (value ?? '').trim().length > 0;
}
