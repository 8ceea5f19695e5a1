// Byte counts for people: `formatBytes` rounds (decimal units, as operating systems show file
// sizes), `formatExactBytes` groups every digit, for messages where the exact number matters (a
// size that does not match a pin). Neither depends on the host's locale. Pure.

const UNITS = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/** `950 bytes`, `1.2 MB`, `3.45 GB`: three significant digits at most. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1000) return `${Math.max(0, Math.round(bytes))} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${Number(value.toFixed(digits))} ${UNITS[unit]}`;
}

/** `1,185,376 bytes`. */
export function formatExactBytes(bytes: number): string {
  const grouped = String(Math.round(bytes)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${grouped} ${bytes === 1 ? 'byte' : 'bytes'}`;
}
