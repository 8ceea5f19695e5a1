// The model process must never outlive the extension host, even when the host is killed
// without a chance to clean up.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('model process lifetime', function () {
  this.timeout(30_000);

  it('exits when its parent is killed with SIGKILL', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../fixtures/engineParent.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: parent.stdout });
    const enginePid = await new Promise<number>((resolvePid, reject) => {
      lines.on('line', (line) => {
        const parsed = JSON.parse(line) as { enginePid?: number };
        if (typeof parsed.enginePid === 'number') resolvePid(parsed.enginePid);
      });
      parent.on('exit', (code) => reject(new Error(`parent exited early with ${code}`)));
    });
    assert.ok(alive(enginePid), 'the model process runs while its parent does');
    parent.kill('SIGKILL');
    const deadline = Date.now() + 5_000;
    while (alive(enginePid) && Date.now() < deadline) await new Promise((wait) => setTimeout(wait, 50));
    assert.equal(alive(enginePid), false, `model process ${enginePid} outlived its parent`);
  });
});
