// Snippets of other files the user is working with (opened, edited, copied from), given to the
// model ahead of the current file. The prompt puts them first, so their order is kept stable:
// a new snippet goes at the end, and the model's KV cache for the snippets before it stays valid.

export interface ExtraContextChunk {
  /** The file the text comes from (a workspace-relative path or a document id). */
  readonly source: string;
  readonly text: string;
}

export interface ExtraContextRingOptions {
  /** Most chunks kept; the least recently touched goes when a new one comes. */
  readonly maxChunks?: number;
  /** Lines in a chunk, centred on the line of interest. */
  readonly chunkLines?: number;
  /** The line that names a chunk's source in `render`; `// <source>` when not given. */
  readonly formatHeader?: (source: string) => string;
}

interface Entry extends ExtraContextChunk {
  readonly startLine: number;
  readonly endLine: number; // exclusive
  touchedAt: number;
}

export class ExtraContextRing {
  private entries: Entry[] = [];
  private changes = 0;
  private readonly maxChunks: number;
  private readonly chunkLines: number;
  private readonly formatHeader: (source: string) => string;

  constructor(options: ExtraContextRingOptions = {}) {
    this.maxChunks = positiveInteger(options.maxChunks ?? 16, 'maxChunks');
    this.chunkLines = positiveInteger(options.chunkLines ?? 64, 'chunkLines');
    this.formatHeader = options.formatHeader ?? ((source) => `// ${source}`);
  }

  /** Goes up whenever `chunks()` would answer differently, so the host knows when to warm the model again. */
  get version(): number {
    return this.changes;
  }

  /**
   * Takes the `chunkLines` lines of `lines` centred on `aroundLine`. A chunk that covers mostly
   * the same lines of the same source as one already held replaces it, so scrolling or editing
   * one place does not fill the ring with near-copies; the same text again only marks it used.
   */
  add(source: string, lines: readonly string[], aroundLine: number, now: number): void {
    if (lines.length === 0) return;
    const center = Math.min(Math.max(Number.isFinite(aroundLine) ? Math.trunc(aroundLine) : 0, 0), lines.length - 1);
    const startLine = Math.max(0, Math.min(center - Math.floor(this.chunkLines / 2), lines.length - this.chunkLines));
    const endLine = Math.min(lines.length, startLine + this.chunkLines);
    const text = lines
      .slice(startLine, endLine)
      .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
      .join('\n');
    if (text.trim().length === 0) return;

    const replaced = this.entries.filter(
      (entry) => entry.source === source && mostlyOverlaps(entry.startLine, entry.endLine, startLine, endLine),
    );
    const same = replaced.length === 1 ? replaced[0] : undefined;
    if (same !== undefined && same.text === text) {
      same.touchedAt = now; // unchanged text keeps its place, and the prompt head with it
      return;
    }

    this.entries = this.entries.filter((entry) => !replaced.includes(entry));
    this.entries.push({ source, text, startLine, endLine, touchedAt: now });
    while (this.entries.length > this.maxChunks) this.evictLeastRecentlyTouched();
    this.changes++;
  }

  removeSource(source: string): void {
    const kept = this.entries.filter((entry) => entry.source !== source);
    if (kept.length === this.entries.length) return;
    this.entries = kept;
    this.changes++;
  }

  /** The chunks, oldest first. */
  chunks(): readonly ExtraContextChunk[] {
    return this.entries.map(({ source, text }) => ({ source, text }));
  }

  /**
   * The chunks as prompt text within `maxChars`: the most recently touched first get a place,
   * skipping any that would not fit, and the chosen ones are written oldest first so that the
   * text stays a stable head. Chunks of `exceptSource` (the file being completed, whose own text
   * the prompt already has) are left out.
   */
  render(maxChars: number, exceptSource?: string): string {
    const blocks = this.entries.map((entry) => `${this.formatHeader(entry.source)}\n${entry.text}\n`);
    const byRecency = this.entries
      .map((entry, index) => ({ index, touchedAt: entry.touchedAt, source: entry.source }))
      .filter((entry) => entry.source !== exceptSource)
      .sort((a, b) => b.touchedAt - a.touchedAt || b.index - a.index);
    const chosen = new Set<number>();
    let used = 0;
    for (const { index } of byRecency) {
      const length = blocks[index]?.length ?? 0;
      if (used + length > maxChars) continue;
      chosen.add(index);
      used += length;
    }
    return blocks.filter((_, index) => chosen.has(index)).join('');
  }

  // Recency of use, not of insertion, decides eviction: a file the user keeps returning to
  // stays even though its chunk kept its early place in the order.
  private evictLeastRecentlyTouched(): void {
    let victim = 0;
    for (let i = 1; i < this.entries.length; i++) {
      const candidate = this.entries[i];
      const current = this.entries[victim];
      if (candidate !== undefined && current !== undefined && candidate.touchedAt < current.touchedAt) victim = i;
    }
    this.entries.splice(victim, 1);
  }
}

// Most of the smaller of the two ranges is shared: measured on the smaller one so that a file
// that shrank below `chunkLines` still replaces its old, longer chunk.
function mostlyOverlaps(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const shared = Math.min(aEnd, bEnd) - Math.max(aStart, bStart);
  return shared * 2 > Math.min(aEnd - aStart, bEnd - bStart);
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`ExtraContextRing: ${name} must be a positive integer, got ${value}`);
  return value;
}
