// The generated FIM fixture through the real node-llama-cpp: llama.cpp must read the FIM token ids
// and the chat template from the rewritten header, and infill must run end to end.
import assert from 'node:assert/strict';
import type * as NodeLlamaCpp from 'node-llama-cpp';
import type { Llama, LlamaModel } from 'node-llama-cpp';
import { FIM_SOURCE_FILE_NAME, FIM_TOKEN_IDS } from '../fixtures/makeFimModel';
import { fimTestModelPath, findTestModel } from '../fixtures/testModels';

describe('FIM test model (node-llama-cpp)', function () {
  this.timeout(60_000);
  // node-llama-cpp is ESM-only (with top-level await), so this CommonJS test loads it dynamically.
  let lib: typeof NodeLlamaCpp;
  let llama: Llama;
  let model: LlamaModel;

  before(async () => {
    lib = await import('node-llama-cpp');
    llama = await lib.getLlama({ gpu: false, build: 'never', logLevel: lib.LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath: await fimTestModelPath() });
  });

  after(async () => {
    await llama?.dispose();
  });

  it('exposes the FIM tokens named in the metadata', () => {
    assert.equal(model.tokens.infill.prefix, FIM_TOKEN_IDS.prefix);
    assert.equal(model.tokens.infill.suffix, FIM_TOKEN_IDS.suffix);
    assert.equal(model.tokens.infill.middle, FIM_TOKEN_IDS.middle);
  });

  it('supports infill and generates one', async () => {
    // One thread: the library's default of 4 is hundreds of times slower on a 2-core machine.
    const context = await model.createContext({ contextSize: 512, threads: 1 });
    try {
      const completion = new lib.LlamaCompletion({ contextSequence: context.getSequence() });
      assert.equal(completion.infillSupported, true);
      const text = await completion.generateInfillCompletion('function add(a, b) {\n  return ', ';\n}', { maxTokens: 8 });
      assert.equal(typeof text, 'string');
    } finally {
      await context.dispose();
    }
  });

  it('chats with the model\'s own ChatML template, not the general fallback', async () => {
    const wrapper = lib.resolveChatWrapper(model);
    assert.ok(
      wrapper instanceof lib.ChatMLChatWrapper || wrapper instanceof lib.JinjaTemplateChatWrapper,
      `resolved ${wrapper?.wrapperName}`,
    );
    const context = await model.createContext({ contextSize: 512, threads: 1 });
    try {
      const chat = new lib.LlamaChat({ contextSequence: context.getSequence() });
      assert.ok(!(chat.chatWrapper instanceof lib.GeneralChatWrapper), `LlamaChat chose ${chat.chatWrapper.wrapperName}`);
      const { contextText } = chat.chatWrapper.generateContextState({
        chatHistory: [
          { type: 'user', text: 'hi' },
          { type: 'model', response: [] },
        ],
      });
      assert.match(contextText.toString(), /<\|im_start\|>user\nhi<\|im_end\|>\n<\|im_start\|>assistant\n/);
    } finally {
      await context.dispose();
    }
  });

  it('differs from its source only by what was added (the source has neither FIM nor a template)', async () => {
    const source = await llama.loadModel({ modelPath: await findTestModel(FIM_SOURCE_FILE_NAME, { env: {} }) });
    try {
      assert.equal(source.tokens.infill.prefix, null);
      assert.ok(lib.resolveChatWrapper(source) instanceof lib.GeneralChatWrapper);
    } finally {
      await source.dispose();
    }
  });
});
