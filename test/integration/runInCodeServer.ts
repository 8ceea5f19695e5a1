// Runs the integration suite (dist/test/integration, built by `npm run build`) inside a real VS Code:
// code-server's extension host, opened by Debian's Chromium. See DESIGN.md, "A real VS Code for tests".
//
//   npm run test:integration                                    (builds first)
//   node --import tsx test/integration/runInCodeServer.ts       (uses the existing dist/)
//
// The suite's run() (test/integration/suite/index.ts) writes its results to the JSON file named by
// $HEARTH_TEST_RESULTS, which reaches the extension host through code-server's environment; this
// runner waits for that file, prints it like mocha's spec reporter and sets the exit code.
// Environment: HEARTH_TEST_MODEL (the GGUF for `hearth.model.path`; see test/fixtures/testModels.ts),
// HEARTH_INTEGRATION_TIMEOUT_MS (default 10 minutes from opening the workbench), HEARTH_KEEP_TEST_OUTPUT=1 (keep code-server's
// user data and logs also after a pass; after a failure they are always kept).
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { installTestHost } from '../../scripts/installTestHost';
import { findTestModel, fimTestModelPath, STORY_TEST_MODEL } from '../fixtures/testModels';
import { runSuiteMain } from '../support/runSuiteMain';
import { launchBrowser, REPO_ROOT, startCodeServer, TEST_OUTPUT_DIR, type CodeServer } from './codeServerHost';
import type { TestResult, TestResults } from './suite/index';

export const SAMPLE_WORKSPACE = path.join(TEST_OUTPUT_DIR, 'workspace');
export const EXTENSION_TESTS_PATH = path.join(REPO_ROOT, 'dist', 'test', 'integration');
// Not the suite's fallback (.test-output/integration-results.json): finding results here proves that
// $HEARTH_TEST_RESULTS reached the extension host.
const RESULTS_FILE = path.join(TEST_OUTPUT_DIR, 'integration', 'results.json');

export interface IntegrationRunOptions {
  /** User settings for the run (merged over the test profile), e.g. `hearth.model.path`. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and the extension host. */
  env?: Record<string, string>;
  /** Limit from opening the workbench to the results (default 10 minutes). */
  timeoutMs?: number;
  /** The built suite (default dist/test/integration). */
  extensionTestsPath?: string;
  /** Run the *.untrusted.test files in a window with Workspace Trust on, instead of the others. */
  untrusted?: boolean;
  /** Record every outbound connection attempt under code-server to this file (test/support/egressGuard.cjs). */
  egressLog?: string;
}

export interface IntegrationRunSummary {
  passed: number;
  failed: number;
  pending: number;
  results: TestResults;
}

export const SAMPLE_WORKSPACE_FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'sampleWorkspace');
/** The harness test checks for this file when $HEARTH_TEST_WORKSPACE names the workspace. */
export const SAMPLE_WORKSPACE_MARKER = '.hearth-test-workspace';

/**
 * A fresh copy of the sample workspace (test/fixtures/sampleWorkspace, the folder `npm start` opens),
 * so that tests may edit its files; a couple of built-in files if that fixture is missing.
 */
export async function createSampleWorkspace(dir = SAMPLE_WORKSPACE): Promise<string> {
  await fs.rm(dir, { recursive: true, force: true });
  if (existsSync(SAMPLE_WORKSPACE_FIXTURE)) {
    await fs.cp(SAMPLE_WORKSPACE_FIXTURE, dir, { recursive: true });
  } else {
    await fs.mkdir(path.join(dir, 'src'), { recursive: true });
    await fs.writeFile(path.join(dir, 'README.md'), '# Sample project\n\nA tiny project the Hearth integration tests open.\n');
    await fs.writeFile(
      path.join(dir, 'src', 'greet.ts'),
      'export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n',
    );
  }
  await fs.writeFile(path.join(dir, SAMPLE_WORKSPACE_MARKER), 'Sample workspace written by the Hearth integration test runner.\n');
  return dir;
}

export async function runIntegrationTests(options: IntegrationRunOptions = {}): Promise<IntegrationRunSummary> {
  const started = Date.now();
  const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;
  // For the suite itself, counted from opening the workbench: installing the test host on a fresh
  // machine comes first and takes its own time. The main window's suite runs about 4 minutes here.
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const extensionTestsPath = options.extensionTestsPath ?? EXTENSION_TESTS_PATH;
  for (const file of [path.join(REPO_ROOT, 'dist', 'extension.js'), path.join(extensionTestsPath, 'index.js')]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm run test:integration does)`);
  }
  await installTestHost();
  const workspace = await createSampleWorkspace();
  await fs.rm(RESULTS_FILE, { force: true });

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let failed = true;
  try {
    const spawned = Date.now();
    server = await startCodeServer({
      name: options.untrusted ? 'integration-untrusted' : 'integration',
      workspace,
      settings: options.settings ?? {},
      env: { ...options.env, HEARTH_TEST_RESULTS: RESULTS_FILE, HEARTH_TEST_WORKSPACE: workspace, ...(options.untrusted ? { HEARTH_INTEGRATION_SUITE: 'untrusted' } : {}) },
      workspaceTrust: options.untrusted ?? false,
      ...(options.egressLog === undefined ? {} : { egressLog: options.egressLog }),
    });
    log(`code-server healthy in ${seconds(spawned)} at ${server.url}`);

    browser = await launchBrowser();
    const page = await browser.newPage();
    const browserErrors: string[] = [];
    page.on('pageerror', (error) => browserErrors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') browserErrors.push(`console: ${message.text()}`);
    });
    const suiteStarted = Date.now();
    await page.goto(server.workbenchUrl({ extensionDevelopmentPath: REPO_ROOT, extensionTestsPath }));

    const results = await waitForResults(RESULTS_FILE, suiteStarted + timeoutMs).catch((error: Error) => {
      throw new Error(
        `${error.message}\n${server!.extensionHostLogTail(80)}\n` +
          (browserErrors.length ? `--- browser errors (last 20) ---\n${browserErrors.slice(-20).join('\n')}\n` : '') +
          `(code-server's log and user data are kept in ${server!.runDir})`,
      );
    });
    log(`suite finished in ${seconds(suiteStarted)} after opening the workbench (${seconds(started)} in all)`);

    const summary = reportResults(results);
    failed = summary.failed > 0 || summary.passed === 0;
    if (failed) log(`code-server's log and user data are kept in ${server.runDir}`);
    return summary;
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop({ keepData: failed });
  }
}

