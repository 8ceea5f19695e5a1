// Hearth's activation time as measured inside a real VS Code (code-server) extension host: the
// development build (test hooks) and the installed linux-x64 package (its log line, as it has no hooks).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageExtension } from '../package/packageExtension';
import { launchBrowser, REPO_ROOT, startCodeServer } from '../../test/integration/codeServerHost';
import { createSampleWorkspace, runIntegrationTests } from '../../test/integration/runInCodeServer';
import { parseActivation, readHearthLog } from '../../test/support/hearthLog';
import { poll } from '../../test/support/polling';

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

/**
 * Activation of the installed package: the linux-x64 .vsix built from what is installed here,
 * installed into an empty extensions folder outside the repository and opened in a browser
 * without extensionDevelopmentPath; the figure is the one activate() writes to its log.
 */
export async function measureInstalledActivation(): Promise<number> {
  const [packaged] = await packageExtension({ targets: ['linux-x64'], gpu: [], offline: true });
  if (packaged === undefined) throw new Error('npm run package wrote no linux-x64 package');
  const dir = await mkdtemp(join(tmpdir(), 'hearth-bench-installed-'));
  const server = await startCodeServer({ name: 'bench-installed', workspace: await createSampleWorkspace(join(dir, 'workspace')), runParent: dir, installVsix: [packaged.file] });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(server.workbenchUrl());
    let activationMs: number | undefined;
    await poll(60_000, async () => {
      const line = parseActivation(await readHearthLog(server.userDataDir));
      if (line?.mode === 'Production') activationMs = line.ms;
      return activationMs !== undefined;
    });
    if (activationMs === undefined) throw new Error('The installed package did not write its activation line within 60 s.');
    return activationMs;
  } finally {
    await browser.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
