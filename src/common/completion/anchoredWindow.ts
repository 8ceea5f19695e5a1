// Splits the text before the cursor into a stable prefix and what was typed since, for
// fill-in-the-middle prompts. The prefix ends at an anchor line that stays put while the user
// types forward: pressing Enter then appends a newline after the middle token instead of moving
// a line into the prefix, which in prefix-suffix-middle order would make the model process
// evaluate the whole suffix again. The model sees the same text either way; only where it sits
// in the prompt differs.
import { cursorWindow } from './cursorWindow';

export interface PromptAnchor {
  readonly path: string;
  readonly line: number;
  /** The prefix the anchor was taken with; when the text above it changes, the anchor moves. */
  readonly prefix: string;
}

export interface AnchoredWindow {
  /** Whole lines before the anchor line (up to `prefixLines`), ending with `\n` when not empty. */
  readonly prefix: string;
  /** The lines from the anchor line to the cursor line, then the cursor line up to the cursor. */
  readonly middlePrefix: string;
  /** Pass back on the next call for the same document. */
  readonly anchor: PromptAnchor;
}

/** Lines the user may type past the anchor before it moves to the cursor line. */
export const MAX_ANCHORED_LINES = 16;

export function anchoredWindow(
  path: string,
  lines: readonly string[],
  line: number,
  character: number,
  prefixLines: number,
  previous: PromptAnchor | undefined,
): AnchoredWindow {
  const cursorLine = Math.min(Math.max(Math.trunc(Number.isFinite(line) ? line : 0), 0), Math.max(0, lines.length - 1));
  const at = (anchorLine: number) => cursorWindow(lines, anchorLine, 0, { prefixLines, suffixLines: 0 }).prefix;
  let anchorLine = cursorLine;
  let prefix: string | undefined;
  if (
    previous !== undefined &&
    previous.path === path &&
    line === cursorLine &&
    previous.line <= cursorLine &&
    cursorLine - previous.line <= MAX_ANCHORED_LINES
  ) {
    const stable = at(previous.line);
    if (stable === previous.prefix) {
      anchorLine = previous.line;
      prefix = stable;
    }
  }
  prefix ??= at(cursorLine);
  // The typed lines come out of the same window code, so CRLF and clamping match the prefix's.
  const typed = cursorWindow(lines, line, character, { prefixLines: cursorLine - anchorLine, suffixLines: 0 });
  return {
    prefix,
    middlePrefix: (anchorLine < cursorLine ? typed.prefix : '') + typed.linePrefix,
    anchor: { path, line: anchorLine, prefix },
  };
}
