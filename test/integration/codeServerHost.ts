// A real VS Code for tests: starts code-server (the VS Code server + workbench) and Debian's
// Chromium through playwright-core. Used by the integration runner and the end-to-end UI tests.
// See DESIGN.md, "A real VS Code for tests". Everything started here is stopped again, also when
// the caller fails or is interrupted: code-server runs in its own process group, which is killed
// whole (with any descendant that left it), and a Ctrl-C or exit of this process does the same.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, rmSync, statSync, type Dirent } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { installTestHost } from '../../scripts/installTestHost';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const TEST_OUTPUT_DIR = path.join(REPO_ROOT, '.test-output');
/** Preload that records outbound connection attempts (test/support/egressGuard.cjs). */
export const EGRESS_GUARD = path.join(REPO_ROOT, 'test', 'support', 'egressGuard.cjs');

/** The test profile: nothing that pops up, suggests, phones home or asks for trust. */
export const DEFAULT_TEST_SETTINGS: Readonly<Record<string, unknown>> = {
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.wordBasedSuggestions': 'off',
  'editor.suggestOnTriggerCharacters': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  // The TypeScript server's automatic type acquisition runs `npm install --ignore-scripts
  // types-registry@latest` (and @types packages) against the npm registry as soon as a .js file is
  // open, in a fresh per-run cache each time: the one npm call a run made.
  'typescript.disableAutomaticTypeAcquisition': true,
  'json.schemaDownload.enable': false, // schemastore.org for package.json, tsconfig.json, ...
  'npm.fetchOnlinePackageInfo': false, // registry look-ups on package.json hovers
};

/**
 * Features turned off in the test browser. Chromium keeps only the last `--disable-features` switch,
 * and ours comes after playwright-core's own, so its list (playwright-core 1.65, chromiumSwitches.ts)
 * is repeated here ahead of ours; otherwise this switch would turn those features back on.
 */
const CHROMIUM_DISABLED_FEATURES = [
  // playwright-core's list
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints', // optimization hints download
  'NetworkTimeServiceQuerying', // clients2.google.com/time
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
  // Ours. AutofillServerCommunication: every page with form fields (the workbench has many) asked
  // content-autofill.googleapis.com for field types, the bulk of the ~180 DNS lookups a run made.
  'AutofillServerCommunication',
  'Translate', // translate language models
  'CertificateTransparencyComponentUpdater',
  'InterestFeedContentSuggestions',
  'DialMediaRouteProvider',
];

/**
 * Google endpoints that Chromium 156 calls even with background networking off, pointed at loopback
 * so that what is left fails at once without leaving the machine: the Gaia account check
 * (`accounts.google.com/ListAccounts`, retried with back-off; playwright-core's
 * SkipListAccountsWithoutGaiaCookies does not stop it in this build) and on-demand component installs
 * (`update.googleapis.com`, the on-device model manifest ceofaddefefcbblgcgnibnonglccbfja), which
 * `--disable-component-update` does not stop. Port 9 is on Chromium's unsafe-port list, so these
 * requests end with ERR_UNSAFE_PORT before any socket is opened.
 */
const CHROMIUM_BLACKHOLE = 'http://127.0.0.1:9';

/**
 * Chromium flags for a headless, quiet, zero-egress browser (DESIGN.md). playwright-core passes most
 * of the quiet-browser switches too; they are repeated here so that the test host does not depend on
 * its defaults. With these, the browser's NetLog shows no request to a non-loopback host.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--disable-breakpad',
  '--metrics-recording-only',
  '--no-pings',
  `--disable-features=${CHROMIUM_DISABLED_FEATURES.join(',')}`,
  `--gaia-url=${CHROMIUM_BLACKHOLE}`,
  `--component-updater=url-source=${CHROMIUM_BLACKHOLE}/service/update2/json`,
];

/** Workspace Trust on, the workspace untrusted, and no modal asking to trust it. */
const TRUST_SETTINGS: Readonly<Record<string, unknown>> = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'security.workspace.trust.emptyWindow': false,
};

