// The download process's plain decisions, kept apart from node-llama-cpp so unit tests can reach
// them: what a failure is called and says, whether the first bytes of a file are a web page, whether
// the disk can take the file, and where the library says the bytes really came from.
import { formatBytes, formatExactBytes } from '../../common/formatBytes';
import type { DownloadErrorCode } from '../../common/protocol/downloadProtocol';

/** A failure with the code the host shows it by. */
export class DownloadFailure extends Error {
  constructor(
    readonly code: DownloadErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DownloadFailure';
  }
}

/** `-00001-of-00003.gguf` or `.gguf.part1of3`: a model stored as several files. */
export function isSplitModelUrl(url: string): boolean {
  const path = new URL(url).pathname;
  return /-\d{5}-of-\d{5}\.gguf$/i.test(path) || /\.gguf\.part\d+of\d+$/i.test(path);
}

const GGUF_MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"

export function startsWithGgufMagic(head: Uint8Array): boolean {
  return GGUF_MAGIC.every((byte, index) => head[index] === byte);
}

/** Whether the first bytes of a file are an HTML page (an error page, a login or captive portal). */
export function looksLikeHtml(head: Uint8Array): boolean {
  const text = latin1(head.subarray(0, 1024))
    .replace(/^\u00ef\u00bb\u00bf/, '') // a UTF-8 byte order mark, read as Latin-1
    .trimStart()
    .toLowerCase();
  return /^<(?:!doctype\s+html|html|head|body|title|meta|script|!--)/.test(text) || (text.startsWith('<?xml') && text.includes('<html'));
}

/** A short, printable preview of the first bytes, for "it starts with …" in messages. */
export function previewBytes(head: Uint8Array, length = 24): string {
  const text = latin1(head.subarray(0, length)).replace(/[^\x20-\x7e]/g, '.');
  return head.length > length ? `${text}…` : text;
}

/** Why the file at hand is not a model, from its first bytes; undefined when it starts like a GGUF file. */
export function notGgufReason(head: Uint8Array): DownloadFailure | undefined {
  if (startsWithGgufMagic(head)) return undefined;
  if (looksLikeHtml(head)) {
    return new DownloadFailure(
      'webPage',
      `the server sent a web page, not a GGUF file (it starts with "${previewBytes(head)}"; a login page, an error page or a network portal)`,
    );
  }
  if (head.length === 0) return new DownloadFailure('notGguf', 'the server sent an empty file, not a GGUF model');
  return new DownloadFailure('notGguf', `the server sent something that is not a GGUF model (it starts with "${previewBytes(head)}", not "GGUF")`);
}

/** The refusal when `freeBytes` cannot take `neededBytes` more in `directory`; undefined when they fit. */
export function diskShortage(neededBytes: number, freeBytes: number, directory: string): DownloadFailure | undefined {
  if (neededBytes <= freeBytes) return undefined;
  return new DownloadFailure(
    'diskSpace',
    `not enough free disk space in ${directory}: the download needs ${formatExactBytes(neededBytes)} (${formatBytes(neededBytes)}), ` +
      `and only ${formatExactBytes(freeBytes)} (${formatBytes(freeBytes)}) are free. Free some space and try again.`,
  );
}

/** An error from the downloader (ipull), fetch or the file system, as a failure that names the URL. */
export function classifyDownloadError(error: unknown, url: string): DownloadFailure {
  if (error instanceof DownloadFailure) return error;
  const status = numberProperty(error, 'statusCode');
  if (status !== undefined) {
    const statusText = stringProperty(error, 'statusText');
    const answer = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
    if (status === 404 || status === 410) {
      return new DownloadFailure('notFound', `the server answered ${answer} for ${url}: the file is not there (check the URL or the mirror setting)`, { cause: error });
    }
    if (status === 401 || status === 403) {
      return new DownloadFailure('http', `the server refused the download (${answer}) of ${url}; Hearth sends no credentials, so the file must be public`, {
        cause: error,
      });
    }
    return new DownloadFailure('http', `the server answered ${answer} for ${url}`, { cause: error });
  }
  const code = stringProperty(error, 'code') ?? stringProperty(causeOf(error), 'code');
  if (code === 'ENOSPC') return new DownloadFailure('diskSpace', 'the disk is full; free some space and try again (the download resumes where it stopped)', { cause: error });
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new DownloadFailure('internal', `cannot write the model file: ${messageOf(error)}`, { cause: error });
  }
  if (isNetworkError(error, code)) {
    const host = safeHost(url);
    const detail = messageOf(causeOf(error)) || messageOf(error);
    return new DownloadFailure('network', `could not reach ${host} (${detail}); what was downloaded is kept and the next try resumes`, { cause: error });
  }
  return new DownloadFailure('internal', `the download of ${url} failed: ${messageOf(error)}`, { cause: error });
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

function isNetworkError(error: unknown, code: string | undefined): boolean {
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  const message = messageOf(error);
  // fetch reports every network failure as a TypeError "fetch failed"; ipull a content-length mismatch after a cut.
  return /fetch failed|terminated|socket|other side closed|content length/i.test(message);
}

/**
 * Where the bytes came from, when the server redirected to another host. node-llama-cpp does not
 * expose it; its ipull downloader keeps the URL after redirects (fetch's `response.url`) as each
 * part's `downloadURL` (ipull dist/download/download-engine/engine/base-download-engine.js,
 * `_createDownloadFile`). Only the origin is kept: CDN URLs carry signed query strings.
 */
export function redirectedOrigin(downloader: unknown, requestedUrl: string): string | null {
  const specific = (downloader as { _specificFileDownloaders?: unknown })._specificFileDownloaders;
  if (!Array.isArray(specific)) return null;
  for (const fileDownloader of specific) {
    const parts = (fileDownloader as { file?: { parts?: unknown } } | undefined)?.file?.parts;
    if (!Array.isArray(parts)) continue;
    for (const part of parts) {
      const downloadUrl = (part as { downloadURL?: unknown } | undefined)?.downloadURL;
      if (typeof downloadUrl !== 'string') continue;
      try {
        const target = new URL(downloadUrl);
        if (target.host !== new URL(requestedUrl).host) return target.origin;
      } catch {
        // not a URL: nothing to report
      }
    }
  }
  return null;
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function causeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined || error === null ? '' : String(error);
}

function numberProperty(value: unknown, key: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const property = (value as Record<string, unknown>)[key];
  return typeof property === 'number' ? property : undefined;
}

function stringProperty(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const property = (value as Record<string, unknown>)[key];
  return typeof property === 'string' ? property : undefined;
}
