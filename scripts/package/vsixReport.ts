// What a .vsix holds, read from its zip directory (yauzl): its size on disk, its files with their
// sizes, and the check against the target's budget.
import { stat } from 'node:fs/promises';
import yauzl from 'yauzl';

export interface VsixEntry {
  readonly path: string;
  readonly bytes: number;
  readonly compressedBytes: number;
}

export interface VsixReport {
  readonly file: string;
  readonly bytes: number;
  readonly entries: readonly VsixEntry[];
}

export async function readVsix(file: string): Promise<VsixReport> {
  const bytes = (await stat(file)).size;
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (error, opened) => (error || opened === undefined ? reject(error ?? new Error(`cannot open ${file}`)) : resolve(opened))),
  );
  const entries: VsixEntry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (!entry.fileName.endsWith('/')) entries.push({ path: entry.fileName, bytes: entry.uncompressedSize, compressedBytes: entry.compressedSize });
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  return { file, bytes, entries };
}

export function largestEntries(report: VsixReport, count = 10): VsixEntry[] {
  return [...report.entries].sort((a, b) => b.bytes - a.bytes).slice(0, count);
}

/** Undefined when within budget; else the sentence that fails the build. */
export function overBudget(report: VsixReport, budgetBytes: number, target: string): string | undefined {
  if (report.bytes <= budgetBytes) return undefined;
  return `The ${target} package is ${mib(report.bytes)}, over its budget of ${mib(budgetBytes)} (scripts/package/packageTargets.ts): look at its largest files above before raising it.`;
}

export function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
}
