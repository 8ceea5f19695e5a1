// The boundary between the extension host and the download process (dist/download.mjs), a short-
// lived child that fetches one model file with node-llama-cpp's downloader and exits. Messages go
// over the fork's IPC channel as plain objects; both sides validate what they receive with these
// schemas and drop anything else. Pure: no `vscode`, no Node built-ins.
//
//   host → download process: `start` (once, first), `cancel` (any time)
//   download process → host: `progress` (many), then exactly one of `done` or `failed`, then it exits
import { z } from 'zod';

/**
 * Files in the target folder while a download is under way, none of them ending in `.gguf`, so the
 * model resolver (first `*.gguf` in the storage folder) never picks up a partial or unchecked file:
 *   <fileName>.partial.ipull  the bytes so far plus the downloader's resume record (node-llama-cpp's ipull)
 *   <fileName>.partial        complete but not yet checked (size, GGUF header, sha256)
 *   <fileName>.partial.lock   the pid of the process downloading it, so two windows never write one file
 * Only a file that passed every check is renamed to <fileName>.
 */
export const PARTIAL_SUFFIX = '.partial';
export const RESUME_SUFFIX = '.partial.ipull';
export const LOCK_SUFFIX = '.partial.lock';

export const partialFileName = (fileName: string): string => `${fileName}${PARTIAL_SUFFIX}`;

/** Why a download did not produce a file. `offline` is decided in the host, before anything is started. */
export const downloadErrorCodes = [
  /** The privacy policy is offline: nothing was started. */
  'offline',
  /** The request itself is unusable (a bad mirror setting, URL or file name). */
  'badRequest',
  /** Another process (another window) is downloading the same file into the same folder. */
  'busy',
  /** Not enough free disk space for the file. */
  'diskSpace',
  /** HTTP 404 / 410. */
  'notFound',
  /** Any other HTTP error status. */
  'http',
  /** The connection failed (refused, reset, DNS). */
  'network',
  /** No data arrived for too long; what was downloaded is kept and the next try resumes. */
  'stalled',
  /** The file is not the size the catalog pins. */
  'size',
  /** The file does not have the sha256 the catalog pins. */
  'checksum',
  /** The server sent a web page (HTML) instead of the model. */
  'webPage',
  /** The file is not a readable GGUF model. */
  'notGguf',
  /** The user cancelled; what was downloaded is kept and the next try resumes. */
  'cancelled',
  /** The download process died or broke the protocol. */
  'crashed',
  'internal',
] as const;
export const downloadErrorCode = z.enum(downloadErrorCodes);
export type DownloadErrorCode = z.infer<typeof downloadErrorCode>;

const sha256Hex = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits')
  .transform((value) => value.toLowerCase());

const httpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//i.test(value), 'must be an http(s) URL')
  .refine((value) => {
    const url = new URL(value);
    return url.username === '' && url.password === '';
  }, 'must not contain a user name or password');

