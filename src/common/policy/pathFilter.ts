// Workspace-relative paths matched against globs with picomatch (the matcher micromatch and
// fast-glob use), so `**/.env` means what it means in VS Code's own `files.exclude`. Pure: no
// `vscode`, no Node built-ins.
import picomatch from 'picomatch';
import type { SourcedGlob } from './privacyPolicy';

export interface PathFilterOptions {
  /** Called once per glob that picomatch cannot compile; that glob is skipped, the others still apply. */
  readonly onInvalid?: (glob: string, error: unknown) => void;
}

/** The first glob (with its source) that `path` matches, or undefined. */
export function createGlobMatcher(globs: readonly SourcedGlob[], options: PathFilterOptions = {}): (path: string) => SourcedGlob | undefined {
  const matchers: Array<{ readonly glob: SourcedGlob; readonly matches: (path: string) => boolean }> = [];
  for (const glob of globs) {
    const trimmed = glob.glob.trim();
    if (trimmed.length === 0) continue;
    try {
      // dot: `.env` files are what these globs exist for; nocase: paths on Windows and macOS are.
      matchers.push({ glob, matches: picomatch(trimmed, { dot: true, nocase: true }) });
    } catch (error) {
      options.onInvalid?.(glob.glob, error);
    }
  }
  return (path) => {
    const normal = normalizePath(path);
    return matchers.find(({ matches }) => matches(normal))?.glob;
  };
}

/** A predicate: true when `path` (workspace-relative, `/` or `\` separated) matches any glob. */
export function createPathFilter(globs: readonly string[], options: PathFilterOptions = {}): (path: string) => boolean {
  const match = createGlobMatcher(
    globs.map((glob) => ({ glob, source: '' })),
    options,
  );
  return (path) => match(path) !== undefined;
}

/** `/` separators, no leading `./`. */
export function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\.\//, '');
}
