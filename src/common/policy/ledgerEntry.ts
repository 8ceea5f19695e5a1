// One line of the privacy ledger: a record of one escalation to a cloud model, written so the
// user can audit what left the machine (when, which command, which endpoint, which lines of which
// files, how many bytes, what was redacted or withheld). The ledger file is read back across
// Hearth versions, so the schema is versioned and validated on the way in. Pure: no `vscode`, no
// Node built-ins.
import { z } from 'zod';

export const LEDGER_ENTRY_VERSION = 1;

const lineRangeSchema = z
  .object({
    /** Workspace-relative path, or `untitled:…` for an unsaved editor. */
    path: z.string().min(1),
    /** 1-based, inclusive. */
    startLine: z.number().int().min(1),
    endLine: z.number().int().min(1),
  })
  .refine((range) => range.endLine >= range.startLine, { message: 'endLine must not be before startLine', path: ['endLine'] });

export const ledgerEntrySchema = z.object({
  v: z.literal(LEDGER_ENTRY_VERSION),
  time: z.string().datetime({ offset: true }),
  /** The task or command id, e.g. `explainInDepth`. */
  command: z.string().min(1),
  commandTitle: z.string(),
  provider: z.enum(['openai', 'anthropic']),
  endpointId: z.string(),
  endpointHost: z.string(),
  model: z.string(),
  /** What was sent, as line ranges of files. */
  files: z.array(lineRangeSchema),
  /** Files the command would have used but `neverSend` kept out. */
  withheld: z.array(z.object({ path: z.string().min(1), reason: z.string() })),
  /** UTF-8 bytes of the payload sent. */
  bytes: z.number().int().nonnegative(),
  redactions: z.array(z.object({ kind: z.string().min(1), count: z.number().int().nonnegative() })),
  /** `asked`: the user clicked Send in the consent dialog; `policy`: mode `cloud` allowed it without asking. */
  consent: z.enum(['asked', 'policy']),
  outcome: z.enum(['sent', 'failed', 'cancelled']),
  error: z.string().optional(),
});

export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;
export type LedgerFileRange = LedgerEntry['files'][number];

/** The three lines a list shows for one entry. */
export interface FormattedLedgerEntry {
  /** When, which command, which endpoint: `2025-06-01 14:03:22  Explain in Depth → api.openai.com`. */
  readonly label: string;
  /** How much, with whose consent, to which model, and how it ended when it did not go through. */
  readonly description: string;
  /** Which lines of which files, what was redacted, what was withheld. */
  readonly detail: string;
}

export function formatLedgerEntry(entry: LedgerEntry): FormattedLedgerEntry {
  const title = entry.commandTitle.trim() || entry.command;
  const label = `${formatLocalTime(entry.time)}  ${title} → ${entry.endpointHost}`;

  const consent = entry.consent === 'asked' ? 'you clicked Send' : 'allowed by policy (cloud mode)';
  const outcome =
    entry.outcome === 'sent' ? [] : [entry.outcome === 'failed' ? `failed${entry.error ? `: ${entry.error}` : ''}` : 'cancelled'];
  const description = [formatBytes(entry.bytes), consent, entry.model, ...outcome].join(' · ');

  const files = entry.files.length === 0 ? 'no files' : entry.files.map(formatRange).join(', ');
  const redactions =
    entry.redactions.length === 0 ? 'no redactions' : `redacted ${entry.redactions.map((r) => `${r.count} ${r.kind}`).join(', ')}`;
  const withheld = entry.withheld.length === 0 ? [] : [`withheld ${entry.withheld.map((w) => w.path).join(', ')}`];
  const detail = [files, redactions, ...withheld].join(' · ');

  return { label, description, detail };
}

/**
 * Whether `text` finds `entry`: every whitespace-separated word must occur, case-insensitively,
 * in the command (id or title), endpoint host, model or a file path. Empty text matches all.
 */
export function matchesLedgerFilter(entry: LedgerEntry, text: string): boolean {
  const words = text.toLowerCase().split(/\s+/).filter((word) => word.length > 0);
  if (words.length === 0) return true;
  const haystack = [entry.command, entry.commandTitle, entry.endpointHost, entry.model, ...entry.files.map((file) => file.path)]
    .join('\n')
    .toLowerCase();
  return words.every((word) => haystack.includes(word));
}

function formatRange(range: LedgerFileRange): string {
  return range.startLine === range.endLine ? `${range.path}:${range.startLine}` : `${range.path}:${range.startLine}–${range.endLine}`;
}

/** Exact bytes, grouped by thousands without depending on the host's locale. */
function formatBytes(bytes: number): string {
  const grouped = String(bytes).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${grouped} ${bytes === 1 ? 'byte' : 'bytes'}`;
}

/** The user's own clock, to the second: what they compare with their memory of the day. */
function formatLocalTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`
  );
}
