// Proves a downloaded file is the model that was asked for, cheapest check first: its first bytes
// (a web page says so), its size (when pinned), its GGUF header as node-llama-cpp reads it, and its
// sha256 (when pinned). Throws a DownloadFailure saying which check failed; the caller removes the file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { formatExactBytes } from '../../common/formatBytes';
import { DownloadFailure, notGgufReason } from './downloadChecks';

export interface VerifyExpectations {
  readonly expectedSizeBytes?: number;
  /** Lower-case hex, or null when nothing pins it. */
  readonly sha256: string | null;
}

export interface VerifiedFile {
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly sha256Verified: boolean;
}

export interface VerifyHooks {
  /** Bytes hashed so far. */
  readonly onHashed?: (bytes: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export async function verifyModelFile(path: string, expect: VerifyExpectations, hooks: VerifyHooks = {}): Promise<VerifiedFile> {
  const { size } = await stat(path);

  const head = await readHead(path, 1024);
  const notGguf = notGgufReason(head);
  if (notGguf !== undefined) throw notGguf;

  if (expect.expectedSizeBytes !== undefined && size !== expect.expectedSizeBytes) {
    throw new DownloadFailure(
      'size',
      `the file has ${formatExactBytes(size)}, the catalog pins ${formatExactBytes(expect.expectedSizeBytes)} (a different or truncated file)`,
    );
  }

  // node-llama-cpp's own reader: the header, metadata and tensor table must parse.
  const { readGgufFileInfo } = await import('node-llama-cpp');
  try {
    await readGgufFileInfo(path, { sourceType: 'filesystem', spliceSplitFiles: false, logWarnings: false, readTensorInfo: true });
  } catch (error) {
    throw new DownloadFailure('notGguf', `the file starts like a GGUF model but its header cannot be read (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
    });
  }

  const sha256 = await hashFile(path, size, hooks);
  if (expect.sha256 !== null && sha256 !== expect.sha256) {
    throw new DownloadFailure('checksum', `the file's sha256 is ${sha256}, the catalog pins ${expect.sha256} (a different or damaged file)`);
  }
  return { sizeBytes: size, sha256, sha256Verified: expect.sha256 !== null };
}

async function readHead(path: string, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function hashFile(path: string, size: number, hooks: VerifyHooks): Promise<string> {
  const hash = createHash('sha256');
  let hashed = 0;
  const stream = createReadStream(path, { highWaterMark: 1024 * 1024 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (hooks.signal?.aborted) {
      stream.destroy();
      throw new DownloadFailure('cancelled', 'cancelled while checking the file');
    }
    hash.update(chunk);
    hashed += chunk.byteLength;
    hooks.onHashed?.(hashed, size);
  }
  return hash.digest('hex');
}