async function waitForResults(file: string, deadline: number): Promise<TestResults> {
  const startedAt = Date.now();
  let started = false;
  while (Date.now() < deadline) {
    const text = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      const results = JSON.parse(text) as TestResults;
      if (results.done) return results;
      if (!started) {
        started = true;
        log(`suite started in the extension host (VS Code ${results.vscodeVersion}, ${results.appHost})`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const what = started ? 'the suite started but did not finish' : 'the extension host never started the suite (no results file)';
  throw new Error(`integration: timed out after ${Math.round((Date.now() - startedAt) / 1000)} s: ${what}; expected ${file}`);
}

/** Prints the results file like mocha's spec reporter; returns the counts. */
export function reportResults(results: TestResults): IntegrationRunSummary {
  const lines: string[] = [''];
  let previous: string[] = [];
  const failures: TestResult[] = [];
  for (const test of results.tests) {
    const suites = test.titlePath.slice(0, -1);
    let common = 0;
    while (common < suites.length && common < previous.length && suites[common] === previous[common]) common++;
    for (let depth = common; depth < suites.length; depth++) {
      if (depth === 0) lines.push('');
      lines.push(`${'  '.repeat(depth + 1)}${suites[depth]}`);
    }
    previous = suites;
    const indent = '  '.repeat(suites.length + 1);
    const title = test.titlePath[test.titlePath.length - 1];
    if (test.state === 'passed') lines.push(`${indent}✔ ${title}${test.durationMs >= 75 ? ` (${test.durationMs}ms)` : ''}`);
    else if (test.state === 'pending') lines.push(`${indent}- ${title}`);
    else {
      failures.push(test);
      lines.push(`${indent}${failures.length}) ${title}`);
    }
  }
  const passed = results.tests.filter((test) => test.state === 'passed').length;
  const pending = results.tests.filter((test) => test.state === 'pending').length;
  const duration = results.finishedAt ? Date.parse(results.finishedAt) - Date.parse(results.startedAt) : 0;
  lines.push('', `  ${passed} passing (${duration}ms)`);
  if (pending) lines.push(`  ${pending} pending`);
  if (failures.length) lines.push(`  ${failures.length} failing`);
  failures.forEach((test, index) => {
    lines.push('', `  ${index + 1}) ${test.titlePath.join('\n' + '     ')}:`);
    const stack = test.error?.stack ?? test.error?.message ?? '(no error)';
    lines.push(...stack.split('\n').map((line) => `     ${line}`));
  });
  let failed = failures.length;
  if (results.error) {
    failed = Math.max(failed, 1);
    lines.push('', `  the suite could not run: ${results.error.stack ?? results.error.message}`);
  }
  console.log(lines.join('\n') + '\n');
  return { passed, failed, pending, results };
}

function log(message: string): void {
  console.log(`[integration] ${message}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === __filename) {
  runSuiteMain('integration', async () => {
    const options: IntegrationRunOptions & { env: Record<string, string> } = {
      // $HEARTH_TEST_MODEL if set, else the tiny test model (models/ or ../shared/models/).
      settings: {
        'hearth.model.path': await findTestModel(),
        // The machine also runs code-server and Chromium: generous budgets keep a cold prompt from
        // running out of time (the budgets themselves are tested on the model process).
        'hearth.completions.promptBudgetMs': 5000,
        'hearth.completions.generationBudgetMs': 2000,
      },
      // The completion tests switch to the generated fill-in-the-middle model for the infill path.
      // The chat and writing tests switch to the real pretrained story model for readable text.
      env: { HEARTH_FIM_TEST_MODEL: await fimTestModelPath(), HEARTH_STORY_TEST_MODEL: await findTestModel(STORY_TEST_MODEL) },
      timeoutMs: Number(process.env.HEARTH_INTEGRATION_TIMEOUT_MS) || undefined,
    };
    // The zero-egress test reads what the guard recorded in every process of this run.
    const egressLog = process.env.HEARTH_EGRESS_LOG ?? path.join(TEST_OUTPUT_DIR, 'integration', 'egress.jsonl');
    await fs.mkdir(path.dirname(egressLog), { recursive: true });
    for (const file of [egressLog, `${egressLog}.processes`]) await fs.rm(file, { force: true });
    // The machine-wide policy file an IT department would deploy; the privacy tests write it.
    const machinePolicy = path.join(TEST_OUTPUT_DIR, 'integration', 'machine-policy', 'policy.json');
    await fs.mkdir(path.dirname(machinePolicy), { recursive: true });
    await fs.rm(machinePolicy, { force: true });
    options.env = { ...options.env, HEARTH_MACHINE_POLICY: machinePolicy };
    const trusted = await runIntegrationTests({ ...options, egressLog });
    log('the Workspace Trust tests, in a window with trust on');
    const untrusted = await runIntegrationTests({ ...options, untrusted: true });
    return { ...trusted, passed: trusted.passed + untrusted.passed, failed: trusted.failed + untrusted.failed, pending: trusted.pending + untrusted.pending };
  });
}
