// What the download notification says: bytes so far of the total, the speed over the last few
// seconds, the time left, a resumed start, a redirect. Pure, so it is unit-tested without VS Code.
import { formatBytes } from '../../common/formatBytes';
import type { DownloadProgressMessage } from '../../common/protocol/downloadProtocol';

/** Bytes per second over a sliding window of samples. */
export class TransferRate {
  private samples: Array<{ readonly time: number; readonly bytes: number }> = [];

  constructor(private readonly windowMs = 5_000) {}

  /** Records the byte count at `timeMs`; a count that went down (a restarted chunk) starts over. */
  sample(bytes: number, timeMs: number): void {
    const last = this.samples.at(-1);
    if (last !== undefined && bytes < last.bytes) this.samples = [];
    this.samples.push({ time: timeMs, bytes });
    while (this.samples.length > 2 && timeMs - this.samples[0]!.time > this.windowMs) this.samples.shift();
  }

  /** Undefined until there is at least half a second of samples. */
  bytesPerSecond(): number | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (first === undefined || last === undefined || last.time - first.time < 500) return undefined;
    return ((last.bytes - first.bytes) * 1000) / (last.time - first.time);
  }
}

/** `45 s`, `3 min`, `1 h 5 min`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'unknown';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** Percent done (0–100), or undefined while the total is unknown. */
export function percentDone(progress: Pick<DownloadProgressMessage, 'receivedBytes' | 'totalBytes'>): number | undefined {
  if (progress.totalBytes === null || progress.totalBytes <= 0) return undefined;
  return Math.min(100, (progress.receivedBytes / progress.totalBytes) * 100);
}

/**
 * The notification's line, e.g. `12.3 MB of 400 MB (3%) · 5.1 MB/s · about 1 min left · from
 * huggingface.co via cdn-lfs.hf.co`.
 */
export function describeDownloadProgress(progress: DownloadProgressMessage, bytesPerSecond: number | undefined, sourceHost: string): string {
  const percent = percentDone(progress);
  if (progress.phase === 'connecting') return `Connecting to ${sourceHost}…`;
  if (progress.phase === 'verifying') return `Checking the file${percent === undefined ? '' : ` (${Math.floor(percent)}%)`}…`;
  const parts: string[] = [
    progress.totalBytes === null
      ? formatBytes(progress.receivedBytes)
      : `${formatBytes(progress.receivedBytes)} of ${formatBytes(progress.totalBytes)} (${Math.floor(percent ?? 0)}%)`,
  ];
  if (bytesPerSecond !== undefined && bytesPerSecond > 0) {
    parts.push(`${formatBytes(bytesPerSecond)}/s`);
    if (progress.totalBytes !== null && progress.totalBytes > progress.receivedBytes) {
      parts.push(`about ${formatDuration((progress.totalBytes - progress.receivedBytes) / bytesPerSecond)} left`);
    }
  }
  if (progress.resumedFromBytes > 0) parts.push(`resumed at ${formatBytes(progress.resumedFromBytes)}`);
  const via = progress.redirectedTo === null ? '' : ` via ${hostOf(progress.redirectedTo)}`;
  parts.push(`from ${sourceHost}${via}`);
  return parts.join(' · ');
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
