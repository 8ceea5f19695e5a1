// "Exclude from AI": workspace-relative paths matched against the user's globs with picomatch
// (the matcher micromatch and fast-glob use), so `**/.env` means what it means in VS Code's own
// `files.exclude`. Pure: no `vscode`, no Node built-ins.
import picomatch from 'picomatch';

/** Files that hold secrets by convention: they get no completions and are never used as context. */
export const DEFAULT_EXCLUDE_GLOBS: readonly string[] = ['**/.env', '**/.env.*', '**/*.pem', '**/*.key', '**/id_rsa*', '**/secrets/**'];

export interface PathFilterOptions {
  /** Called once per glob that picomatch cannot compile; that glob is skipped, the others still apply. */
  readonly onInvalid?: (glob: string, error: unknown) => void;
}

/** A predicate: true when `path` (workspace-relative, `/` or `\` separated) matches any glob. */
export function createPathFilter(globs: readonly string[], options: PathFilterOptions = {}): (path: string) => boolean {
  const matchers: Array<(path: string) => boolean> = [];
  for (const glob of globs) {
    const trimmed = glob.trim();
    if (trimmed.length === 0) continue;
    try {
      // dot: `.env` files are what these globs exist for; nocase: paths on Windows and macOS are.
      matchers.push(picomatch(trimmed, { dot: true, nocase: true }));
    } catch (error) {
      options.onInvalid?.(glob, error);
    }
  }
  return (path) => {
    const normal = path.replace(/\\/g, '/').replace(/^\.\//, '');
    return matchers.some((matches) => matches(normal));
  };
}
