// The typing side of `npm run bench:completions`: a seeded script of human-like keystrokes that
// retypes a block of lines in the middle of a real file, and the document those keystrokes edit.
// Everything random comes from one seed, so two runs (say psm and spm) type the same text with the
// same pauses and compare like with like.

/** mulberry32: small, fast and good enough for pauses and typos; the same sequence on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type Key =
  /** A printable character typed at the cursor. */
  | { readonly kind: 'char'; readonly text: string }
  /** Enter: a line break plus the next line's indentation, as the editor's auto-indent would put there. */
  | { readonly kind: 'enter'; readonly indent: string }
  | { readonly kind: 'backspace' };

export interface ScriptedKey {
  readonly key: Key;
  /** Milliseconds to wait before pressing it. */
  readonly pauseMs: number;
  /** Part of a typo: the wrong character or the backspace that removes it. */
  readonly typo: boolean;
}

export interface PauseModel {
  /** Ordinary gaps between keys, drawn uniformly from this range (ms). */
  readonly minMs: number;
  readonly maxMs: number;
  /** Chance of a longer "thinking" pause before any key, and its range. */
  readonly thinkChance: number;
  readonly thinkMinMs: number;
  readonly thinkMaxMs: number;
  /** Chance of a longer pause after a line break (reading what comes next). */
  readonly afterLineChance: number;
}

export const DEFAULT_PAUSES: PauseModel = {
  minMs: 60,
  maxMs: 250,
  thinkChance: 0.04,
  thinkMinMs: 500,
  thinkMaxMs: 1_800,
  afterLineChance: 0.35,
};

/** Chance that a letter is mistyped (a neighbouring letter, noticed, deleted, then typed right). */
const TYPO_CHANCE = 0.02;
const NEIGHBOURS: Readonly<Record<string, string>> = {
  a: 'sq', b: 'vn', c: 'xv', d: 'sf', e: 'wr', f: 'dg', g: 'fh', h: 'gj', i: 'uo', j: 'hk', k: 'jl', l: 'k',
  m: 'n', n: 'bm', o: 'ip', p: 'o', q: 'w', r: 'et', s: 'ad', t: 'ry', u: 'yi', v: 'cb', w: 'qe', x: 'zc', y: 'tu', z: 'x',
};

export function drawPause(random: () => number, pauses: PauseModel, afterLine: boolean): number {
  if (afterLine && random() < pauses.afterLineChance) return uniform(random, pauses.thinkMinMs, pauses.thinkMaxMs);
  if (random() < pauses.thinkChance) return uniform(random, pauses.thinkMinMs, pauses.thinkMaxMs);
  return uniform(random, pauses.minMs, pauses.maxMs);
}

function uniform(random: () => number, min: number, max: number): number {
  return Math.round(min + random() * (max - min));
}

/**
 * The keystrokes that type `lines` (each line's indentation comes from the Enter before it, the
 * first line's from the editor already), with pauses and the occasional corrected typo.
 */
export function scriptTyping(lines: readonly string[], seed: number, pauses: PauseModel = DEFAULT_PAUSES): ScriptedKey[] {
  const random = seededRandom(seed);
  const keys: ScriptedKey[] = [];
  let afterLine = false;
  const push = (key: Key, typo = false, extraPauseMs = 0) => {
    keys.push({ key, pauseMs: drawPause(random, pauses, afterLine) + extraPauseMs, typo });
    afterLine = key.kind === 'enter';
  };
  lines.forEach((line, index) => {
    const body = line.slice(indentOf(line).length);
    for (const ch of body) {
      const wrong = NEIGHBOURS[ch.toLowerCase()];
      if (wrong !== undefined && random() < TYPO_CHANCE) {
        const typo = wrong[Math.floor(random() * wrong.length)] ?? 'x';
        push({ kind: 'char', text: ch === ch.toUpperCase() ? typo.toUpperCase() : typo }, true);
        push({ kind: 'backspace' }, true, 150); // noticing takes a moment
      }
      push({ kind: 'char', text: ch });
    }
    const next = lines[index + 1];
    if (next !== undefined) push({ kind: 'enter', indent: next.trim().length === 0 ? '' : indentOf(next) });
  });
  return keys;
}

export function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? '';
}

/** A document as the completion service sees it, with a cursor that always sits where typing happens. */
export class TypingDocument {
  private lines: string[];
  private line: number;
  private character: number;

  constructor(
    readonly path: string,
    readonly languageId: string,
    lines: readonly string[],
    line: number,
    character: number,
  ) {
    this.lines = [...lines];
    this.line = line;
    this.character = character;
  }

  /** A fresh snapshot, as `document.getText().split(...)` gives the provider on each call. */
  snapshot(): { document: { path: string; languageId: string; lines: readonly string[] }; line: number; character: number } {
    return { document: { path: this.path, languageId: this.languageId, lines: [...this.lines] }, line: this.line, character: this.character };
  }

  get position(): { line: number; character: number } {
    return { line: this.line, character: this.character };
  }

  /** The line up to the cursor. */
  get linePrefix(): string {
    return (this.lines[this.line] ?? '').slice(0, this.character);
  }

  press(key: Key): void {
    const current = this.lines[this.line] ?? '';
    const before = current.slice(0, this.character);
    const after = current.slice(this.character);
    if (key.kind === 'char') {
      this.lines[this.line] = before + key.text + after;
      this.character += key.text.length;
    } else if (key.kind === 'enter') {
      this.lines.splice(this.line, 1, before, key.indent + after);
      this.line += 1;
      this.character = key.indent.length;
    } else if (this.character > 0) {
      this.lines[this.line] = before.slice(0, -1) + after;
      this.character -= 1;
    }
  }
}
