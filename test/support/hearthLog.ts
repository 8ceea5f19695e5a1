// Hearth's output channel as VS Code writes it under the user data folder (one file per window and
// extension host): the tests of the installed package and the activation benchmark read it, since
// an installed (production) Hearth has no test hooks.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** Every Hearth.log under `userDataDir`, oldest first, joined. */
export async function readHearthLog(userDataDir: string): Promise<string> {
  const logs = await findFiles(path.join(userDataDir, 'logs'), (file) => file.endsWith(path.join('hearth.hearth', 'Hearth.log')));
  const texts = await Promise.all(logs.map(async (file) => ({ mtimeMs: (await fs.stat(file)).mtimeMs, text: await fs.readFile(file, 'utf8') })));
  return texts
    .sort((a, b) => a.mtimeMs - b.mtimeMs)
    .map((entry) => entry.text)
    .join('\n');
}

export interface ActivationLine {
  readonly ms: number;
  readonly extensionPath: string;
  readonly mode: string;
}

/** The line activate() writes last: how long it took, from where, in which mode. */
export function parseActivation(log: string): ActivationLine | undefined {
  const match = /Activated in ([\d.]+) ms from (.+) \((\w+) mode\)\./.exec(log);
  if (match === null) return undefined;
  return { ms: Number(match[1]), extensionPath: match[2]!, mode: match[3]! };
}

async function findFiles(dir: string, match: (file: string) => boolean): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await findFiles(file, match)));
    else if (match(file)) found.push(file);
  }
  return found;
}
