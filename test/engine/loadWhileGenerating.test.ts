// model/load (and model/unload) sent while generations run, through the real model process on the
// real story model: the requests in flight end with the `modelChanged` error, the old model is
// disposed only once they have stopped, and the same process goes on to answer on the new model.
// (Disposing a context under a running generation used to kill the process with "Object is
// disposed" from node-llama-cpp's decode loop.)
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { chatMessages } from '../../src/common/chat/chatPrompt';
import { engineMethods } from '../../src/common/protocol/engineProtocol';
import { EngineConnection, newStreamId, type EngineExit } from '../../src/host/engine/engineConnection';
import { findTestModel, STORY_TEST_MODEL } from '../fixtures/testModels';
import { expectEngineError } from '../support/expectEngineError';

const ENGINE = resolve(__dirname, '../../dist/engine.mjs');
const LOAD = { contextSize: 1024, threads: 1 } as const;
// More than the story model writes before it ends a story, so the generations are still running
// when the load arrives (they only need to have streamed their first piece by then).
const LONG = 2000;

describe('model/load while generations run (stories260K)', function () {
  this.timeout(120_000);
  let storyModel: string;
  let engine: EngineConnection;
  let exits: EngineExit[];

  before(async () => {
    storyModel = await findTestModel(STORY_TEST_MODEL);
    engine = EngineConnection.start(ENGINE);
    exits = [];
    engine.onExit((exit) => exits.push(exit));
    await engine.request(engineMethods.modelLoad, { path: storyModel, ...LOAD });
  });

  after(() => engine?.dispose());

  /** Starts a streaming request and resolves once its first text arrived, so it is mid-generation. */
  async function streaming<T>(start: (onText: (text: string) => void) => Promise<T>): Promise<{ result: Promise<T>; chunks: string[] }> {
    const chunks: string[] = [];
    let firstText: () => void = () => undefined;
    const started = new Promise<'streaming'>((resolveStarted) => (firstText = () => resolveStarted('streaming')));
    const result = start((text) => {
      chunks.push(text);
      firstText();
    });
    const ended = result.then(
      () => 'ended' as const,
      () => 'ended' as const,
    );
    assert.equal(await Promise.race([started, ended]), 'streaming', 'the request ended before it streamed anything');
    return { result, chunks };
  }

  const longCompletion = () =>
    streaming((onText) => engine.request(engineMethods.generateComplete, { streamId: newStreamId(), slot: 'completion', prompt: 'Once upon a time', maxTokens: LONG }, { onText }));
  const longChat = (content: string) =>
    streaming((onText) =>
      engine.request(engineMethods.generateChat, { streamId: newStreamId(), messages: chatMessages([{ role: 'user', content }]), maxTokens: LONG, temperature: 0 }, { onText }),
    );

  async function expectModelChanged(request: Promise<unknown>, what: string): Promise<void> {
    // `modelChanged` comes only from a JSON-RPC error with the engine error code (ENGINE_ERROR_CODE)
    // whose data.kind is 'modelChanged' (EngineConnection maps anything else to another kind).
    const error = await expectEngineError(request, 'modelChanged');
    assert.match(error.message, /model changed/i, `${what}: ${error.message}`);
    assert.match(error.message, /send it again/, `${what}: ${error.message}`);
  }

  it('ends a running completion and chat stream with "model changed", stays up, and answers on the new model', async () => {
    const pid = engine.pid;
    const completion = await longCompletion();
    const chat = await longChat('Tell me a long story about a dog.');

    const info = await engine.request(engineMethods.modelLoad, { path: storyModel, ...LOAD });
    assert.equal(info.path, storyModel);

    await expectModelChanged(completion.result, 'completion');
    await expectModelChanged(chat.result, 'chat');
    assert.ok(completion.chunks.length > 0 && chat.chunks.length > 0, 'both were streaming when the load came');

    assert.deepEqual(exits, [], 'the model process did not exit');
    assert.equal(engine.pid, pid);
    const status = await engine.request(engineMethods.modelStatus, {});
    assert.equal(status.state, 'ready');
    assert.equal(status.activeRequests, 0);

    // Greedy text of the real model (see /work/shared/models/README.md), from the new context.
    const next = await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: 'Once upon a time', maxTokens: 24, temperature: 0 });
    assert.match(next.text, /there was a little girl named Lily/);
    assert.ok(next.generatedTokens > 0);
  });

  it('also ends requests still waiting for a sequence, and tokenize/warm sent after the load run on the new model', async () => {
    // Two chats hold both shared sequences; the third waits for one in the pool.
    const first = await longChat('A story about a cat.');
    const second = await longChat('A story about a bird.');
    const waiting = engine.request(engineMethods.generateChat, { streamId: newStreamId(), messages: chatMessages([{ role: 'user', content: 'A story about a fish.' }]), maxTokens: 8 });
    waiting.catch(() => undefined);
    await new Promise((wait) => setTimeout(wait, 50));

    const load = engine.request(engineMethods.modelLoad, { path: storyModel, ...LOAD });
    const tokenize = engine.request(engineMethods.modelCountTokens, { texts: ['Once upon a time'] });
    const warm = engine.request(engineMethods.generateWarm, { input: { kind: 'complete', prompt: 'Once upon a time' } });
    await load;
    await expectModelChanged(first.result, 'first chat');
    await expectModelChanged(second.result, 'second chat');
    await expectModelChanged(waiting, 'waiting chat');
    // Sent after the load, they waited for it rather than starting on the model it replaced.
    assert.ok(((await tokenize).counts[0] ?? 0) > 0);
    assert.equal((await warm).cancelled, false);
    assert.deepEqual(exits, []);
  });

  it('ends a running chat on model/unload, then loads and answers again', async () => {
    const chat = await longChat('Tell me a story about the sea.');
    const { unloaded } = await engine.request(engineMethods.modelUnload, {});
    assert.equal(unloaded, true);
    const error = await expectEngineError(chat.result, 'modelChanged');
    assert.match(error.message, /unloaded/);
    await expectEngineError(engine.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: 'x', maxTokens: 2 }), 'noModelLoaded');

    await engine.request(engineMethods.modelLoad, { path: storyModel, ...LOAD });
    const next = await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: 'Once upon a time', maxTokens: 8, temperature: 0 });
    assert.ok(next.text.length > 0);
    assert.deepEqual(exits, []);
  });
});
