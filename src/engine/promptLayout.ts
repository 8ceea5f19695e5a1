// Lays out completion prompts as tokens so that what changes between keystrokes sits at the end:
// a stable head (extra context), then the FIM segments, then what the user typed since the line
// began, after the middle token. A keystroke then appends a token or two and the model process
// evaluates only those, instead of everything after the cursor.
import type { LlamaModel, Token } from 'node-llama-cpp';

export interface Vocabulary {
  /** Tokenizes a piece of text on its own, without a leading space or BOS. */
  readonly tokenize: (text: string) => readonly Token[];
  /** The model's fill-in-the-middle tokens, or null when it has none. */
  readonly fim: { readonly prefix: Token; readonly suffix: Token; readonly middle: Token } | null;
}

export interface InfillLayout {
  readonly head: string;
  readonly prefix: string;
  readonly suffix: string;
  readonly middlePrefix: string;
  readonly order: 'psm' | 'spm';
}

/**
 * The model's tokenizer for one prompt segment, on its own: no BOS, no leading space marker.
 * A SentencePiece tokenizer puts a space marker before the text. node-llama-cpp's
 * 'trimLeadingSpace' removes it, except before a leading newline, where it leaves a stray space
 * token (a suffix "\n}\n" reached the model as " \n}\n"). Tokenizing after a newline and dropping
 * that newline's tokens gives the text exactly.
 */
export function segmentTokenizer(model: LlamaModel): (text: string) => Token[] {
  const newline = model.tokenize('\n', false);
  return (text) => {
    if (text.startsWith('\n') && newline.length > 0) {
      const tokens = model.tokenize(`\n${text}`, false);
      if (newline.every((token, index) => tokens[index] === token)) return tokens.slice(newline.length);
    }
    return model.tokenize(text, false, 'trimLeadingSpace');
  };
}

// Between keystrokes the head, prefix and suffix are the same strings, and tokenizing a
// 3,400-token prompt takes about 8 ms on these machines: the last few long segments are kept.
const MEMO_SEGMENTS = 8;
const MEMO_MIN_CHARS = 256;

/** The model's tokenizer (remembering recent long segments) and FIM tokens, as the layout needs them. */
export function vocabularyOf(model: LlamaModel): Vocabulary {
  const { prefix, suffix, middle } = model.tokens.infill;
  const tokenizeSegment = segmentTokenizer(model);
  const memo = new Map<string, readonly Token[]>();
  const tokenize = (text: string): readonly Token[] => {
    if (text.length < MEMO_MIN_CHARS) return tokenizeSegment(text);
    const known = memo.get(text);
    memo.delete(text); // re-inserted below as the most recent
    const tokens = known ?? tokenizeSegment(text);
    memo.set(text, tokens);
    if (memo.size > MEMO_SEGMENTS) memo.delete(memo.keys().next().value as string);
    return tokens;
  };
  return {
    tokenize,
    fim: prefix !== null && suffix !== null && middle !== null ? { prefix, suffix, middle } : null,
  };
}

/**
 * Tokens a prompt may use (BOS aside) in a context of `contextSize` when `maxTokens` are to be
 * generated. It also stays within what node-llama-cpp's LlamaCompletion keeps of its input: the
 * last contextSize minus its context-shift reserve (a tenth of the context, its default). A longer
 * prompt would be cut there, at another place than the layout cuts it, and reuse nothing from one
 * keystroke to the next.
 */
export function promptRoomFor(contextSize: number, maxTokens: number): number {
  const shiftReserve = Math.max(1, Math.floor(contextSize / 10));
  return Math.max(1, Math.min(contextSize - maxTokens - 1, contextSize - shiftReserve - 1));
}

/**
 * Tokens are trimmed in steps of this many (at most an eighth of the room), so the cut stays where
 * it was while the user types: cutting exactly the excess would move the start of the prompt by a
 * token or two at every keystroke, and then nothing of the previous prompt could be reused.
 */
export const TRIM_STEP_TOKENS = 256;

