// Suggestions already computed for the text around the cursor, so that typing back to a
// position, or typing the characters a suggestion proposed, shows ghost text at once instead of
// waiting on the model. Keys use only the text near the cursor: far-away edits rarely change
// what belongs at the cursor, and short keys keep every lookup cheap.

export interface CompletionCacheOptions {
  /** Most suggestions kept; the least recently used goes first. */
  readonly capacity?: number;
  /** Characters of the text before the cursor that the key keeps (its end). */
  readonly prefixChars?: number;
  /** Characters of the text after the cursor that the key keeps (its start). */
  readonly suffixChars?: number;
  /** How far back `lookupTypedThrough` searches for the position a suggestion was cached at. */
  readonly maxTypedChars?: number;
}

export class CompletionCache {
  private readonly entries = new Map<string, string>();
  private readonly capacity: number;
  private readonly prefixChars: number;
  private readonly suffixChars: number;
  private readonly maxTypedChars: number;
  private hitCount = 0;
  private missCount = 0;

  constructor(options: CompletionCacheOptions = {}) {
    this.capacity = positiveInteger(options.capacity ?? 250, 'capacity');
    this.prefixChars = positiveInteger(options.prefixChars ?? 1024, 'prefixChars');
    this.suffixChars = nonNegativeInteger(options.suffixChars ?? 256, 'suffixChars');
    this.maxTypedChars = nonNegativeInteger(options.maxTypedChars ?? 64, 'maxTypedChars');
  }

  get hits(): number {
    return this.hitCount;
  }

  get misses(): number {
    return this.missCount;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The key for a cursor with `before` and `after` it: the end of one and the start of the other. */
  key(before: string, after: string): string {
    const tail = before.length > this.prefixChars ? before.slice(before.length - this.prefixChars) : before;
    const head = after.length > this.suffixChars ? after.slice(0, this.suffixChars) : after;
    // The tail's length makes the split point part of the key: `ab|c` and `a|bc` differ.
    return `${tail.length}:${tail}${head}`;
  }

  set(before: string, after: string, suggestion: string): void {
    if (suggestion.length === 0) return;
    const key = this.key(before, after);
    this.entries.delete(key); // re-inserting moves it to the most recent end
    this.entries.set(key, suggestion);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  /** The suggestion cached at exactly this cursor. */
  get(before: string, after: string): string | undefined {
    return this.count(this.find(before, after));
  }

  /**
   * What is left of a suggestion cached a few characters back with the same text after the
   * cursor, when everything typed since then is the start of that suggestion. Undefined when
   * the typed text went another way or the suggestion has been typed in full.
   */
  lookupTypedThrough(before: string, after: string): string | undefined {
    return this.count(this.findTypedThrough(before, after));
  }

  /** The exact entry, else one typed through; counts one hit or miss. */
  lookup(before: string, after: string): string | undefined {
    return this.count(this.find(before, after) ?? this.findTypedThrough(before, after));
  }

  /** Drops every suggestion (the model or its settings changed); the counters keep the session's totals. */
  clear(): void {
    this.entries.clear();
  }

  private find(before: string, after: string): string | undefined {
    const key = this.key(before, after);
    const suggestion = this.entries.get(key);
    if (suggestion !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, suggestion);
    }
    return suggestion;
  }

  // Walks back one character at a time, nearest position first: one map lookup per typed
  // character, whatever the cache holds.
  private findTypedThrough(before: string, after: string): string | undefined {
    const limit = Math.min(this.maxTypedChars, before.length);
    // Only the end of `before` can reach a key, so the document's size never matters.
    const recent = before.slice(Math.max(0, before.length - this.prefixChars - limit));
    for (let typedLength = 1; typedLength <= limit; typedLength++) {
      const earlier = recent.slice(0, recent.length - typedLength);
      const suggestion = this.entries.get(this.key(earlier, after));
      if (suggestion === undefined || suggestion.length <= typedLength) continue;
      if (!suggestion.startsWith(recent.slice(recent.length - typedLength))) continue;
      this.find(earlier, after); // mark it recently used
      return suggestion.slice(typedLength);
    }
    return undefined;
  }

  private count(suggestion: string | undefined): string | undefined {
    if (suggestion === undefined) this.missCount++;
    else this.hitCount++;
    return suggestion;
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`CompletionCache: ${name} must be a positive integer, got ${value}`);
  return value;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`CompletionCache: ${name} must be a non-negative integer, got ${value}`);
  return value;
}
