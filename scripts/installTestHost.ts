// Installs the "real VS Code for tests" that this machine can have without internet access:
// code-server (the VS Code server and workbench, from the npm registry) into .vscode-test/, and
// Debian's Chromium to drive it. Idempotent and offline-safe; see DESIGN.md, "A real VS Code for tests".
//
//   node --import tsx scripts/installTestHost.ts
//
// Other scripts import `installTestHost()` and get the paths they need to start the host.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
export const CHROMIUM_PATH = '/usr/bin/chromium';

const REPO_ROOT = path.resolve(__dirname, '..');
const INSTALL_DIR = path.join(REPO_ROOT, '.vscode-test', 'code-server');
const MARKER = path.join(INSTALL_DIR, '.installed-version');
const LOCK_DIR = path.join(REPO_ROOT, '.vscode-test', 'code-server.lock');
const INSTALL_LOG = path.join(REPO_ROOT, '.vscode-test', 'code-server-install.log');
const CODE_SERVER_DIR = path.join(INSTALL_DIR, 'node_modules', 'code-server');
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_DIR, 'out', 'node', 'entry.js');

/** Debian packages: Kerberos headers (kerberos compiles from source), ripgrep (for @vscode/ripgrep), the browser. */
const DEBIAN_PACKAGES = ['libkrb5-dev', 'ripgrep', 'chromium'];
/** node-gyp's tools, for the native modules that compile from source offline; installed only if missing. */
const BUILD_TOOLS: Record<string, string> = { 'g++': 'g++', make: 'make', python3: 'python3' };

// Install scripts. npm 11 keeps a per-project policy, the `allowScripts` field of package.json (name ->
// true/false). `npm help install-scripts` says unlisted scripts are skipped; npm 11.19.1 here runs them
// with a warning, skips denied ones, and with `strict-allow-scripts` fails on unlisted ones. So every
// package with an install script in code-server's tree is listed, approved or denied, which works in
// all three cases. It must be the package.json field: `--allow-scripts` (or npm_config_allow_scripts,
// or an .npmrc value, which npm exports to scripts as that variable) makes the nested project-scoped
// `npm install` in code-server's postinstall fail with EALLOWSCRIPTS. Older npm ignores the field and
// runs every script, which also works (checked with npm 10.9.9). Name-only entries, reviewed for
// code-server 4.100.3.
const TOP_LEVEL_ALLOW_SCRIPTS: Record<string, boolean> = {
  'code-server': true, // postinstall.sh: `npm install` in lib/vscode and lib/vscode/extensions, symlinks
  argon2: true, // native password hashing; code-server loads it at startup even with --auth none
};
// code-server's postinstall runs `npm install --omit=dev` in lib/vscode, a separate npm project; the
// policy for that install must be in lib/vscode/package.json before the postinstall runs.
const VSCODE_ALLOW_SCRIPTS: Record<string, boolean> = {
  '@parcel/watcher': true, // file watcher
  '@vscode/ripgrep': true, // search; postinstall uses the cached tarball made below
  '@vscode/spdlog': true, // logging
  kerberos: true, // proxy authentication; compiled against libkrb5-dev
  'native-watchdog': true, // extension host watchdog
  'node-pty': true, // terminals
  // Windows-only addons: their binding.gyp builds nothing on Linux; skipping saves compiler time.
  '@vscode/deviceid': false,
  '@vscode/windows-process-tree': false,
  '@vscode/windows-registry': false,
  '@vscode/windows-ca-certs': false,
};
// Then `npm install --omit=dev` in lib/vscode/extensions: only typescript, no scripts; its dev
// dependencies are not installed but are listed (denied) so that `strict-allow-scripts` passes too.
const EXTENSIONS_ALLOW_SCRIPTS: Record<string, boolean> = { '@parcel/watcher': false, esbuild: false };
/** Files (under INSTALL_DIR) that exist only when every needed install script ran; checked after installing. */
const REQUIRED_ARTIFACTS = [
  'node_modules/code-server/out/node/entry.js',
  'node_modules/argon2/lib/binding/napi-v3/argon2.node',
  ...[
    'node_modules.asar',
    'node_modules/@vscode/ripgrep/bin/rg',
    'node_modules/@vscode/spdlog/build/Release/spdlog.node',
    'node_modules/kerberos/build/Release/kerberos.node',
    'node_modules/native-watchdog/build/Release/watchdog.node',
    'node_modules/node-pty/build/Release/pty.node',
    'extensions/node_modules/typescript/package.json',
  ].map((file) => `node_modules/code-server/lib/vscode/${file}`),
];