/**
 * FIM tokens for `layout`, at most `maxTokens` long. When too long, the head goes first (from its
 * start), then the prefix (from its start, far from the cursor), then the suffix (from its end),
 * in steps of TRIM_STEP_TOKENS.
 */
export function infillTokens(layout: InfillLayout, vocabulary: Vocabulary, maxTokens: number): Token[] {
  const fim = vocabulary.fim;
  if (fim === null) throw new Error('infillTokens needs a model with fill-in-the-middle tokens');
  let head = tokenize(vocabulary, layout.head);
  let prefix = tokenize(vocabulary, layout.prefix);
  let suffix = tokenize(vocabulary, layout.suffix);
  const middle = tokenize(vocabulary, layout.middlePrefix);
  let excess = trimStep(head.length + prefix.length + suffix.length + middle.length + 3 - maxTokens, maxTokens);
  if (excess > 0) {
    const cut = Math.min(excess, head.length);
    head = head.slice(cut);
    excess -= cut;
  }
  if (excess > 0) {
    const cut = Math.min(excess, prefix.length);
    prefix = prefix.slice(cut);
    excess -= cut;
  }
  if (excess > 0) suffix = suffix.slice(0, Math.max(0, suffix.length - excess));
  return layout.order === 'spm'
    ? [...head, fim.suffix, ...suffix, fim.prefix, ...prefix, fim.middle, ...middle]
    : [...head, fim.prefix, ...prefix, fim.suffix, ...suffix, fim.middle, ...middle];
}

/** A plain continuation prompt, keeping its end (nearest the cursor) when too long, cut in steps of TRIM_STEP_TOKENS. */
export function completionTokens(prompt: string, vocabulary: Vocabulary, maxTokens: number): Token[] {
  const tokens = tokenize(vocabulary, prompt);
  return tokens.slice(tokens.length > maxTokens ? Math.min(tokens.length - 1, trimStep(tokens.length - maxTokens, maxTokens)) : 0);
}

/** `excess` rounded up to a whole number of trim steps (0 when nothing is in excess). */
function trimStep(excess: number, maxTokens: number): number {
  const step = Math.max(1, Math.min(TRIM_STEP_TOKENS, Math.floor(maxTokens / 8)));
  return excess > 0 ? Math.ceil(excess / step) * step : 0;
}

function tokenize(vocabulary: Vocabulary, text: string): readonly Token[] {
  return text.length === 0 ? [] : vocabulary.tokenize(text);
}

/**
 * A short FIM prompt around the cursor, at most `maxTokens`: no head, the end of the prefix
 * (three quarters of the room) and the start of the suffix. It answers while the full prompt is
 * still being read into the completion sequence.
 */
export function windowInfillTokens(layout: InfillLayout, vocabulary: Vocabulary, maxTokens: number): Token[] {
  const fim = vocabulary.fim;
  if (fim === null) throw new Error('windowInfillTokens needs a model with fill-in-the-middle tokens');
  const middle = tokenize(vocabulary, layout.middlePrefix).slice(-Math.floor(maxTokens / 4));
  const room = Math.max(0, maxTokens - middle.length - 3);
  const allPrefix = tokenize(vocabulary, layout.prefix);
  const allSuffix = tokenize(vocabulary, layout.suffix);
  const suffix = allSuffix.slice(0, Math.min(allSuffix.length, Math.max(room - allPrefix.length, Math.floor(room / 4))));
  const prefix = allPrefix.slice(Math.max(0, allPrefix.length - (room - suffix.length)));
  return layout.order === 'spm'
    ? [fim.suffix, ...suffix, fim.prefix, ...prefix, fim.middle, ...middle]
    : [fim.prefix, ...prefix, fim.suffix, ...suffix, fim.middle, ...middle];
}

/** A short plain prompt: the last `maxTokens` tokens before the cursor. */
export function windowCompletionTokens(prompt: string, vocabulary: Vocabulary, maxTokens: number): Token[] {
  return tokenize(vocabulary, prompt).slice(-maxTokens);
}