/** A plain file name ending in .gguf: no folders, nothing hidden, nothing that climbs out. */
export const modelFileNameSchema = z
  .string()
  .min(6)
  .max(255)
  .regex(/^[^/\\:*?"<>|]+$/, 'must be a plain file name')
  .refine((value) => ![...value].some((char) => char.charCodeAt(0) < 0x20), 'must not contain control characters')
  .refine((value) => !value.startsWith('.'), 'must not start with a dot')
  .refine((value) => value.toLowerCase().endsWith('.gguf'), 'must end with .gguf');

export const MAX_PARALLEL_CONNECTIONS = 16;
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;

export const downloadStartMessage = z.object({
  type: z.literal('start'),
  /** What to fetch: the catalog URL, already rewritten to the mirror when one is set. */
  url: httpUrl,
  /** Absolute folder the file goes to (created if missing). */
  directory: z.string().min(1),
  fileName: modelFileNameSchema,
  /** The pinned size; omitted when no source confirmed it. */
  expectedSizeBytes: z.number().int().positive().optional(),
  /** The pinned sha256, or null when the catalog has none (then size and GGUF header are checked). */
  sha256: sha256Hex.nullable(),
  /**
   * node-llama-cpp's `parallelDownloads`: how many files of a multi-file download run at once.
   * Within one file its downloader (ipull) always uses 3 connections over 5 MiB chunks, which
   * node-llama-cpp does not let a caller change; split models are refused, so today this is passed
   * through for completeness only.
   */
  parallelConnections: z.number().int().min(1).max(MAX_PARALLEL_CONNECTIONS).default(4),
  /** Give up (keeping the partial file) when no byte arrives for this long. */
  stallTimeoutMs: z.number().int().positive().max(3_600_000).default(DEFAULT_STALL_TIMEOUT_MS),
});

export const downloadCancelMessage = z.object({ type: z.literal('cancel') });

export const hostToDownloadMessage = z.discriminatedUnion('type', [downloadStartMessage, downloadCancelMessage]);

/** Where the bytes really come from, when the server redirected to another host (a CDN, say). */
const redirectedTo = z.string().url().nullable();

export const downloadProgressMessage = z.object({
  type: z.literal('progress'),
  /** `connecting`: asking the server for the size; `downloading`; `verifying`: size, header, sha256. */
  phase: z.enum(['connecting', 'downloading', 'verifying']),
  /** Bytes of the file on disk so far (a resumed download starts above 0). While verifying: bytes hashed. */
  receivedBytes: z.number().int().nonnegative(),
  /** null while unknown. */
  totalBytes: z.number().int().nonnegative().nullable(),
  /** Bytes that were already on disk from an earlier, interrupted download. */
  resumedFromBytes: z.number().int().nonnegative().default(0),
  /** The URL the server redirected to when its host differs from the requested one. */
  redirectedTo: redirectedTo.default(null),
});

export const downloadDoneMessage = z.object({
  type: z.literal('done'),
  path: z.string().min(1),
  sizeBytes: z.number().int().nonnegative(),
  /** The sha256 of the file as written (checked against the pin when there was one). */
  sha256: sha256Hex,
  /** Whether a pinned sha256 was checked (false when the catalog had none). */
  sha256Verified: z.boolean(),
  /** Bytes that came over the network in this run. */
  receivedBytes: z.number().int().nonnegative(),
  resumedFromBytes: z.number().int().nonnegative(),
  /** The file was already there and passed the checks: nothing was fetched. */
  alreadyPresent: z.boolean(),
  redirectedTo,
});

export const downloadFailedMessage = z.object({
  type: z.literal('failed'),
  code: downloadErrorCode,
  message: z.string().min(1),
  /** Whether any request reached the network (for the privacy ledger). */
  contacted: z.boolean(),
  /** Bytes that came over the network in this run. */
  receivedBytes: z.number().int().nonnegative(),
  /** Whether a partial file was kept for the next try to resume. */
  partialKept: z.boolean(),
  redirectedTo,
});

export const downloadToHostMessage = z.discriminatedUnion('type', [downloadProgressMessage, downloadDoneMessage, downloadFailedMessage]);

export type DownloadStartMessage = z.input<typeof downloadStartMessage>;
export type DownloadStartRequest = z.output<typeof downloadStartMessage>;
export type HostToDownloadMessage = z.input<typeof hostToDownloadMessage>;
export type DownloadProgressMessage = z.output<typeof downloadProgressMessage>;
export type DownloadDoneMessage = z.output<typeof downloadDoneMessage>;
export type DownloadFailedMessage = z.output<typeof downloadFailedMessage>;
export type DownloadToHostMessage = z.output<typeof downloadToHostMessage>;

/**
 * Environment variables the download process must not see. node-llama-cpp reads a Hugging Face
 * token from HF_TOKEN (and from the file at HF_TOKEN_PATH, or HF_HOME / XDG_CACHE_HOME's
 * huggingface/token) and sends it as a bearer token to whatever host it takes for Hugging Face,
 * which HF_ENDPOINT or MODEL_ENDPOINT can point anywhere (a mirror, say). The process is also
 * given explicit options so the library picks up neither; removing them here is the second lock.
 */
export function isHuggingFaceEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  return upper.startsWith('HF_') || upper.startsWith('HUGGING_FACE_') || upper.startsWith('HUGGINGFACE_') || upper === 'MODEL_ENDPOINT';
}

/** A copy of `env` without the Hugging Face token and endpoint variables. */
export function downloadProcessEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!isHuggingFaceEnvName(name)) result[name] = value;
  }
  return result;
}
