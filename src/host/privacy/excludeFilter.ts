// `hearth.privacy.exclude`, read live for the features that are not completions (chat context,
// summaries): a predicate on workspace-relative paths that follows the setting without a reload.
import * as vscode from 'vscode';
import { z } from 'zod';
import { createPathFilter, DEFAULT_EXCLUDE_GLOBS } from '../../common/policy/pathFilter';

const globsSchema = z.array(z.string());

export function liveExcludeFilter(warn: (message: string) => void): (relativePath: string) => boolean {
  let globs: readonly string[] | undefined;
  let filter: (path: string) => boolean = () => false;
  return (path) => {
    const raw = vscode.workspace.getConfiguration('hearth.privacy').get<unknown>('exclude');
    const parsed = globsSchema.safeParse(raw);
    const current = parsed.success ? parsed.data : DEFAULT_EXCLUDE_GLOBS;
    if (globs === undefined || current.join('\0') !== globs.join('\0')) {
      globs = current;
      filter = createPathFilter(current, { onInvalid: (glob) => warn(`Ignoring invalid glob in hearth.privacy.exclude: ${glob}`) });
    }
    return filter(path);
  };
}
