// Runs the integration suite under @vscode/test-electron, in a desktop VS Code that it downloads
// (so: a machine with internet access, and a display or xvfb-run on Linux). The build machines here
// have no internet; they run the same suite in code-server (runInCodeServer.ts).
//
//   npm run test:desktop                                        (builds first)
//   HEARTH_VSCODE_VERSION=stable npm run test:desktop           (default: 1.100.3, as code-server)
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { findTestModel } from '../fixtures/testModels';
import { DEFAULT_TEST_SETTINGS, REPO_ROOT, TEST_OUTPUT_DIR } from './codeServerHost';
import { createSampleWorkspace, EXTENSION_TESTS_PATH, reportResults } from './runInCodeServer';
import type { TestResults } from './suite/index';

export interface DesktopRunOptions {
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  /** A VS Code version, 'stable' or 'insiders' (default 1.100.3, the VS Code inside code-server 4.100.3). */
  version?: string;
}

export async function runInDesktopVsCode(options: DesktopRunOptions = {}): Promise<{ passed: number; failed: number }> {
  const runDir = path.join(TEST_OUTPUT_DIR, 'desktop');
  const resultsFile = path.join(runDir, 'results.json');
  const userDataDir = path.join(runDir, 'user-data');
  await fs.rm(runDir, { recursive: true, force: true });
  await fs.mkdir(path.join(userDataDir, 'User'), { recursive: true });
  await fs.writeFile(
    path.join(userDataDir, 'User', 'settings.json'),
    `${JSON.stringify({ ...DEFAULT_TEST_SETTINGS, ...options.settings }, null, 2)}\n`,
  );
  const workspace = await createSampleWorkspace(path.join(runDir, 'workspace'));

  let exitCode: number;
  try {
    exitCode = await runTests({
      version: options.version ?? '1.100.3',
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: EXTENSION_TESTS_PATH,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', userDataDir],
      extensionTestsEnv: { ...options.env, HEARTH_TEST_RESULTS: resultsFile, HEARTH_TEST_WORKSPACE: workspace },
    });
  } catch (error) {
    // runTests rejects when VS Code exits non-zero, which is what a failing suite does.
    console.error(error instanceof Error ? error.message : error);
    exitCode = 1;
  }

  const text = await fs.readFile(resultsFile, 'utf8').catch(() => undefined);
  if (text === undefined) throw new Error(`VS Code exited (code ${exitCode}) without writing ${resultsFile}`);
  const summary = reportResults(JSON.parse(text) as TestResults);
  return { passed: summary.passed, failed: Math.max(summary.failed, exitCode === 0 ? 0 : 1) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === __filename) {
  (async () => {
    const version = process.env.HEARTH_VSCODE_VERSION;
    const { passed, failed } = await runInDesktopVsCode({
      settings: { 'hearth.model.path': await findTestModel() },
      ...(version ? { version } : {}),
    });
    console.log(`integration (desktop): ${passed} passed, ${failed} failed`);
    process.exit(failed > 0 || passed === 0 ? 1 : 0);
  })().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
