// The per-token cost of streaming a chat through the model process against node-llama-cpp in this
// process, turn by turn on a growing conversation (4 turns, the last past 1,000 tokens of history),
// for `npm run bench:engine`. Per-token cost is the time between tokens once the first arrived:
// the model process's as the host receives the notifications, in-process as LlamaChat calls back.
import { resolve } from 'node:path';
import type { ChatMessage } from '../../src/common/protocol/engineProtocol';
import { engineMethods } from '../../src/common/protocol/engineProtocol';
import { EngineConnection, newStreamId } from '../../src/host/engine/engineConnection';
import { InProcessChat } from '../../test/fixtures/inProcessChat';

const TURNS = 4;
const MAX_TOKENS = 128;
const CONTEXT_SIZE = 4096;
// Each earlier answer in the history: about 350 tokens of story, so turn 4 carries over 1,000.
const EARLIER_ANSWER = Array.from(
  { length: 12 },
  (_, index) => `Day ${index + 1}: Lily and her dog Max went to the park. They played with a big red ball and ran in the warm sun until it was time to go home.`,
).join(' ');
const QUESTIONS = ['Tell me a story about a girl and her dog.', 'What happened the next day?', 'And what did her mom say?', 'How does the story end?'];

export interface TurnCost {
  readonly turn: number;
  readonly historyTokens: number;
  readonly generatedTokens: number;
  readonly processMsPerToken: number;
  readonly inProcessMsPerToken: number;
  /** Model process minus in-process, per token. */
  readonly overheadMsPerToken: number;
}

function turnMessages(turn: number): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'system', content: 'You are a storyteller.' }];
  for (let earlier = 0; earlier < turn - 1; earlier += 1) {
    messages.push({ role: 'user', content: QUESTIONS[earlier] ?? 'Go on.' }, { role: 'assistant', content: EARLIER_ANSWER });
  }
  messages.push({ role: 'user', content: QUESTIONS[turn - 1] ?? 'Go on.' });
  return messages;
}

function msPerToken(stamps: readonly number[]): number {
  return stamps.length > 1 ? ((stamps.at(-1) ?? 0) - (stamps[0] ?? 0)) / (stamps.length - 1) : Number.NaN;
}

/** Each turn's per-token cost, both ways; `runs` of each turn, the fastest kept. */
export async function longChatCosts(modelPath: string, threads: number, runs = 3): Promise<TurnCost[]> {
  const engine = EngineConnection.start(resolve(__dirname, '../../dist/engine.mjs'));
  const inProcess = await InProcessChat.load(modelPath, { threads, contextSize: CONTEXT_SIZE });
  try {
    await engine.request(engineMethods.modelLoad, { path: modelPath, contextSize: CONTEXT_SIZE, threads });
    const costs: TurnCost[] = [];
    for (let turn = 1; turn <= TURNS; turn += 1) {
      const messages = turnMessages(turn);
      let processBest = Number.POSITIVE_INFINITY;
      let inProcessBest = Number.POSITIVE_INFINITY;
      let generatedTokens = 0;
      for (let run = 0; run < runs; run += 1) {
        // Each notification is one detokenized chunk: close to one token for these models.
        const stamps: number[] = [];
        const result = await engine.request(
          engineMethods.generateChat,
          { streamId: newStreamId(), messages, maxTokens: MAX_TOKENS, temperature: 0 },
          { onText: () => stamps.push(performance.now()) },
        );
        const perChunk = msPerToken(stamps);
        // Chunks can hold more than one token: spread the time over the tokens after the first.
        const perToken = stamps.length > 1 && result.generatedTokens > 1 ? (perChunk * (stamps.length - 1)) / (result.generatedTokens - 1) : Number.NaN;
        processBest = Math.min(processBest, perToken);
        generatedTokens = result.generatedTokens;
        const answer = await inProcess.answer(messages, MAX_TOKENS);
        if (answer.generatedTokens > 1) inProcessBest = Math.min(inProcessBest, (answer.totalMs - answer.ttftMs) / (answer.generatedTokens - 1));
      }
      costs.push({
        turn,
        historyTokens: inProcess.tokenize(messages.map((message) => message.content).join('\n')),
        generatedTokens,
        processMsPerToken: processBest,
        inProcessMsPerToken: inProcessBest,
        overheadMsPerToken: processBest - inProcessBest,
      });
    }
    return costs;
  } finally {
    engine.dispose();
    await inProcess.dispose();
  }
}
