// How a suite runner script ends: the line "NAME: N passed, N failed" that scripts/runAllTests.ts
// reads, and the exit code; a runner that throws counts as one failure and says why.
export interface SuiteCounts {
  readonly passed: number;
  readonly failed: number;
}

export function runSuiteMain(name: string, run: () => Promise<SuiteCounts>): void {
  run().then(
    (summary) => {
      console.log(`${name}: ${summary.passed} passed, ${summary.failed} failed`);
      process.exit(summary.failed > 0 || summary.passed === 0 ? 1 : 0);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      console.log(`${name}: 0 passed, 1 failed`);
      process.exit(1);
    },
  );
}
