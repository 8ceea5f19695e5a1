// Two roles, one process: model/load with a completion model (the FIM test model) and a chat model
// (stories260K) loads both into the one model process; completions run on the first, chat on the
// second, at the same time; the same file for both loads once; a pair that does not fit in the
// (simulated) free memory is refused before the loaded model is touched.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { chatMessages } from '../../src/common/chat/chatPrompt';
import { engineMethods } from '../../src/common/protocol/engineProtocol';
import { SEQUENCE_LAYOUT } from '../../src/engine/contextLayout';
import { ENGINE_TEST_HOOKS_ENV } from '../../src/engine/testHooks';
import { EngineConnection, newStreamId, type EngineExit } from '../../src/host/engine/engineConnection';
import { findTestModel, fimTestModelPath, STORY_TEST_MODEL } from '../fixtures/testModels';
import { expectEngineError } from '../support/expectEngineError';
import { startEngineWithEnv } from '../support/startEngineWithEnv';

const ENGINE = resolve(__dirname, '../../dist/engine.mjs');
const LOAD = { contextSize: 1024, threads: 1 } as const;
const STORY_PROMPT = 'Tell me a story about a cat.';

describe('two roles in one model process (FIM model + stories260K)', function () {
  this.timeout(180_000);
  let fimModel: string;
  let storyModel: string;
  let engine: EngineConnection;
  let exits: EngineExit[];

  before(async () => {
    fimModel = await fimTestModelPath();
    storyModel = await findTestModel(STORY_TEST_MODEL);
    engine = EngineConnection.start(ENGINE);
    exits = [];
    engine.onExit((exit) => exits.push(exit));
  });

  after(() => engine?.dispose());

  const storyChat = () =>
    engine.request(engineMethods.generateChat, { streamId: newStreamId(), stream: false, messages: chatMessages([{ role: 'user', content: STORY_PROMPT }]), maxTokens: 60 });
  const infill = (role?: 'completion' | 'chat') =>
    engine.request(engineMethods.generateInfill, {
      streamId: newStreamId(),
      stream: false,
      slot: 'completion',
      prefix: 'function add(a, b) {\n  return ',
      suffix: '\n}\n',
      maxTokens: 8,
      ...(role === undefined ? {} : { role }),
    });

  it('loads each file for its role and serves completion and chat at once, each on its own model', async () => {
    // What the story model answers alone, greedy: the chat role must give exactly this.
    await engine.request(engineMethods.modelLoad, { path: storyModel, ...LOAD });
    const alone = await storyChat();
    assert.ok(alone.text.trim().length > 0, 'the story model writes a story');

    const info = await engine.request(engineMethods.modelLoad, { path: fimModel, chatPath: storyModel, ...LOAD });
    assert.equal(info.path, fimModel);
    assert.equal(info.hasInfill, true, 'the completion model has FIM tokens');
    assert.equal(info.chat?.path, storyModel);
    assert.equal(info.chat?.hasInfill, false, 'the chat model has none');

    // Both at once: the completion (infill) on the FIM model while the chat streams on the story model.
    const [completion, chat] = await Promise.all([infill(), storyChat()]);
    assert.ok(completion.generatedTokens > 0, 'the completion model answered the infill');
    assert.equal(chat.text, alone.text, 'the chat answer is the story model\u2019s own');

    // The roles really are different models: the story model has no FIM tokens, and the two
    // tokenizers count the same text differently.
    await expectEngineError(infill('chat'), 'infillUnsupported');
    const text = ['The little cat sat on the warm mat and purred.'];
    const [completionCount] = (await engine.request(engineMethods.modelCountTokens, { texts: text, role: 'completion' })).counts;
    const [chatCount] = (await engine.request(engineMethods.modelCountTokens, { texts: text, role: 'chat' })).counts;
    assert.notEqual(completionCount, chatCount, 'each role counts with its own tokenizer');

    const status = await engine.request(engineMethods.modelStatus, {});
    assert.equal(status.model?.path, fimModel);
    assert.equal(status.model?.chat?.path, storyModel);
    assert.deepEqual(exits, []);
  });

  it('loads the same file once when both roles name it', async () => {
    const info = await engine.request(engineMethods.modelLoad, { path: storyModel, chatPath: resolve(storyModel, '..', '.', STORY_TEST_MODEL), ...LOAD });
    assert.equal(info.chat, undefined, 'one model serves both roles');
    const chat = await storyChat();
    assert.ok(chat.text.trim().length > 0);
  });

  it('swaps the roles with a new load (switch roles)', async () => {
    const info = await engine.request(engineMethods.modelLoad, { path: storyModel, chatPath: fimModel, ...LOAD });
    assert.equal(info.path, storyModel);
    assert.equal(info.chat?.path, fimModel);
    // The completion role is now the story model, which has no FIM tokens.
    await expectEngineError(infill(), 'infillUnsupported');
    const completion = await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), stream: false, slot: 'completion', prompt: 'Once upon a time', maxTokens: 16 });
    assert.ok(completion.text.trim().length > 0, 'the story model continues the prompt');
  });

  it('refuses a pair that does not fit in free memory, naming both files, and keeps the loaded model', async () => {
    // A machine with 1 MB free: the weights alone (about 1 MB each) and the KV cache of every sequence cannot fit.
    const small = startEngineWithEnv(ENGINE, { [ENGINE_TEST_HOOKS_ENV]: '1', HEARTH_ENGINE_TEST_FREE_RAM_BYTES: String(1024 * 1024) });
    try {
      await small.request(engineMethods.modelLoad, { path: storyModel, ...LOAD });
      const error = await expectEngineError(small.request(engineMethods.modelLoad, { path: fimModel, chatPath: storyModel, ...LOAD }), 'modelTooLarge');
      assert.match(error.message, /completion model llama-2-tiny-fim\.gguf/);
      assert.match(error.message, /chat model stories260K\.gguf/);
      assert.match(error.message, new RegExp(`${SEQUENCE_LAYOUT.chat.shared} × 1024-token sequences`));
      assert.match(error.message, /each VS Code window runs its own model process/);
      assert.match(error.message, /Use one model for both roles/);
      const status = await small.request(engineMethods.modelStatus, {});
      assert.equal(status.model?.path, storyModel, 'the loaded model stays');
      assert.equal(status.state, 'ready');
      const chat = await small.request(engineMethods.generateChat, { streamId: newStreamId(), stream: false, messages: chatMessages([{ role: 'user', content: STORY_PROMPT }]), maxTokens: 8 });
      assert.ok(chat.generatedTokens > 0, 'and still answers');
    } finally {
      small.dispose();
    }
  });
});
