// Input-lookup speculative decoding on the rewrite path, for `npm run bench:engine`: node-llama-cpp's
// InputLookupTokenPredictor guesses the next tokens from the prompt (a rewrite repeats much of its
// input), and one batch checks the guesses. It wins only when enough guesses are right to pay for
// checking the wrong ones; the counts say which happened. Greedy decoding is the same text either
// way, so the two answers are compared as well.
import type { ChatHistoryItem, LlamaModel } from 'node-llama-cpp';
import { chatMessages } from '../../src/common/chat/chatPrompt';
import { REWRITE_PRESETS, rewritePrompt } from '../../src/common/writing/writingPrompts';
import { toChatHistory } from '../../test/fixtures/inProcessChat';
import { median } from './benchStats';

const RUNS = 3;
const MAX_TOKENS = 160;
const CONTEXT_SIZE = 2048;
const ORIGINAL = [
  'Once upon a time, there was a little girl named Lily. She liked to play in the park with her dog Max.',
  'One day, Lily saw a big red ball under a tree. She ran to the ball and picked it up.',
  'Max barked and wagged his tail. Lily threw the ball and Max ran after it.',
  'They played all day in the sun, and when it was time to go home, Lily was happy.',
].join(' ');

export interface InputLookupFigures {
  readonly generatedTokens: number;
  readonly plainTokPerSec: number;
  readonly lookupTokPerSec: number;
  /** Input lookup ÷ plain decoding: above 1 it wins. */
  readonly ratio: number;
  /** Predicted tokens the model confirmed, and those it refuted (summed over the runs). */
  readonly validated: number;
  readonly refuted: number;
  readonly sameText: boolean;
}

export async function inputLookupOnRewrite(modelPath: string, threads: number): Promise<InputLookupFigures> {
  // node-llama-cpp is ESM-only; this script runs as CJS under tsx, so it is imported dynamically.
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  const llama = await getLlama({ build: 'never', maxThreads: 0, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath });
  try {
    const messages = chatMessages([{ role: 'user', content: rewritePrompt(ORIGINAL, REWRITE_PRESETS.proofread.instruction) }]);
    const history = toChatHistory(messages);
    const plain: number[] = [];
    const lookup: number[] = [];
    let validated = 0;
    let refuted = 0;
    let generatedTokens = 0;
    let sameText = true;
    // Alternated, so both see the same machine.
    for (let run = 0; run < RUNS; run += 1) {
      const without = await answer(model, history, threads, false);
      const withLookup = await answer(model, history, threads, true);
      plain.push(without.tokPerSec);
      lookup.push(withLookup.tokPerSec);
      validated += withLookup.validated;
      refuted += withLookup.refuted;
      generatedTokens = without.tokens;
      sameText &&= without.text === withLookup.text;
    }
    const plainTokPerSec = median(plain) ?? 0;
    const lookupTokPerSec = median(lookup) ?? 0;
    return { generatedTokens, plainTokPerSec, lookupTokPerSec, ratio: plainTokPerSec > 0 ? lookupTokPerSec / plainTokPerSec : 0, validated, refuted, sameText };
  } finally {
    await model.dispose();
    await llama.dispose();
  }
}

async function answer(model: LlamaModel, history: ChatHistoryItem[], threads: number, withLookup: boolean): Promise<{ text: string; tokens: number; tokPerSec: number; validated: number; refuted: number }> {
  const { GeneralChatWrapper, InputLookupTokenPredictor, LlamaChat, resolveChatWrapper } = await import('node-llama-cpp');
  const context = await model.createContext({ contextSize: CONTEXT_SIZE, sequences: 1, threads });
  try {
    const sequence = context.getSequence(withLookup ? { tokenPredictor: new InputLookupTokenPredictor() } : {});
    // The chat template the model process uses: the model's own, else a plain transcript.
    const template = model.fileInfo.metadata.tokenizer?.chat_template;
    const chatWrapper = typeof template === 'string' && template.trim().length > 0 ? resolveChatWrapper(model) : new GeneralChatWrapper();
    const chat = new LlamaChat({ contextSequence: sequence, chatWrapper });
    const stamps: number[] = [];
    let tokens = 0;
    let firstChunk = 0;
    const response = await chat.generateResponse(history, {
      maxTokens: MAX_TOKENS,
      temperature: 0,
      onToken: (chunk) => {
        stamps.push(performance.now());
        if (tokens === 0) firstChunk = chunk.length;
        tokens += chunk.length;
      },
    });
    // From the first chunk on (a validated prediction can bring several tokens in one chunk).
    const span = (stamps.at(-1) ?? 0) - (stamps[0] ?? 0);
    const tokPerSec = tokens > firstChunk && span > 0 ? ((tokens - firstChunk) * 1000) / span : 0;
    const { validated, refuted } = sequence.tokenPredictions;
    return { text: response.response, tokens, tokPerSec, validated, refuted };
  } finally {
    await context.dispose();
  }
}
