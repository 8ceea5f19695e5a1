// The privacy ledger on disk: one JSON line per escalation to a cloud model, in the extension's
// global storage, so the user can audit what left the machine. Node only (no `vscode`), so unit
// tests can drive it directly.
//
// Every operation of one instance runs in turn on a queue, so concurrent appends never interleave
// and a clear or export never sees half a line. Each line goes out in one O_APPEND write, which keeps
// lines whole against other VS Code windows appending to the same file as well.
import { appendFile, copyFile, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ledgerEntrySchema, type LedgerEntry } from '../../common/policy/ledgerEntry';

export interface LedgerReadResult {
  /** Oldest first, in the order they were appended. */
  readonly entries: LedgerEntry[];
  /** Lines that were not JSON or did not match the schema (damaged, or from a newer Hearth). */
  readonly skipped: number;
}

export type LedgerListener = (entry: LedgerEntry) => void;

export class PrivacyLedger {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<LedgerListener>();

  constructor(
    readonly file: string,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** Adds one line. Throws if `entry` does not match the schema: a line we could not read back is no record. */
  append(entry: LedgerEntry): Promise<void> {
    const parsed = ledgerEntrySchema.safeParse(entry);
    if (!parsed.success) {
      return Promise.reject(new Error(`Invalid privacy ledger entry: ${parsed.error.issues.map(formatIssue).join('; ')}`));
    }
    return this.serialize(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      // A line torn by a crash would swallow the next one; start on a fresh line after it.
      const prefix = (await this.endsMidLine()) ? '\n' : '';
      await appendFile(this.file, `${prefix}${JSON.stringify(parsed.data)}\n`, 'utf8');
    }).then(() => this.emit(parsed.data));
  }

  /** Every readable entry; a missing file reads as empty, unreadable lines are counted, never thrown. */
  read(): Promise<LedgerReadResult> {
    return this.serialize(async () => {
      const text = await readFile(this.file, 'utf8').catch((error: unknown) => {
        if (isMissing(error)) return '';
        throw error;
      });
      const entries: LedgerEntry[] = [];
      let skipped = 0;
      for (const line of text.split(/\r?\n/)) {
        if (line.trim().length === 0) continue;
        const entry = parseLine(line);
        if (entry === undefined) skipped += 1;
        else entries.push(entry);
      }
      return { entries, skipped };
    });
  }

  /** Forgets every entry. */
  clear(): Promise<void> {
    return this.serialize(() => rm(this.file, { force: true }));
  }

  /** Copies the ledger as it is (JSON Lines) to `targetPath`; an empty ledger exports as an empty file. */
  exportTo(targetPath: string): Promise<void> {
    return this.serialize(async () => {
      await copyFile(this.file, targetPath).catch(async (error: unknown) => {
        if (!isMissing(error) || (await exists(this.file))) throw error;
        await writeFile(targetPath, '');
      });
    });
  }

  /** Calls `listener` after each successful append of this instance; dispose to stop. */
  onDidAppend(listener: LedgerListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.tail.then(operation, operation);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private emit(entry: LedgerEntry): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(entry);
      } catch (error) {
        // The line is written; a failing listener must not make the append look failed.
        this.warn(`A privacy ledger listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private async endsMidLine(): Promise<boolean> {
    const size = await stat(this.file).then(
      (info) => info.size,
      () => 0,
    );
    if (size === 0) return false;
    const handle = await open(this.file, 'r');
    try {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      return last[0] !== 0x0a;
    } finally {
      await handle.close();
    }
  }
}

function parseLine(line: string): LedgerEntry | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = ledgerEntrySchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

function formatIssue(issue: { path: (string | number)[]; message: string }): string {
  return issue.path.length === 0 ? issue.message : `${issue.path.join('.')}: ${issue.message}`;
}

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
