// One line of the privacy ledger, written so the user can audit what crossed the network: either
// an escalation to a cloud model (when, which command, which endpoint, which lines of which files,
// how many bytes, what was redacted or withheld) or a model download (when, from which host, which
// file, how many bytes, how it ended). The ledger file is read back across Hearth versions, so the
// schema is versioned and validated on the way in; escalation lines written before downloads were
// recorded carry no `kind` and still read as escalations. Pure: no `vscode`, no Node built-ins.
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

export const escalationEntrySchema = z.object({
  v: z.literal(LEDGER_ENTRY_VERSION),
  /** Absent on lines written before downloads were recorded. */
  kind: z.literal('escalation').optional(),
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

/** One model download that reached the network (a download refused by policy reaches nothing and is not written). */
export const downloadEntrySchema = z.object({
  v: z.literal(LEDGER_ENTRY_VERSION),
  kind: z.literal('download'),
  time: z.string().datetime({ offset: true }),
  /** What was asked for (after the mirror setting), without its query string. */
  url: z.string().url(),
  /** The host the request went to. */
  sourceHost: z.string().min(1),
  /** The host the server redirected to (a CDN, say), when it differs from sourceHost. */
  redirectHost: z.string().min(1).optional(),
  /** Whether `hearth.models.mirror` replaced Hugging Face in the catalog URL. */
  mirror: z.boolean(),
  fileName: z.string().min(1),
  /** Bytes that came over the network in this download (a resumed one counts only the rest). */
  bytes: z.number().int().nonnegative(),
  /** The finished file's size. */
  sizeBytes: z.number().int().nonnegative().optional(),
  /** Bytes already on disk from an interrupted download that this one resumed. */
  resumedFromBytes: z.number().int().nonnegative().optional(),
  /** The finished file's sha256, and whether it matched a pinned one. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  sha256Verified: z.boolean().optional(),
  outcome: z.enum(['downloaded', 'failed', 'cancelled']),
  error: z.string().optional(),
});

/** A ledger line: a download (`kind: "download"`) or an escalation (`kind` absent or `"escalation"`). */
export const ledgerEntrySchema = z.discriminatedUnion('kind', [escalationEntrySchema, downloadEntrySchema]);

export type EscalationEntry = z.infer<typeof escalationEntrySchema>;
export type DownloadEntry = z.infer<typeof downloadEntrySchema>;
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;
export type LedgerFileRange = EscalationEntry['files'][number];

export function isDownloadEntry(entry: LedgerEntry): entry is DownloadEntry {
  return entry.kind === 'download';
}

export function isEscalationEntry(entry: LedgerEntry): entry is EscalationEntry {
  return entry.kind !== 'download';
}

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
  return isDownloadEntry(entry) ? formatDownloadEntry(entry) : formatEscalationEntry(entry);
}

function formatEscalationEntry(entry: EscalationEntry): FormattedLedgerEntry {
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

/** A download: `2025-06-01 14:03:22  Model download ← huggingface.co`, then file, bytes and outcome, then where from. */
function formatDownloadEntry(entry: DownloadEntry): FormattedLedgerEntry {
  const label = `${formatLocalTime(entry.time)}  Model download ← ${entry.sourceHost}`;

  const outcome =
    entry.outcome === 'downloaded' ? 'downloaded' : entry.outcome === 'failed' ? `failed${entry.error ? `: ${entry.error}` : ''}` : 'cancelled';
  const resumed = entry.resumedFromBytes ? [`resumed at ${formatBytes(entry.resumedFromBytes)}`] : [];
  const description = [entry.fileName, formatBytes(entry.bytes), ...resumed, outcome].join(' · ');

  const via = entry.redirectHost === undefined ? [] : [`redirected to ${entry.redirectHost}`];
  const mirror = entry.mirror ? ['mirror (hearth.models.mirror)'] : [];
  const check =
    entry.sha256 === undefined ? [] : [entry.sha256Verified ? `sha256 ${entry.sha256.slice(0, 12)}… verified` : `sha256 ${entry.sha256.slice(0, 12)}… (no pinned hash)`];
  const detail = [entry.url, ...via, ...mirror, ...check].join(' · ');

  return { label, description, detail };
}

/**
 * Whether `text` finds `entry`: every whitespace-separated word must occur, case-insensitively,
 * in the command (id or title), endpoint host, model or a file path of an escalation, or the
 * hosts, URL and file name of a download. Empty text matches all.
 */
export function matchesLedgerFilter(entry: LedgerEntry, text: string): boolean {
  const words = text.toLowerCase().split(/\s+/).filter((word) => word.length > 0);
  if (words.length === 0) return true;
  const fields = isDownloadEntry(entry)
    ? ['download', entry.sourceHost, entry.redirectHost ?? '', entry.url, entry.fileName]
    : [entry.command, entry.commandTitle, entry.endpointHost, entry.model, ...entry.files.map((file) => file.path)];
  const haystack = fields.join('\n').toLowerCase();
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
