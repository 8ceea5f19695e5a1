// The generated FIM fixture through the real node-llama-cpp: llama.cpp must read the FIM token ids
// and the chat template from the rewritten header, and infill must run end to end.
import assert from 'node:assert/strict';
import type * as NodeLlamaCpp from 'node-llama-cpp';
import type { Llama, LlamaModel, Token } from 'node-llama-cpp';
import { infillTokens, segmentTokenizer, vocabularyOf } from '../../src/engine/promptLayout';
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

  it("Hearth's prompt layout wraps prefix and suffix in the model's own FIM tokens, in either order", () => {
    // The model process's own view of the model's vocabulary.
    const vocabulary = vocabularyOf(model);
    const tokenize = vocabulary.tokenize;
    assert.deepEqual(vocabulary.fim, FIM_TOKEN_IDS);
    const layout = { head: '// util.js\nexport const two = 2;\n', prefix: 'function add(a, b) {\n', suffix: '\n}\n', middlePrefix: '  return a', order: 'psm' as const };
    const [head, prefix, suffix, middle] = [layout.head, layout.prefix, layout.suffix, layout.middlePrefix].map(tokenize) as [Token[], Token[], Token[], Token[]];
    const { prefix: pre, suffix: suf, middle: mid } = FIM_TOKEN_IDS as { prefix: Token; suffix: Token; middle: Token };
    assert.deepEqual(infillTokens(layout, vocabulary, 4096), [...head, pre, ...prefix, suf, ...suffix, mid, ...middle]);
    assert.deepEqual(infillTokens({ ...layout, order: 'spm' }, vocabulary, 4096), [...head, suf, ...suffix, pre, ...prefix, mid, ...middle]);
    // The segments read back as the text they came from, leading spaces (indentation) included.
    // A SentencePiece detokenizer drops a first leading space unless it knows a token came before.
    const before = tokenize('x');
    assert.equal(model.detokenize(prefix, false, before), layout.prefix);
    assert.equal(model.detokenize(suffix, false, before), layout.suffix);
    assert.equal(model.detokenize(middle, false, before), layout.middlePrefix);
  });

  it('remembers the tokens of recent long segments, the same tokens the tokenizer gives', () => {
    const vocabulary = vocabularyOf(model);
    const prefix = 'export function clamp(value: number, min: number, max: number): number {\n'.repeat(8);
    const first = vocabulary.tokenize(prefix);
    assert.deepEqual(first, segmentTokenizer(model)(prefix));
    assert.equal(vocabulary.tokenize(prefix), first, 'the second keystroke reuses the first one\'s tokens');
    for (let index = 0; index < 8; index++) vocabulary.tokenize(`${prefix}// ${index}\n`);
    assert.notEqual(vocabulary.tokenize(prefix), first, 'only the last few segments are kept');
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