export interface CodeServerOptions {
  /** Folder code-server opens (also the default for `workbenchUrl`). */
  workspace: string;
  /** User settings, merged over DEFAULT_TEST_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and so for its extension hosts. */
  env?: Record<string, string>;
  /** Prefix of the run's folder under .test-output/code-server/ (default "code-server"). */
  name?: string;
  /** How long to wait for /healthz (default 60 s). */
  startTimeoutMs?: number;
  /**
   * Record every outbound connection attempt of code-server and every Node process under it (server,
   * extension host, Hearth's model process, tsserver, ...) to this JSON-lines file, and the processes
   * that loaded the guard to `<file>.processes` (see test/support/egressGuard.cjs and egressLog.ts).
   * Default: $HEARTH_EGRESS_LOG, so a whole run can be audited without code changes.
   */
  egressLog?: string;
  /**
   * Turn Workspace Trust on (the tests otherwise run with it off): the workspace then opens
   * untrusted, in restricted mode, with no startup prompt.
   */
  workspaceTrust?: boolean;
  /**
   * Folder that holds the run's folder (default .test-output/code-server/). The installed-package
   * test puts it outside the repository, so nothing installed can reach the repository's node_modules.
   */
  runParent?: string;
  /** .vsix files installed (`code-server --install-extension`) into the run's empty extensions folder before it starts. */
  installVsix?: readonly string[];
}

export interface WorkbenchUrlOptions {
  folder?: string;
  extensionDevelopmentPath?: string;
  extensionTestsPath?: string;
}

export interface CodeServer {
  url: string;
  port: number;
  /** This run's folder; holds the user data, extensions and code-server's own log. */
  runDir: string;
  userDataDir: string;
  extensionsDir: string;
  /** code-server's stdout and stderr. */
  logFile: string;
  /** The page to open: a folder and, for tests, the development extension and tests (vscode-remote URIs). */
  workbenchUrl(options?: WorkbenchUrlOptions): string;
  /** The last `lines` lines of the newest extension host log (for error messages). */
  extensionHostLogTail(lines?: number): string;
  /** Stops code-server and everything it started; removes runDir unless keepData. Idempotent. */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const { codeServerEntry } = await installTestHost();
  const parent = options.runParent ?? path.join(TEST_OUTPUT_DIR, 'code-server');
  await fs.mkdir(parent, { recursive: true });
  const runDir = await fs.mkdtemp(path.join(parent, `${options.name ?? 'code-server'}-`));
  const userDataDir = path.join(runDir, 'user-data');
  const extensionsDir = path.join(runDir, 'extensions');
  const logFile = path.join(runDir, 'code-server.log');
  const configFile = path.join(runDir, 'config.yaml');
  await fs.mkdir(path.join(userDataDir, 'User'), { recursive: true });
  await fs.mkdir(extensionsDir, { recursive: true });
  await fs.writeFile(
    path.join(userDataDir, 'User', 'settings.json'),
    `${JSON.stringify({ ...DEFAULT_TEST_SETTINGS, ...(options.workspaceTrust ? TRUST_SETTINGS : {}), ...options.settings }, null, 2)}\n`,
  );
  // Without --config, code-server writes ~/.config/code-server/config.yaml with a password.
  await fs.writeFile(configFile, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');

  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Variables of an outer VS Code (its terminal, or test-electron) would confuse this one.
    if (!key.startsWith('VSCODE_') && key !== 'ELECTRON_RUN_AS_NODE') env[key] = value;
  }
  // Keep the server and its extension hosts out of $HOME and the shared /tmp: code-server's own logs,
  // VS Code's device id cache, IPC sockets and tsserver's files go to this run's folders. (Sockets
  // need a short path, hence a folder in the system temp directory rather than under runDir.)
  const tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-cs-'));
  const removeTmpDir = trackTempDir(tmpDir);
  await fs.chmod(tmpDir, 0o700);
  Object.assign(env, {
    EXTENSIONS_GALLERY: '{}', // no requests to a public extension gallery, from server or workbench
    // Should anything under code-server still run npm (a setting that missed), it must not reach the
    // registry: offline, npm answers from its cache or fails at once.
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    // "Started from a shell, the environment is already the user's": without it the server runs the
    // login shell (`$SHELL -ilc`) to read its environment, which sources ~/.bashrc and friends, waits
    // up to 10 s on a slow one, and makes the extension host's environment depend on the developer's.
    VSCODE_CLI: '1',
    XDG_DATA_HOME: path.join(runDir, 'xdg', 'data'),
    XDG_CONFIG_HOME: path.join(runDir, 'xdg', 'config'),
    XDG_CACHE_HOME: path.join(runDir, 'xdg', 'cache'),
    XDG_RUNTIME_DIR: tmpDir,
    TMPDIR: tmpDir,
    ...options.env,
  });
  const egressLog = options.egressLog ?? process.env.HEARTH_EGRESS_LOG;
  if (egressLog) Object.assign(env, egressGuardEnv(egressLog, env.NODE_OPTIONS));

