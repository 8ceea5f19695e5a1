// `npm run package`: one installable .vsix per platform, each holding the production bundles,
// node-llama-cpp with the packages it needs at run time, and only its own platform's prebuilt
// llama.cpp binary.
//
//   npm run package                          all five targets (fetches the other platforms' binaries)
//   npm run package -- --target linux-x64    one target (repeatable)
//   npm run package -- --gpu cuda            add the CUDA build where the target has one (also: vulkan)
//   npm run package -- --offline             never ask the registry; fail if a binary is not installed
//
// Each target is staged in .package/stage/<target>/ (a package.json that depends on node-llama-cpp
// alone, the bundles, and a node_modules copied from this checkout's, pruned), then packed by
// `vsce package --target` into .package/out/. The script prints each package's size and its ten
// largest files, and fails when one is over its budget (packageTargets.ts).
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dependencyClosure } from './dependencyClosure';
import { binaryPackagesFor, isVsceTarget, PACKAGE_TARGETS, type GpuVariant, type PackageTarget, type VsceTarget } from './packageTargets';
import { largestEntries, mib, overBudget, readVsix } from './vsixReport';

const ROOT = resolve(__dirname, '..', '..');
const WORK = join(ROOT, '.package');
export const PACKAGE_OUT_DIR = join(WORK, 'out');
const BUNDLES = join(WORK, 'dist');
const CACHE = join(WORK, 'cache');

/** Files of node-llama-cpp it never reads when it loads a prebuilt binary (build: 'never'). */
const NODE_LLAMA_CPP_UNUSED = [
  // The llama.cpp sources as a git bundle, for building from source (34 MB).
  'llama/gitRelease.bundle',
  // Project templates for `npm create node-llama-cpp`.
  'templates',
];

interface Options {
  readonly targets: readonly VsceTarget[];
  readonly gpu: readonly GpuVariant[];
  readonly offline: boolean;
}

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

export interface PackagedTarget {
  readonly target: VsceTarget;
  readonly file: string;
  readonly bytes: number;
  readonly budgetBytes: number;
}

function parseArgs(argv: readonly string[]): Options {
  const targets: VsceTarget[] = [];
  const gpu: GpuVariant[] = [];
  let offline = false;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    const value = () => {
      const next = argv[index + 1];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      index += 1;
      return next;
    };
    if (arg === '--target') {
      const target = value();
      if (!isVsceTarget(target)) throw new Error(`Unknown target ${target}; one of ${Object.keys(PACKAGE_TARGETS).join(', ')}.`);
      targets.push(target);
    } else if (arg === '--gpu') {
      const variant = value();
      if (variant !== 'cuda' && variant !== 'vulkan') throw new Error(`--gpu takes cuda or vulkan, not ${variant}.`);
      gpu.push(variant);
    } else if (arg === '--offline') {
      offline = true;
    } else {
      throw new Error(`Unknown argument ${arg}`);
    }
  }
  return { targets: targets.length > 0 ? targets : (Object.keys(PACKAGE_TARGETS) as VsceTarget[]), gpu, offline };
}

export async function packageExtension(options: Options): Promise<PackagedTarget[]> {
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as Manifest;
  const llamaVersion = manifest.dependencies['node-llama-cpp'];
  if (llamaVersion === undefined || !/^\d+\.\d+\.\d+$/.test(llamaVersion)) {
    throw new Error(`package.json must pin node-llama-cpp to an exact version (its binary packages must match it), not ${llamaVersion}.`);
  }
  run(process.execPath, [join(ROOT, 'esbuild.mjs'), '--production', `--outdir=${BUNDLES}`], ROOT);
  // Everything node-llama-cpp needs, except the per-platform packages each target picks for itself.
  const closure = dependencyClosure(ROOT, 'node-llama-cpp', (name) => name.startsWith('@node-llama-cpp/') || name.startsWith('@reflink/'));
  await mkdir(PACKAGE_OUT_DIR, { recursive: true });
  const packaged: PackagedTarget[] = [];
  for (const name of options.targets) {
    packaged.push(await packageTarget(PACKAGE_TARGETS[name], options, manifest, llamaVersion, closure.map((entry) => entry.path)));
  }
  return packaged;
}

