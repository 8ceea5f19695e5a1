// Splits text that is too long for one request into chunks that each fit, cutting at paragraph
// breaks, then line breaks, then spaces, so no chunk ends mid-word where it can be avoided.

/** Chunks of at most `maxChars` characters that, joined, give back `text` exactly. */
export function chunkText(text: string, maxChars: number): string[] {
  if (maxChars < 1) throw new RangeError('maxChars must be at least 1');
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > maxChars) {
    const window = rest.slice(0, maxChars);
    // Prefer a cut in the second half of the window, so chunks are not tiny.
    const floor = Math.floor(maxChars / 2);
    const cut = lastBreak(window, '\n\n', floor) ?? lastBreak(window, '\n', floor) ?? lastBreak(window, ' ', floor) ?? maxChars;
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}

/** The index just after the last `separator` in `window` at or after `floor`, if any. */
function lastBreak(window: string, separator: string, floor: number): number | undefined {
  const index = window.lastIndexOf(separator);
  return index >= floor ? index + separator.length : undefined;
}

/**
 * Characters per chunk so that each chunk is about `tokenBudget` tokens, from the measured
 * characters-per-token of the whole text (with a margin, since density varies along it).
 */
export function charsForTokens(text: string, textTokens: number, tokenBudget: number): number {
  const charsPerToken = textTokens > 0 ? text.length / textTokens : 4;
  return Math.max(1, Math.floor(charsPerToken * tokenBudget * 0.8));
}

/**
 * Groups consecutive items so each group's tokens (plus `perItem` for its framing) stay within
 * `budget`; an item over the budget on its own gets a group of its own.
 */
export function groupByBudget(tokens: readonly number[], budget: number, perItem = 8): number[][] {
  const groups: number[][] = [];
  let current: number[] = [];
  let used = 0;
  tokens.forEach((count, index) => {
    const cost = count + perItem;
    if (current.length > 0 && used + cost > budget) {
      groups.push(current);
      current = [];
      used = 0;
    }
    current.push(index);
    used += cost;
  });
  if (current.length > 0) groups.push(current);
  return groups;
}