  for (const vsix of options.installVsix ?? []) {
    // As a user installs a file: code-server's CLI unpacks it into the extensions folder.
    const installed = spawnSync(
      process.execPath,
      [codeServerEntry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix],
      { cwd: runDir, env, encoding: 'utf8', timeout: 120_000 },
    );
    if (installed.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed (${installed.status ?? installed.error?.message}):\n${installed.stdout}${installed.stderr}`);
  }

  const args = [
    codeServerEntry,
    '--config', configFile,
    '--auth', 'none',
    '--bind-addr', '127.0.0.1:0', // the kernel picks a free port; code-server prints it
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    options.workspace,
  ];
  const child = spawn(process.execPath, args, { cwd: runDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const group = trackGroup(child);
  const log = createWriteStream(logFile);
  let output = '';
  const onOutput = (chunk: Buffer): void => {
    log.write(chunk);
    if (output.length < 64_000) output += chunk.toString();
  };
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);

  let stopped: Promise<void> | undefined;
  const stop = (stopOptions?: { keepData?: boolean }): Promise<void> => {
    stopped ??= (async () => {
      await group.kill();
      await new Promise((resolve) => log.end(resolve));
      await removeTmpDir();
      if (!stopOptions?.keepData && !process.env.HEARTH_KEEP_TEST_OUTPUT) await fs.rm(runDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    const port = await waitForListening(child, () => output, options.startTimeoutMs ?? 60_000);
    const url = `http://127.0.0.1:${port}`;
    await waitForHealthz(url, child, options.startTimeoutMs ?? 60_000);
    return {
      url,
      port,
      runDir,
      userDataDir,
      extensionsDir,
      logFile,
      workbenchUrl: (urlOptions = {}) => workbenchUrl(url, port, { folder: options.workspace, ...urlOptions }),
      extensionHostLogTail: (lines = 60) => extensionHostLogTail(userDataDir, lines),
      stop,
    };
  } catch (error) {
    await stop({ keepData: true });
    throw new Error(`code-server did not start: ${(error as Error).message}\n--- code-server output (${logFile}) ---\n${output.slice(-4000)}`);
  }
}

/**
 * The environment that loads the egress guard into a Node process and, through NODE_OPTIONS, into
 * every Node process it starts. (VS Code 1.100's server passes NODE_OPTIONS on to the extension host:
 * its removeDangerousEnvVariables drops only DEBUG and LD_PRELOAD; Hearth's model process inherits
 * the extension host's environment.) HEARTH_EGRESS_GUARD names the guard for hosts that ignore
 * NODE_OPTIONS (Electron), should the product ever load it itself.
 */
export function egressGuardEnv(logFile: string, nodeOptions?: string): { HEARTH_EGRESS_LOG: string; HEARTH_EGRESS_GUARD: string; NODE_OPTIONS: string } {
  // NODE_OPTIONS splits on spaces unless quoted; inside quotes, \ and " are escaped.
  const preload = `--require "${EGRESS_GUARD.replace(/[\\"]/g, '\\$&')}"`;
  const options = nodeOptions?.includes(EGRESS_GUARD) ? nodeOptions : [nodeOptions, preload].filter(Boolean).join(' ');
  return { HEARTH_EGRESS_LOG: path.resolve(logFile), HEARTH_EGRESS_GUARD: EGRESS_GUARD, NODE_OPTIONS: options };
}

function workbenchUrl(url: string, port: number, options: WorkbenchUrlOptions): string {
  const remote = (file: string): string => `vscode-remote://127.0.0.1:${port}${path.resolve(file)}`;
  const payload: [string, string][] = [];
  if (options.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(options.extensionDevelopmentPath)]);
  if (options.extensionTestsPath) payload.push(['extensionTestsPath', remote(options.extensionTestsPath)]);
  const query = new URLSearchParams();
  if (options.folder) query.set('folder', path.resolve(options.folder));
  if (payload.length) query.set('payload', JSON.stringify(payload));
  const search = query.toString();
  return `${url}/${search ? `?${search}` : ''}`;
}

