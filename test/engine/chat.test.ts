// Chat in the real model process on the real pretrained story model (stories260K): the answer is
// exactly what node-llama-cpp produces in-process with the same wrapper and settings; a follow-up
// turn of a conversation evaluates only what is new; conversations share the chat sequences
// sensibly; and a chat answer does not stop completions from finishing.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { chatMessages } from '../../src/common/chat/chatPrompt';
import { engineMethods, type ChatMessage } from '../../src/common/protocol/engineProtocol';
import { EngineConnection, newStreamId } from '../../src/host/engine/engineConnection';
import { InProcessChat } from '../fixtures/inProcessChat';
import { findTestModel, STORY_TEST_MODEL } from '../fixtures/testModels';

const ENGINE = resolve(__dirname, '../../dist/engine.mjs');
const STORY_MODEL = STORY_TEST_MODEL;
const MAX_TOKENS = 48;
const CONTEXT = 1024;

describe('chat in the model process (stories260K, a real pretrained model)', function () {
  this.timeout(120_000);
  let engine: EngineConnection;
  let inProcess: InProcessChat;

  const ask = (messages: ChatMessage[], conversationId?: string, onText?: (text: string) => void) =>
    engine.request(
      engineMethods.generateChat,
      { streamId: newStreamId(), messages, maxTokens: MAX_TOKENS, temperature: 0, ...(conversationId === undefined ? {} : { conversationId }) },
      onText === undefined ? {} : { onText },
    );

  before(async () => {
    const path = await findTestModel(STORY_MODEL);
    engine = EngineConnection.start(ENGINE);
    const info = await engine.request(engineMethods.modelLoad, { path, contextSize: CONTEXT, threads: 1 });
    // The model has no chat template: Hearth chats with it in a plain transcript.
    assert.equal(info.chatWrapper, 'General');
    inProcess = await InProcessChat.load(path, { contextSize: CONTEXT });
  });

  after(async () => {
    engine?.dispose();
    await inProcess?.dispose();
  });

  it('streams exactly the answer node-llama-cpp gives in-process with the same wrapper', async () => {
    const messages = chatMessages([{ role: 'user', content: 'Tell me a story about a cat.' }]);
    const chunks: string[] = [];
    const result = await ask(messages, undefined, (text) => chunks.push(text));
    const golden = (await inProcess.answer(messages, MAX_TOKENS)).text;
    assert.ok(golden.trim().length > 0, 'the in-process answer is empty');
    assert.equal(result.text, golden);
    assert.equal(chunks.join(''), result.text, 'the streamed deltas add up to the answer');
    assert.ok(result.generatedTokens > 0 && result.generatedTokens <= MAX_TOKENS);
  });

  it('evaluates only the new tokens for a follow-up turn in the same conversation', async () => {
    const first = chatMessages([{ role: 'user', content: 'Once upon a time there was a dog.' }]);
    const answer = await ask(first, 'conversation-a');
    // (The first turn may reuse the system prompt left in the sequence by an earlier request.)
    assert.ok(answer.evaluatedPromptTokens > 0);
    const question = 'What did the dog do next?';
    const followUp = [...first, { role: 'assistant' as const, content: answer.text }, { role: 'user' as const, content: question }];
    const second = await ask(followUp, 'conversation-a');
    const questionTokens = (await engine.request(engineMethods.modelCountTokens, { texts: [question] })).counts[0] ?? 0;
    // The new user message, the template's markers around it, and the previous answer's last token.
    assert.ok(second.evaluatedPromptTokens <= questionTokens + 24, `follow-up evaluated ${second.evaluatedPromptTokens} (question ${questionTokens} tokens, prompt ${second.promptTokens})`);
    assert.ok(second.promptTokens > answer.promptTokens + questionTokens, 'the follow-up prompt holds the whole history');
    // And no fewer: the question itself had to be evaluated (the count comes from the sequence's token meter).
    assert.ok(second.evaluatedPromptTokens >= questionTokens, `follow-up evaluated ${second.evaluatedPromptTokens}, fewer than the question's ${questionTokens} tokens`);
  });

  it('keeps two conversations warm on the two chat sequences; a third evaluates its history again', async () => {
    const history = (topic: string) => chatMessages([{ role: 'user', content: `A story about ${topic}.` }]);
    const follow = async (id: string, topic: string) => {
      const first = history(topic);
      const answer = await ask(first, id);
      return [...first, { role: 'assistant' as const, content: answer.text }, { role: 'user' as const, content: 'And then?' }];
    };
    const b = await follow('conversation-b', 'a bird');
    const c = await follow('conversation-c', 'a fish');
    // b's sequence survived c's turn: b's follow-up is cheap.
    const bAgain = await ask(b, 'conversation-b');
    assert.ok(bAgain.evaluatedPromptTokens < bAgain.promptTokens / 2, `b evaluated ${bAgain.evaluatedPromptTokens} of ${bAgain.promptTokens}`);
    // d takes the least recently used sequence (c's); c then evaluates its history again.
    await follow('conversation-d', 'a frog');
    const cAgain = await ask(c, 'conversation-c');
    // It shares only the system prompt and "A story about a" with d, so its own story is evaluated again.
    assert.ok(
      cAgain.evaluatedPromptTokens > bAgain.evaluatedPromptTokens + 20,
      `c evaluated ${cAgain.evaluatedPromptTokens} of ${cAgain.promptTokens} after losing its sequence; b evaluated ${bAgain.evaluatedPromptTokens}`,
    );
  });

  it('counts tokens with the model tokenizer (model/tokenize)', async () => {
    const texts = ['', 'Once upon a time', 'Lily liked to play outside in the park.'];
    const { counts } = await engine.request(engineMethods.modelCountTokens, { texts });
    assert.equal(counts.length, 3);
    assert.equal(counts[0], 0);
    assert.equal(counts[1], inProcess.tokenize('Once upon a time'));
    assert.ok((counts[2] ?? 0) > (counts[1] ?? 0));
  });

  it('finishes completions while a chat answer streams (separate sequences)', async () => {
    const chatChunks: string[] = [];
    const longChat = engine.request(
      engineMethods.generateChat,
      { streamId: newStreamId(), messages: chatMessages([{ role: 'user', content: 'Tell me a long story.' }]), maxTokens: 400, temperature: 0 },
      { onText: (text) => chatChunks.push(text) },
    );
    // Wait until the answer is streaming, then ask for completions on the completion slot.
    while (chatChunks.length === 0) await new Promise((resolveWait) => setTimeout(resolveWait, 10));
    const completions = [];
    for (let index = 0; index < 3; index += 1) {
      completions.push(await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), slot: 'completion', prompt: `Once upon a time ${index}`, maxTokens: 8, stream: false }));
    }
    const chat = await longChat;
    for (const completion of completions) assert.ok(completion.generatedTokens > 0, 'a completion generated nothing');
    assert.ok(chat.generatedTokens > 0);
    assert.equal(chatChunks.join(''), chat.text);
  });
});
