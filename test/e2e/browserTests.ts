// The loop the browser suites run: each test in turn, a line per test, and on a failure a
// screenshot and an Escape so that what the test left open does not get in the next one's way.
import * as path from 'node:path';
import type { Page } from 'playwright-core';

export interface BrowserTest<C> {
  readonly name: string;
  /** Screenshot name on failure. */
  readonly slug: string;
  run(context: C): Promise<string | void>;
}

export interface RunSummary {
  passed: number;
  failed: number;
}

/**
 * Ends the process as failed when the run outlives `ms`, printing the summary line the test runner
 * reads (browser and code-server are killed by codeServerHost's exit hooks). Clear the returned
 * timer when the run ends.
 */
export function stopAfter(ms: number, names: { readonly log: string; readonly summary: string }, summary: RunSummary): NodeJS.Timeout {
  const timer = setTimeout(() => {
    console.error(`[${names.log}] the run took longer than ${ms / 1000} s; stopping`);
    console.log(`${names.summary}: ${summary.passed} passed, ${summary.failed + 1} failed`);
    process.exit(1);
  }, ms);
  timer.unref();
  return timer;
}

/** Runs `tests` in order, counting into `summary`; a failure is saved as `<slug>-failure.png` in `outputDir`. */
export async function runBrowserTests<C>(page: Page, tests: ReadonlyArray<BrowserTest<C>>, context: C, outputDir: string, summary: RunSummary): Promise<void> {
  const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;
  for (const test of tests) {
    const testStarted = Date.now();
    try {
      const detail = await test.run(context);
      summary.passed += 1;
      console.log(`    ✔ ${test.name} (${seconds(testStarted)})${detail ? `\n      ${detail}` : ''}`);
    } catch (error) {
      summary.failed += 1;
      console.log(`    ✖ ${test.name} (${seconds(testStarted)})\n      ${(error as Error).message}`);
      const screenshot = path.join(outputDir, `${test.slug}-failure.png`);
      await page.screenshot({ path: screenshot }).then(
        () => console.log(`      screenshot: ${path.relative(process.cwd(), screenshot)}`),
        (screenshotError: Error) => console.log(`      (no screenshot: ${screenshotError.message})`),
      );
      // Whatever the test left (ghost text, a half-typed line, a menu) must not leak into the next one.
      await page.keyboard.press('Escape').catch(() => undefined);
    }
  }
}