function waitForListening(child: ChildProcess, output: () => string, timeoutMs: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no "HTTP server listening" line within ${timeoutMs} ms`)), timeoutMs);
    const check = (): void => {
      const match = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output());
      if (match) finish(undefined, Number(match[1]));
    };
    const onExit = (code: number | null, signal: string | null): void => finish(new Error(`code-server exited (${signal ?? `code ${code}`})`));
    const finish = (error?: Error, port?: number): void => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(port!);
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.on('exit', onExit);
    check();
  });
}

async function waitForHealthz(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`code-server exited (${child.signalCode ?? `code ${child.exitCode}`})`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url}/healthz did not answer within ${timeoutMs} ms (last: ${last})`);
}

/** The newest `exthost*.log` (VS Code 1.100 names it `remoteexthost.log` on the server side). */
function extensionHostLogTail(userDataDir: string, lines: number): string {
  const logsDir = path.join(userDataDir, 'logs');
  const found: { file: string; mtime: number }[] = [];
  const walk = (dir: string): void => {
    for (const entry of safeReaddir(dir)) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/exthost\d*\.log$/i.test(entry.name)) found.push({ file, mtime: safeMtime(file) });
    }
  };
  walk(logsDir);
  if (!found.length) return `(no extension host log under ${logsDir})`;
  found.sort((a, b) => b.mtime - a.mtime);
  const { file } = found[0]!;
  const text = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  return `--- ${file} (last ${lines} lines) ---\n${text}`;
}

function safeReaddir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function safeMtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

export interface BrowserOptions {
  headless?: boolean;
  /**
   * Write Chromium's NetLog (every host resolution, socket and URL request) to this JSON file; read it
   * with readChromiumNetLog (test/support/egressLog.ts). It is complete once the browser is closed.
   * Default: `$HEARTH_EGRESS_LOG.chromium-<pid>-<n>.netlog.json` when $HEARTH_EGRESS_LOG is set.
   */
  netLog?: string;
}

let browserCount = 0;

