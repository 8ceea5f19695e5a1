// A file as it is now: its real path (links followed), size and modification time. Two records of
// the same identity mean the file was not replaced in between; a missing file has none.
import { realpath, stat } from 'node:fs/promises';

export interface FileIdentity {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export async function fileIdentity(file: string): Promise<FileIdentity | undefined> {
  try {
    const real = await realpath(file);
    const stats = await stat(real);
    return { path: real, size: stats.size, mtimeMs: stats.mtimeMs };
  } catch {
    return undefined;
  }
}
