// The text around the cursor that a fill-in-the-middle prompt is built from. The lines before
// the cursor line (`prefix`) and the cursor line up to the cursor (`linePrefix`) are kept apart
// on purpose: the prompt puts `prefix` in its stable head and `linePrefix` after the FIM middle
// token, so each keystroke only appends to the end of the prompt and the model's KV cache for
// everything before it can be reused.

export interface CursorWindow {
  /** Up to `prefixLines` whole lines before the cursor line, joined with `\n`; ends with `\n` when not empty. */
  readonly prefix: string;
  /** The cursor line up to the cursor. */
  readonly linePrefix: string;
  /** The rest of the cursor line after the cursor. */
  readonly lineSuffix: string;
  /** `lineSuffix`, then up to `suffixLines` following lines, joined with `\n`. */
  readonly suffix: string;
}

export interface CursorWindowOptions {
  readonly prefixLines: number;
  readonly suffixLines: number;
}

/**
 * Cuts the window around (`line`, `character`) out of a document given as lines without their
 * terminators. Positions outside the document are clamped to it (a line past the end is the end
 * of the last line), as an editor may report a position from just before an edit landed.
 */
export function cursorWindow(
  lines: readonly string[],
  line: number,
  character: number,
  options: CursorWindowOptions,
): CursorWindow {
  if (lines.length === 0) return { prefix: '', linePrefix: '', lineSuffix: '', suffix: '' };

  const lastLine = lines.length - 1;
  const requestedLine = toInt(line);
  const cursorLine = clamp(requestedLine, 0, lastLine);
  const text = lineAt(lines, cursorLine);
  // Past the last line means the end of the document; before the first, its start.
  const requestedCharacter = requestedLine > lastLine ? text.length : requestedLine < 0 ? 0 : toInt(character);
  const cursorCharacter = clamp(requestedCharacter, 0, text.length);

  const prefixCount = Math.max(0, toInt(options.prefixLines));
  const suffixCount = Math.max(0, toInt(options.suffixLines));

  const before: string[] = [];
  for (let i = Math.max(0, cursorLine - prefixCount); i < cursorLine; i++) before.push(lineAt(lines, i));
  const after: string[] = [];
  for (let i = cursorLine + 1; i <= Math.min(lastLine, cursorLine + suffixCount); i++) after.push(lineAt(lines, i));

  const linePrefix = text.slice(0, cursorCharacter);
  const lineSuffix = text.slice(cursorCharacter);
  return {
    prefix: before.length > 0 ? `${before.join('\n')}\n` : '',
    linePrefix,
    lineSuffix,
    suffix: [lineSuffix, ...after].join('\n'),
  };
}

// A caller that split on `\n` alone leaves a `\r` on each line of a CRLF file; it is not text
// the model should see, and counting it would put the cursor past the visible end of the line.
function lineAt(lines: readonly string[], index: number): string {
  const text = lines[index] ?? '';
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

function toInt(value: number): number {
  return Number.isFinite(value) ? Math.trunc(value) : 0;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