async function packageTarget(target: PackageTarget, options: Options, manifest: Manifest, llamaVersion: string, closure: readonly string[]): Promise<PackagedTarget> {
  const stage = join(WORK, 'stage', target.target);
  await rm(stage, { recursive: true, force: true });
  await mkdir(stage, { recursive: true });
  log(`${target.target}: staging in ${stage}`);

  await writeFile(join(stage, 'package.json'), `${JSON.stringify(stagedManifest(manifest, llamaVersion), null, 2)}\n`);
  for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md', '.vscodeignore']) await cp(join(ROOT, file), join(stage, file));
  await cp(join(ROOT, 'media'), join(stage, 'media'), { recursive: true });
  await cp(join(ROOT, 'docs'), join(stage, 'docs'), { recursive: true });
  await cp(BUNDLES, join(stage, 'dist'), { recursive: true });

  for (const path of closure) await copyPackage(join(ROOT, path), join(stage, path));
  for (const unused of NODE_LLAMA_CPP_UNUSED) await rm(join(stage, 'node_modules', 'node-llama-cpp', unused), { recursive: true, force: true });
  for (const name of binaryPackagesFor(target, options.gpu)) {
    const source = await binaryPackage(name, llamaVersion, options.offline);
    await copyPackage(source, join(stage, 'node_modules', name));
  }

  const out = join(PACKAGE_OUT_DIR, `${manifest.name}-${target.target}-${manifest.version}.vsix`);
  await rm(out, { force: true });
  run(process.execPath, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--target', target.target, '--out', out], stage);

  const report = await readVsix(out);
  log(`${target.target}: ${out} is ${mib(report.bytes)} (${report.entries.length} files; budget ${mib(target.budgetBytes)}). Largest files:`);
  for (const entry of largestEntries(report)) log(`  ${mib(entry.bytes).padStart(10)}  ${entry.path}`);
  const budget = options.gpu.length === 0 ? overBudget(report, target.budgetBytes, target.target) : undefined;
  if (budget !== undefined) throw new Error(budget);
  return { target: target.target, file: out, bytes: report.bytes, budgetBytes: target.budgetBytes };
}

/** The manifest the package carries: no scripts or dev tooling, and node-llama-cpp as its one dependency (the rest is bundled). */
function stagedManifest(manifest: Manifest, llamaVersion: string): Record<string, unknown> {
  const staged: Record<string, unknown> = { ...manifest, dependencies: { 'node-llama-cpp': llamaVersion } };
  for (const key of ['scripts', 'devDependencies', 'allowScripts']) delete staged[key];
  return staged;
}

/** A package's own files (its nested node_modules are copied as packages of their own), without maps and type declarations. */
async function copyPackage(from: string, to: string): Promise<void> {
  await cp(from, to, {
    recursive: true,
    filter: (source) => {
      const inside = source.slice(from.length);
      return !/[\\/]node_modules([\\/]|$)/.test(inside) && !/\.(map|d\.ts|d\.mts|d\.cts)$/.test(source);
    },
  });
}

/**
 * The folder of an @node-llama-cpp binary package of exactly node-llama-cpp's version: this
 * checkout's when it has it (npm installs the build machine's own), else fetched once from the npm
 * registry into .package/cache/ (`npm pack`).
 */
async function binaryPackage(name: string, version: string, offline: boolean): Promise<string> {
  const installed = join(ROOT, 'node_modules', name);
  if (existsSync(join(installed, 'package.json'))) {
    const installedVersion = (JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { version: string }).version;
    if (installedVersion === version) return installed;
  }
  const cached = join(CACHE, `${name.replace('/', '+')}@${version}`, 'package');
  if (existsSync(join(cached, 'package.json'))) return cached;
  if (offline) throw new Error(`${name}@${version} is not installed here and --offline forbids fetching it; package this target without --offline, or on a machine of that platform.`);
  const dir = join(CACHE, `${name.replace('/', '+')}@${version}`);
  await mkdir(dir, { recursive: true });
  log(`fetching ${name}@${version} from the npm registry`);
  run('npm', ['pack', `${name}@${version}`, '--pack-destination', dir, '--silent'], ROOT);
  const tarball = (await readdir(dir)).find((file) => file.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack ${name}@${version} wrote no tarball`);
  run('tar', ['-xzf', join(dir, tarball), '-C', dir], ROOT);
  return cached;
}

function run(command: string, args: readonly string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
}

function log(message: string): void {
  console.log(`[package] ${message}`);
}

if (require.main === module) {
  packageExtension(parseArgs(process.argv.slice(2))).then(
    (packaged) => {
      log(`done: ${packaged.map((item) => `${item.target} ${mib(item.bytes)}`).join(', ')}`);
    },
    (error: unknown) => {
      console.error(`[package] ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
