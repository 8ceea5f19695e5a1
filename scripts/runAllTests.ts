// `npm test`: type-check, lint, build, then every suite in order (unit, engine, integration in a real
// VS Code, e2e through its UI in a browser, the installed .vsix), each in its own process. Prints each suite's counts and one closing line
// "N passed, N failed" that CI reads; exits non-zero if anything failed or a suite broke.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

interface Suite {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Pulls passed/failed counts out of the suite's output; none for steps that only pass or fail. */
  readonly count?: (output: string) => { passed: number; failed: number } | undefined;
}

const root = resolve(__dirname, '..');
const bin = (name: string) => resolve(root, 'node_modules/.bin', name);

function mochaCounts(output: string): { passed: number; failed: number } | undefined {
  const passing = /^\s*(\d+) passing/m.exec(output);
  if (passing === null) return undefined;
  const failing = /^\s*(\d+) failing/m.exec(output);
  return { passed: Number(passing[1]), failed: failing === null ? 0 : Number(failing[1]) };
}

function runnerCounts(output: string): { passed: number; failed: number } | undefined {
  const line = /^\w+: (\d+) passed, (\d+) failed$/m.exec(output);
  return line === null ? undefined : { passed: Number(line[1]), failed: Number(line[2]) };
}

const mocha = (glob: string, timeoutMs: number): Suite['args'] => ['--node-option', 'import=tsx', '--timeout', String(timeoutMs), '--reporter', 'spec', glob];

const suites: Suite[] = [
  { name: 'typecheck', command: bin('tsc'), args: ['--noEmit', '-p', root] },
  { name: 'lint', command: bin('eslint'), args: ['.'] },
  { name: 'build', command: process.execPath, args: [resolve(root, 'esbuild.mjs')] },
  { name: 'unit', command: bin('mocha'), args: mocha('test/unit/**/*.test.ts', 20_000), count: mochaCounts },
  { name: 'engine', command: bin('mocha'), args: mocha('test/engine/**/*.test.ts', 120_000), count: mochaCounts },
  { name: 'integration', command: process.execPath, args: ['--import', 'tsx', resolve(root, 'test/integration/runInCodeServer.ts')], count: runnerCounts },
  { name: 'e2e', command: process.execPath, args: ['--import', 'tsx', resolve(root, 'test/e2e/runE2e.ts')], count: runnerCounts },
  { name: 'e2e-chat', command: process.execPath, args: ['--import', 'tsx', resolve(root, 'test/e2e/runChatE2e.ts')], count: runnerCounts },
  // Packages the linux-x64 .vsix from what is installed (no registry) and tests it installed.
  { name: 'installed', command: process.execPath, args: ['--import', 'tsx', resolve(root, 'test/e2e/runInstalledE2e.ts')], count: runnerCounts },
];

function run(suite: Suite): Promise<{ code: number; output: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(suite.command, [...suite.args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let output = '';
    const forward = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk.toString();
      stream.write(chunk);
    };
    child.stdout.on('data', forward(process.stdout));
    child.stderr.on('data', forward(process.stderr));
    child.on('close', (code) => resolveRun({ code: code ?? 1, output }));
    child.on('error', (error) => resolveRun({ code: 1, output: String(error) }));
  });
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  let passed = 0;
  let failed = 0;
  const lines: string[] = [];
  for (const suite of suites) {
    if (only.length > 0 && !only.includes(suite.name)) continue;
    const started = Date.now();
    console.log(`\n=== ${suite.name} ===`);
    const { code, output } = await run(suite);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const counts = suite.count?.(output);
    if (counts !== undefined) {
      passed += counts.passed;
      failed += counts.failed;
    }
    // A suite that exits non-zero with no failing test still failed (a crash, or no tests ran).
    const broke = code !== 0 && (counts === undefined || counts.failed === 0);
    if (broke) failed += 1;
    lines.push(`${suite.name}: ${code === 0 ? 'ok' : 'FAILED'}${counts === undefined ? '' : ` (${counts.passed} passed, ${counts.failed} failed)`} in ${seconds} s`);
    if (suite.count === undefined && code !== 0) break; // no point testing what does not type-check or build
  }
  console.log(`\n=== summary ===\n${lines.join('\n')}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
}

void main();
