// The installed packages a package needs at run time, found the way Node finds them (its own
// node_modules, then each folder above, up to the root): its dependencies and, when installed, its
// optional dependencies, recursively. Per-platform packages are left to the caller: `skip` drops
// them (node-llama-cpp's binaries for other platforms, the downloader's reflink binaries).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface ClosurePackage {
  readonly name: string;
  readonly version: string;
  /** Folder of the package, relative to the root (e.g. node_modules/a/node_modules/b). */
  readonly path: string;
}

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
}

export function dependencyClosure(root: string, entry: string, skip: (name: string) => boolean): ClosurePackage[] {
  const rootDir = resolve(root);
  const found = new Map<string, ClosurePackage>();
  const visit = (dir: string): void => {
    const path = relative(rootDir, dir).split(sep).join('/');
    if (found.has(path)) return;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    found.set(path, { name: manifest.name, version: manifest.version, path });
    for (const name of Object.keys(manifest.dependencies ?? {})) {
      if (skip(name)) continue;
      const next = locate(rootDir, dir, name);
      if (next === undefined) throw new Error(`${manifest.name} needs ${name}, which is not installed (run npm ci).`);
      visit(next);
    }
    for (const name of Object.keys(manifest.optionalDependencies ?? {})) {
      if (skip(name)) continue;
      const next = locate(rootDir, dir, name);
      if (next !== undefined) visit(next);
    }
  };
  const start = locate(rootDir, rootDir, entry);
  if (start === undefined) throw new Error(`${entry} is not installed (run npm ci).`);
  visit(start);
  return [...found.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/** Where `require(name)` from `fromDir` would find the package, not looking above the root. */
function locate(root: string, fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir || !dir.startsWith(root)) return undefined;
  }
}
