// Turns a raw fill-in-the-middle answer into the ghost text to show: cut it where the model
// ran past what belongs at the cursor, and never repeat what the document already has after the
// cursor. A small model often keeps going (the next function, the closing brace the editor
// already auto-inserted), so these rules matter more than the model's own stop.

/** Special tokens that can leak into the text when a runtime detokenizes them; the text is cut at the first one. */
export const DEFAULT_STOP_TOKENS: readonly string[] = [
  // Qwen2.5-Coder, CodeGemma, Llama 3 and chat-template ends.
  '<|endoftext|>',
  '<|fim_pad|>',
  '<|file_sep|>',
  '<|file_separator|>',
  '<|fim_prefix|>',
  '<|fim_suffix|>',
  '<|fim_middle|>',
  '<|repo_name|>',
  '<|im_start|>',
  '<|im_end|>',
  '<|end|>',
  '<|eot_id|>',
  '<|end_of_text|>',
  // StarCoder and Granite.
  '<fim_prefix>',
  '<fim_suffix>',
  '<fim_middle>',
  '<fim_pad>',
  '<file_sep>',
  // CodeLlama and Llama 2. `</s>` is also HTML's strikethrough end tag: pass `stopTokens` for HTML.
  '<EOT>',
  '</s>',
  // DeepSeek-Coder (full-width bars).
  '<｜end▁of▁sentence｜>',
  '<｜fim▁begin｜>',
  '<｜fim▁hole｜>',
  '<｜fim▁end｜>',
];

export interface PostProcessInput {
  /** The model's raw answer for the middle. */
  readonly completion: string;
  /** The cursor line up to the cursor. */
  readonly linePrefix: string;
  /** The rest of the cursor line after the cursor. */
  readonly lineSuffix: string;
  /** The document's lines after the cursor line. */
  readonly suffixLines: readonly string[];
  /** Most lines a multi-line suggestion may have (its first line is the rest of the cursor line). */
  readonly maxLines: number;
  /** Columns a tab counts for when comparing indentation; 4 when not given. */
  readonly tabSize?: number;
  /** Replaces `DEFAULT_STOP_TOKENS`. */
  readonly stopTokens?: readonly string[];
}

/** The suggestion to show, or undefined when nothing useful is left. */
export function postProcessCompletion(input: PostProcessInput): string | undefined {
  const tabSize = tabSizeOf(input);
  const text = cutAtStopToken(input.completion.replace(/\r\n?/g, '\n'), input.stopTokens ?? DEFAULT_STOP_TOKENS);
  const lines = text.split('\n').map((line) => line.trimEnd());

  // Inside a line only the rest of that line is the model's to fill; at the end of a line or
  // on an empty one it may write the block that follows.
  const suggestion = isBlank(input.lineSuffix)
    ? multiLine(lines, input, tabSize).text
    : singleLine(lines[0] ?? '', input.lineSuffix);
  return isBlank(suggestion) ? undefined : suggestion;
}

/**
 * Whether the text generated so far already holds the whole suggestion `postProcessCompletion`
 * would show, so the model can stop: a stop token came, the line ended (inside a line), or the
 * multi-line rules ended the block or reached `maxLines` on lines that are complete. The model
 * process asks this as tokens arrive; whatever comes after cannot change the suggestion.
 */
export function suggestionIsComplete(input: PostProcessInput): boolean {
  const normalized = input.completion.replace(/\r\n?/g, '\n');
  const text = cutAtStopToken(normalized, input.stopTokens ?? DEFAULT_STOP_TOKENS);
  if (text.length < normalized.length) return true;
  const lines = text.split('\n').map((line) => line.trimEnd());
  // The last piece is a line still being written; only the lines before it are settled.
  const completeLines = lines.length - 1;
  if (completeLines === 0) return false;
  if (!isBlank(input.lineSuffix)) return true;
  return multiLine(lines, input, tabSizeOf(input)).decidedAt < completeLines;
}

function tabSizeOf(input: PostProcessInput): number {
  return input.tabSize !== undefined && Number.isInteger(input.tabSize) && input.tabSize > 0 ? input.tabSize : 4;
}

function cutAtStopToken(text: string, stopTokens: readonly string[]): string {
  let end = text.length;
  for (const token of stopTokens) {
    if (token.length === 0) continue;
    const at = text.indexOf(token);
    if (at !== -1 && at < end) end = at;
  }
  return text.slice(0, end);
}

function singleLine(line: string, lineSuffix: string): string {
  const head = lineSuffix.trimStart();
  for (let k = Math.min(line.length, head.length); k > 0; k--) {
    if (!line.endsWith(head.slice(0, k)) || !closesBeforeCompletion(line, line.length - k)) continue;
    const rest = line.slice(0, line.length - k);
    // When the suffix brings its own leading space, a space left here would double it.
    return lineSuffix.length > head.length ? rest.trimEnd() : rest;
  }
  return line;
}

const OPENER_OF: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };
const QUOTES = new Set(['"', "'", '`']);

