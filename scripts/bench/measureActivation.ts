// Hearth's activation time as measured inside a real VS Code (code-server) extension host.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/integration/codeServerHost';
import { runIntegrationTests } from '../../test/integration/runInCodeServer';

export async function measureActivation(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-bench-'));
  const output = join(dir, 'activation.json');
  try {
    const summary = await runIntegrationTests({
      extensionTestsPath: join(REPO_ROOT, 'dist', 'bench', 'activation'),
      env: { HEARTH_BENCH_OUTPUT: output },
    });
    if (summary.failed > 0 || summary.passed === 0) throw new Error('The activation measurement failed in VS Code; see above.');
    const { activationMs } = JSON.parse(await readFile(output, 'utf8')) as { activationMs: number };
    return activationMs;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