/** Chromium for the workbench: Debian's build, headless, with the DESIGN.md flags. Close it when done. */
export async function launchBrowser(options: BrowserOptions = {}): Promise<Browser> {
  const { chromiumPath } = await installTestHost();
  browserCount += 1;
  const egressLog = process.env.HEARTH_EGRESS_LOG;
  const netLog = options.netLog ?? (egressLog ? `${path.resolve(egressLog)}.chromium-${process.pid}-${browserCount}.netlog.json` : undefined);
  // Default capture mode: no cookies or bodies, but every host and URL.
  const netLogArgs = netLog ? [`--log-net-log=${path.resolve(netLog)}`, '--net-log-capture-mode=Default'] : [];
  // Chromium writes crash-report and dconf folders under $XDG_CONFIG_HOME/$XDG_CACHE_HOME even with
  // Playwright's temporary profile, and singleton sockets under $TMPDIR; point them all at a folder
  // that goes away with the browser.
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-chromium-'));
  const removeHome = trackTempDir(home);
  try {
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: options.headless ?? true,
      args: [...CHROMIUM_ARGS, ...netLogArgs],
      env: { ...withoutPoolSize(process.env), XDG_CONFIG_HOME: path.join(home, 'config'), XDG_CACHE_HOME: path.join(home, 'cache'), TMPDIR: home },
    });
    browser.on('disconnected', () => void removeHome());
    return browser;
  } catch (error) {
    await removeHome();
    throw error;
  }
}

// --- Process groups: nothing outlives the test run --------------------------------------------

interface TrackedGroup {
  kill(): Promise<void>;
}

const liveGroups = new Set<number>();
/** Temporary folders to remove if this process exits before their owner is stopped. */
const liveTempDirs = new Set<string>();
let exitHooksInstalled = false;

function trackTempDir(dir: string): () => Promise<void> {
  liveTempDirs.add(dir);
  installExitHooks();
  return async () => {
    await fs.rm(dir, { recursive: true, force: true });
    liveTempDirs.delete(dir);
  };
}

function trackGroup(child: ChildProcess): TrackedGroup {
  const pid = child.pid;
  if (pid === undefined) throw new Error('failed to spawn code-server');
  liveGroups.add(pid);
  installExitHooks();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    async kill() {
      if (!liveGroups.has(pid)) return;
      // Descendants that called setsid() (e.g. terminals) left the group; collect them first.
      const strays = descendantsOf(pid);
      signalGroup(pid, strays, 'SIGTERM');
      const timedOut = await Promise.race([exited.then(() => false), delay(5000).then(() => true)]);
      await delay(timedOut ? 0 : 200); // let the group's other members finish dying
      signalGroup(pid, strays, 'SIGKILL');
      liveGroups.delete(pid);
    },
  };
}

function signalGroup(pgid: number, strays: number[], signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
  for (const pid of strays) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** All descendants of `root`, from /proc (Linux). */
function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = readFileSync(`/proc/${entry.name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry.name));
      children.set(ppid, list);
    } catch {
      // the process ended meanwhile
    }
  }
  const result: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      result.push(child);
      queue.push(child);
    }
  }
  return result;
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const cleanUp = (): void => {
    for (const pid of liveGroups) signalGroup(pid, descendantsOf(pid), 'SIGKILL');
    liveGroups.clear();
    for (const dir of liveTempDirs) rmSync(dir, { recursive: true, force: true });
    liveTempDirs.clear();
  };
  process.on('exit', cleanUp); // last resort, when a caller exits without stop(): no time for SIGTERM
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      // Interrupted: give everything a moment to end cleanly (lock files, sockets), then force it.
      const pids = [...liveGroups].flatMap((pgid) => {
        const strays = descendantsOf(pgid);
        signalGroup(pgid, strays, 'SIGTERM');
        return [pgid, ...strays];
      });
      const deadline = Date.now() + 3000;
      const poll = (): void => {
        if (Date.now() < deadline && pids.some(isAlive)) {
          setTimeout(poll, 100);
          return;
        }
        cleanUp();
        process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const)[signal]);
      };
      poll();
    });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The environment without a libuv pool size a benchmark set for itself: VS Code runs with Node's default. */
function withoutPoolSize(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { UV_THREADPOOL_SIZE: _poolSize, ...rest } = env;
  return rest;
}
