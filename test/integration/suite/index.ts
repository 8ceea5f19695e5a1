// The integration suite's entry, loaded by the VS Code extension host as `extensionTestsPath`
// (under code-server by test/integration/runInCodeServer.ts, or under @vscode/test-electron by
// runInDesktopVsCode.ts). Runs every `*.test.js` bundled next to it with mocha (bdd) and writes the
// results as JSON to $HEARTH_TEST_RESULTS: under code-server the browser is the test host's parent,
// so a file, not an exit code, is how the runner learns what happened.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

export interface TestResult {
  /** Suite titles then the test title. */
  titlePath: string[];
  fullTitle: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  file?: string;
  error?: { message: string; stack?: string };
}

export interface TestResults {
  /** false while the suite runs; the runner waits for true. */
  done: boolean;
  startedAt: string;
  finishedAt?: string;
  vscodeVersion: string;
  appHost: string;
  tests: TestResult[];
  /** Set when the suite could not run at all (no test files, a file failed to load...). */
  error?: { message: string; stack?: string };
}

/** dist/test/integration/index.js → the repository root. */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const DEFAULT_RESULTS_FILE = path.join(REPO_ROOT, '.test-output', 'integration-results.json');

export async function run(): Promise<void> {
  const resultsFile = process.env.HEARTH_TEST_RESULTS || DEFAULT_RESULTS_FILE;
  const results: TestResults = {
    done: false,
    startedAt: new Date().toISOString(),
    vscodeVersion: vscode.version,
    appHost: vscode.env.appHost,
    tests: [],
  };
  writeResults(resultsFile, results);

  let failures = 0;
  try {
    const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
    // *.untrusted.test.js run in their own window with Workspace Trust on (HEARTH_INTEGRATION_SUITE=untrusted).
    const untrusted = process.env.HEARTH_INTEGRATION_SUITE === 'untrusted';
    const files = fs
      .readdirSync(__dirname)
      .filter((name) => name.endsWith('.test.js') && name.endsWith('.untrusted.test.js') === untrusted)
      .sort();
    if (!files.length) throw new Error(`no *.test.js files in ${__dirname}`);
    for (const name of files) mocha.addFile(path.join(__dirname, name));

    failures = await new Promise<number>((resolve, reject) => {
      try {
        const runner = mocha.run(resolve);
        const record = (test: Mocha.Runnable, state: TestResult['state'], error?: unknown): void => {
          const entry: TestResult = {
            titlePath: test.titlePath(),
            fullTitle: test.fullTitle(),
            state,
            durationMs: test.duration ?? 0,
          };
          if (test.file) entry.file = path.basename(test.file);
          if (error !== undefined) entry.error = describeError(error);
          results.tests.push(entry);
        };
        runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, (test) => record(test, 'passed'));
        // Also fires for failed hooks ("before all" hook ...), which count as failures.
        runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test, error) => record(test, 'failed', error));
        runner.on(Mocha.Runner.constants.EVENT_TEST_PENDING, (test) => record(test, 'pending'));
      } catch (error) {
        reject(error); // a test file that throws while loading
      }
    });
  } catch (error) {
    results.error = describeError(error);
    failures = Math.max(failures, 1);
  } finally {
    results.done = true;
    results.finishedAt = new Date().toISOString();
    writeResults(resultsFile, results);
  }

  if (results.error) throw new Error(`integration suite could not run: ${results.error.message}`);
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}

function describeError(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error) return error.stack ? { message: error.message, stack: error.stack } : { message: error.message };
  return { message: String(error) };
}

/** Atomic, so that a runner polling the file never reads half of it. */
function writeResults(file: string, results: TestResults): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  fs.writeFileSync(partial, `${JSON.stringify(results, null, 2)}\n`);
  fs.renameSync(partial, file);
}