export interface TestHost {
  codeServerEntry: string;
  chromiumPath: string;
}

export async function installTestHost(): Promise<TestHost> {
  if (!(await isInstalled()) || missingDebianPackages().length) {
    await withLock(async () => {
      // Checked again under the lock: another runner may have finished meanwhile.
      const installed = await isInstalled();
      ensureDebianPackages(installed ? [] : missingBuildTools());
      if (installed) return;
      const started = Date.now();
      await createRipgrepCache();
      await installCodeServer();
      log(`code-server ${CODE_SERVER_VERSION} installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing although the chromium package is installed`);
  return { codeServerEntry: CODE_SERVER_ENTRY, chromiumPath: CHROMIUM_PATH };
}

async function isInstalled(): Promise<boolean> {
  const marker = await fs.readFile(MARKER, 'utf8').catch(() => '');
  return marker.trim() === CODE_SERVER_VERSION && existsSync(CODE_SERVER_ENTRY);
}

function log(message: string): void {
  process.stderr.write(`[installTestHost] ${message}\n`);
}

function missingBuildTools(): string[] {
  return Object.entries(BUILD_TOOLS)
    .filter(([command]) => spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0)
    .map(([, debianPackage]) => debianPackage);
}

const hasDpkg = (): boolean => !spawnSync('dpkg-query', ['--version']).error;

function isDebianPackageInstalled(name: string): boolean {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim().endsWith(' installed');
}

function missingDebianPackages(): string[] {
  return hasDpkg() ? DEBIAN_PACKAGES.filter((name) => !isDebianPackageInstalled(name)) : [];
}

function ensureDebianPackages(extra: string[]): void {
  if (!hasDpkg()) {
    // Not Debian: the binaries themselves are what matter.
    const missing = ['/usr/bin/rg', CHROMIUM_PATH].filter((file) => !existsSync(file));
    if (missing.length) throw new Error(`Not a Debian system and missing ${missing.join(', ')}; install ripgrep, Chromium and the Kerberos headers`);
    return;
  }
  const missing = [...missingDebianPackages(), ...extra];
  if (!missing.length) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`Missing Debian packages: ${missing.join(' ')}. Install them with:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
    // apt's output goes to stderr: stdout is for the paths this script prints.
    const result = spawnSync('apt-get', args, { env, stdio: ['ignore', 2, 2] });
    if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
  }
  const still = missing.filter((name) => !isDebianPackageInstalled(name));
  if (still.length) throw new Error(`apt-get did not install: ${still.join(' ')}`);
}

/**
 * @vscode/ripgrep's postinstall downloads ripgrep from GitHub unless this cached asset exists
 * (it checks `os.tmpdir()`, i.e. $TMPDIR, and only the file name). Debian's rg stands in for it.
 */
async function createRipgrepCache(): Promise<void> {
  const targets: Partial<Record<string, string>> = { x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' };
  const target = targets[process.arch];
  if (process.platform !== 'linux' || !target) throw new Error(`installTestHost supports Linux x64/arm64 only, not ${process.platform}/${process.arch}`);
  const dir = path.join(os.tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  const asset = path.join(dir, `ripgrep-v13.0.0-10-${target}.tar.gz`);
  if (existsSync(asset)) return;
  await fs.mkdir(dir, { recursive: true });
  const staging = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-rg-'));
  try {
    await fs.copyFile('/usr/bin/rg', path.join(staging, 'rg'));
    await fs.chmod(path.join(staging, 'rg'), 0o755);
    const partial = `${asset}.${process.pid}.partial`;
    const result = spawnSync('tar', ['-czf', partial, '-C', staging, 'rg']);
    if (result.status !== 0) throw new Error(`tar failed: ${result.stderr}`);
    await fs.rename(partial, asset);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

async function installCodeServer(): Promise<void> {
  await fs.rm(INSTALL_DIR, { recursive: true, force: true });
  await fs.mkdir(INSTALL_DIR, { recursive: true });
  const manifest = {
    name: 'hearth-test-host',
    private: true,
    description: 'code-server for the Hearth integration and end-to-end tests; written by scripts/installTestHost.ts',
    dependencies: { 'code-server': CODE_SERVER_VERSION },
    allowScripts: TOP_LEVEL_ALLOW_SCRIPTS,
  };
  await fs.writeFile(path.join(INSTALL_DIR, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    npm_config_unsafe_perm: 'true', // code-server's postinstall refuses to run as root without it
    npm_config_yes: 'true', // node-pty's build runs `npx node-gyp`; without it npx cancels
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  // node-gyp downloads Node's headers unless told where they are; offline that fails.
  const nodePrefix = path.resolve(path.dirname(process.execPath), '..');
  if (!env.npm_config_nodedir && existsSync(path.join(nodePrefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = nodePrefix;

  const logFile = createWriteStream(INSTALL_LOG);
  try {
    // 1. Fetch the whole tree without running anything, 2. put the nested projects' script policies
    // in place, 3. `npm rebuild` runs the approved scripts, code-server's postinstall (and so its
    // nested installs) included. A single `npm install` would run that postinstall before step 2, and
    // the nested installs would meet unlisted scripts (a warning now, an error in strict mode).
    await runNpm(['install', '--ignore-scripts', '--no-audit', '--no-fund'], env, logFile);
    await addAllowScripts(path.join(CODE_SERVER_DIR, 'lib', 'vscode', 'package.json'), VSCODE_ALLOW_SCRIPTS);
    await addAllowScripts(path.join(CODE_SERVER_DIR, 'lib', 'vscode', 'extensions', 'package.json'), EXTENSIONS_ALLOW_SCRIPTS);
    await runNpm(['rebuild', '--foreground-scripts'], env, logFile);
  } finally {
    await new Promise((resolve) => logFile.end(resolve));
  }
  const missing = REQUIRED_ARTIFACTS.filter((file) => !existsSync(path.join(INSTALL_DIR, file)));
  if (missing.length) {
    throw new Error(`code-server installed without:\n  ${missing.join('\n  ')}\n(an install script was skipped or failed; see ${INSTALL_LOG})`);
  }
  await fs.writeFile(MARKER, `${CODE_SERVER_VERSION}\n`);
}

async function addAllowScripts(packageJsonPath: string, allow: Record<string, boolean>): Promise<void> {
  const manifest = JSON.parse(await fs.readFile(packageJsonPath, 'utf8')) as { allowScripts?: Record<string, boolean> };
  manifest.allowScripts = { ...manifest.allowScripts, ...allow };
  await fs.writeFile(packageJsonPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

async function runNpm(args: string[], env: NodeJS.ProcessEnv, logFile: NodeJS.WritableStream): Promise<void> {
  const command = `npm ${args.join(' ')}`;
  log(`${command} (in ${path.relative(REPO_ROOT, INSTALL_DIR)}, log: ${path.relative(REPO_ROOT, INSTALL_LOG)})`);
  logFile.write(`\n$ ${command}\n`);
  let tail = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('npm', args, { cwd: INSTALL_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (chunk: Buffer): void => {
      logFile.write(chunk);
      tail = (tail + chunk.toString()).slice(-6000);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`${command} failed with exit code ${code}; last output:\n${tail}\n(full log: ${INSTALL_LOG})`);
}

/** A lock directory, so that test runners started together do not install over each other. */
async function withLock<T>(action: () => Promise<T>): Promise<T> {
  await fs.mkdir(path.dirname(LOCK_DIR), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      await fs.mkdir(LOCK_DIR);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const stat = await fs.stat(LOCK_DIR).catch(() => undefined);
      if (stat && Date.now() - stat.mtimeMs > 15 * 60_000) {
        await fs.rm(LOCK_DIR, { recursive: true, force: true }); // left by a killed install
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${LOCK_DIR}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await action();
  } finally {
    await fs.rm(LOCK_DIR, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === __filename) {
  installTestHost().then(
    (host) => {
      console.log(`codeServerEntry=${host.codeServerEntry}`);
      console.log(`chromiumPath=${host.chromiumPath}`);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