// The end of the completion repeats the start of the suffix only when its closing brackets and
// quotes close something opened before the completion (`a, b)` after `f(`); a `)` that closes a
// `(` of the completion itself (`g(x)` inside `f(|)`) is the model's own and must stay.
function closesBeforeCompletion(line: string, overlapStart: number): boolean {
  const depth = new Map<string, number>();
  for (let i = 0; i < line.length; i++) {
    const ch = line.charAt(i);
    const opener = OPENER_OF[ch];
    if (opener === undefined) {
      if (ch === '(' || ch === '[' || ch === '{') depth.set(ch, (depth.get(ch) ?? 0) + 1);
      continue;
    }
    const open = depth.get(opener) ?? 0;
    if (open === 0) continue;
    if (i >= overlapStart) return false;
    depth.set(opener, open - 1);
  }
  for (const quote of QUOTES) {
    if (!line.slice(overlapStart).includes(quote)) continue;
    if (line.split(quote).length % 2 === 1) return false; // an even count: the completion's quotes pair up
  }
  return true;
}

/**
 * The multi-line suggestion, and the index of the line that ended it (the line that broke the
 * block, or the last one kept at `maxLines`); lines.length when the text ran out first.
 */
function multiLine(lines: readonly string[], input: PostProcessInput, tabSize: number): { text: string; decidedAt: number } {
  const maxLines = Math.max(1, Math.floor(input.maxLines));
  // The cursor line's indentation; on a blank line, where the cursor stands in it.
  const blockIndent = indentWidth(leadingWhitespace(input.linePrefix), tabSize);
  const nextSuffixLine = input.suffixLines.map((line) => line.trimEnd()).find((line) => !isBlank(line));

  const kept: string[] = [];
  // Set once the completion has gone deeper than the block: returning to the block's
  // indentation then means the nested block it wrote is finished.
  let wentDeeper = false;
  // The line that ended the suggestion; lines.length while none has.
  let decidedAt = lines.length;
  for (let i = 0; i < lines.length; i++) {
    if (kept.length >= maxLines) {
      decidedAt = i - 1; // the line that filled it
      break;
    }
    const line = lines[i] ?? '';
    if (isBlank(line)) {
      kept.push(''); // a blank line inside a block does not end it
      continue;
    }
    const asWritten = i === 0 ? input.linePrefix + line : line;
    if (nextSuffixLine !== undefined && sameLine(asWritten, nextSuffixLine, tabSize)) {
      decidedAt = i;
      break;
    }
    if (i === 0) {
      kept.push(line);
      continue;
    }

    const indent = indentWidth(leadingWhitespace(line), tabSize);
    if (indent < blockIndent) {
      decidedAt = i;
      break;
    }
    if (indent > blockIndent) {
      wentDeeper = true;
      kept.push(line);
      continue;
    }
    if (isContinuationLine(line)) {
      kept.push(line); // `} else {`, `except:`, `case 2:` carry the same statement on
      continue;
    }
    const closer = closingToken(line);
    if (closer !== undefined) {
      // The line that closes the block ends the suggestion; show it only if the suffix does not
      // already close the block (the editor often auto-inserts the `}`).
      const suffixCloser = nextSuffixLine === undefined ? undefined : closingToken(nextSuffixLine);
      const suffixHasIt =
        suffixCloser === closer && indentWidth(leadingWhitespace(nextSuffixLine ?? ''), tabSize) === indent;
      if (!suffixHasIt) kept.push(line);
      decidedAt = i;
      break;
    }
    if (wentDeeper) {
      decidedAt = i; // the next sibling after a finished block is a new suggestion's job
      break;
    }
    kept.push(line);
  }
  // The last line filled it: decided there, though nothing came after.
  if (decidedAt === lines.length && kept.length >= maxLines) decidedAt = lines.length - 1;

  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  return { text: kept.join('\n'), decidedAt };
}

const CLOSING_LINE = /^(?:[}\])]|(?:end|fi|done|esac|endif|endfor|endwhile|endfunction|endmodule)\b(?!\s*(?:=(?!=)|[.([])))/;
const CONTINUATION_KEYWORD =
  /^(?:[}\])]\s*)*(?:else|elif|elsif|elseif|except|catch|finally|rescue|ensure|case|default|when)\b(?!\s*(?:=(?!=)|[.([]))/;

/** The token that makes a line a block closer (`}`, `)`, `end`, `fi`…), if it is one. */
function closingToken(line: string): string | undefined {
  return CLOSING_LINE.exec(line.trimStart())?.[0];
}

// A closer that reopens (`} else {`, `}).then(() => {`) or a keyword that extends the statement
// (`elif`, `except`, `case`) keeps the same block going.
function isContinuationLine(line: string): boolean {
  const trimmed = line.trim();
  if (CONTINUATION_KEYWORD.test(trimmed)) return true;
  return closingToken(trimmed) !== undefined && /[{([]$/.test(trimmed);
}

function sameLine(a: string, b: string, tabSize: number): boolean {
  return (
    a.trim() === b.trim() &&
    indentWidth(leadingWhitespace(a), tabSize) === indentWidth(leadingWhitespace(b), tabSize)
  );
}

function leadingWhitespace(text: string): string {
  return /^[ \t]*/.exec(text)?.[0] ?? '';
}

/** Columns taken by `whitespace`, tabs advancing to the next tab stop as an editor shows them. */
function indentWidth(whitespace: string, tabSize: number): number {
  let column = 0;
  for (const ch of whitespace) {
    if (ch === '\t') column += tabSize - (column % tabSize);
    else if (ch === ' ') column += 1;
    else break;
  }
  return column;
}

function isBlank(text: string): boolean {
  return text.trim().length === 0;
}
