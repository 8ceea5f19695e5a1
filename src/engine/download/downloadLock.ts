// One writer per partial file: a lock file beside it holds the downloading process's pid, so a
// second window asking for the same model is told so instead of writing into the same bytes. A lock
// whose process is gone (killed, or a window that reloaded) is taken over.
import { open, readFile, rm } from 'node:fs/promises';

export type LockResult = { readonly acquired: true; release(): Promise<void> } | { readonly acquired: false; readonly heldBy: number };

export async function acquireDownloadLock(lockPath: string, pid: number = process.pid): Promise<LockResult> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(`${pid}\n`);
      } finally {
        await handle.close();
      }
      return { acquired: true, release: () => releaseLock(lockPath, pid) };
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
    }
    const holder = await lockHolder(lockPath);
    if (holder !== undefined && holder !== pid && isAlive(holder)) return { acquired: false, heldBy: holder };
    // Stale (its process is gone) or unreadable: take it over.
    await rm(lockPath, { force: true });
  }
  throw new Error(`Could not take the download lock ${lockPath}`);
}

async function releaseLock(lockPath: string, pid: number): Promise<void> {
  if ((await lockHolder(lockPath)) === pid) await rm(lockPath, { force: true });
}

async function lockHolder(lockPath: string): Promise<number | undefined> {
  const text = await readFile(lockPath, 'utf8').catch(() => undefined);
  const pid = Number.parseInt(text?.trim() ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as { code?: unknown }).code === 'EPERM';
  }
}
