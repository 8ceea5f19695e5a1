// The JSON-RPC protocol's zod schemas: what they accept, what defaults they fill in, and what
// they refuse, since both the extension host and the model process rely on them.
import assert from 'node:assert/strict';
import {
  ENGINE_ERROR_CODE,
  chatMessageSchema,
  emptyParams,
  engineErrorData,
  engineErrorKind,
  engineMethods,
  engineNotifications,
  generateChatParams,
  generateCompleteParams,
  generateInfillParams,
  generateWarmParams,
  generateResult,
  modelInfoSchema,
  modelLoadParams,
  modelStatusResult,
  threadsSchema,
  tokenNotificationParams,
  logNotificationParams,
  type GenerateResult,
  type ModelInfo,
} from '../../src/common/protocol/engineProtocol';

const modelInfo: ModelInfo = {
  path: '/models/tiny.gguf',
  name: 'tiny',
  sizeBytes: 1234,
  loadMs: 12.5,
  contextSize: 4096,
  trainContextSize: 8192,
  threads: 4,
  promptThreads: 4,
  threadsReason: 'measured',
  threadsSource: 'measured',
  hasInfill: true,
  chatWrapper: 'Llama3ChatWrapper',
};

const result: GenerateResult = {
  text: 'hello',
  stopReason: 'eos',
  promptTokens: 10,
  evaluatedPromptTokens: 4,
  generatedTokens: 2,
  ttftMs: 15,
  totalMs: 40,
  tokensPerSec: 50,
};

describe('engine protocol schemas', () => {
  describe('model/load params', () => {
    it('defaults threads to auto and leaves contextSize unset', () => {
      const parsed = modelLoadParams.parse({ path: '/m.gguf' });
      assert.deepEqual(parsed, { path: '/m.gguf', threads: 'auto', rememberedThreads: [] });
    });

    it('keeps explicit threads and contextSize', () => {
      assert.deepEqual(modelLoadParams.parse({ path: '/m.gguf', threads: 8, contextSize: 2048 }), {
        path: '/m.gguf',
        threads: 8,
        rememberedThreads: [],
        contextSize: 2048,
      });
      assert.equal(modelLoadParams.parse({ path: '/m.gguf', threads: 'auto' }).threads, 'auto');
    });

    it('refuses an empty or missing path', () => {
      assert.equal(modelLoadParams.safeParse({ path: '' }).success, false);
      assert.equal(modelLoadParams.safeParse({}).success, false);
      assert.equal(modelLoadParams.safeParse({ path: 42 }).success, false);
    });

    it('refuses threads outside 1..512, fractional, or other strings', () => {
      for (const threads of [0, -1, 513, 1.5, 'max', '4', null]) {
        assert.equal(modelLoadParams.safeParse({ path: '/m.gguf', threads }).success, false, `threads ${String(threads)}`);
      }
      assert.equal(threadsSchema.safeParse(1).success, true);
      assert.equal(threadsSchema.safeParse(512).success, true);
    });

    it('refuses contextSize below 128, above 1M, or fractional', () => {
      for (const contextSize of [0, 127, 1_048_577, 512.5, '2048']) {
        assert.equal(modelLoadParams.safeParse({ path: '/m.gguf', contextSize }).success, false, `contextSize ${String(contextSize)}`);
      }
      assert.equal(modelLoadParams.safeParse({ path: '/m.gguf', contextSize: 128 }).success, true);
      assert.equal(modelLoadParams.safeParse({ path: '/m.gguf', contextSize: 1_048_576 }).success, true);
    });
  });

  describe('generate params', () => {
    it("generate/complete fills maxTokens 256, stop [], temperature 0 and the 'shared' slot", () => {
      const parsed = generateCompleteParams.parse({ streamId: 's1', prompt: 'Once' });
      assert.deepEqual(parsed, { streamId: 's1', prompt: 'Once', maxTokens: 256, stop: [], temperature: 0, slot: 'shared', stream: true, firstWindow: false });
    });

    it('keeps explicit sampling values', () => {
      const parsed = generateCompleteParams.parse({
        streamId: 's1',
        prompt: '',
        maxTokens: 32_768,
        stop: ['\n\n'],
        temperature: 0.7,
        topP: 1,
        seed: 0,
        timeBudgetMs: 500,
      });
      assert.equal(parsed.maxTokens, 32_768);
      assert.deepEqual(parsed.stop, ['\n\n']);
      assert.equal(parsed.temperature, 0.7);
      assert.equal(parsed.topP, 1);
      assert.equal(parsed.seed, 0);
      assert.equal(parsed.timeBudgetMs, 500);
    });

    it('refuses bad sampling values', () => {
      const base = { streamId: 's1', prompt: 'x' };
      const bad: Record<string, unknown>[] = [
        { maxTokens: -1 },
        { maxTokens: 0 },
        { maxTokens: 32_769 },
        { maxTokens: 1.5 },
        { maxTokens: '10' },
        { temperature: -0.1 },
        { temperature: 5.1 },
        { topP: 0 },
        { topP: 1.01 },
        { seed: -1 },
        { timeBudgetMs: 0 },
        { stop: [''] },
        { stop: 'END' },
        { stop: Array.from({ length: 33 }, (_, i) => `s${i}`) },
        { streamId: '' },
        { streamId: 'x'.repeat(201) },
      ];
      for (const extra of bad) {
        assert.equal(generateCompleteParams.safeParse({ ...base, ...extra }).success, false, JSON.stringify(extra));
      }
    });

    it('refuses a missing streamId or prompt, and a non-string prompt', () => {
      assert.equal(generateCompleteParams.safeParse({ prompt: 'x' }).success, false);
      assert.equal(generateCompleteParams.safeParse({ streamId: 's' }).success, false);
      assert.equal(generateCompleteParams.safeParse({ streamId: 's', prompt: 3 }).success, false);
    });

    it('generate/infill needs prefix and suffix and gets the same defaults, with an empty head and middle in psm order', () => {
      const parsed = generateInfillParams.parse({ streamId: 's2', prefix: 'a', suffix: '' });
      assert.deepEqual(parsed, {
        streamId: 's2',
        prefix: 'a',
        suffix: '',
        maxTokens: 256,
        stop: [],
        temperature: 0,
        slot: 'shared',
        stream: true,
        firstWindow: false,
        head: '',
        middlePrefix: '',
        order: 'psm',
      });
      assert.equal(generateInfillParams.safeParse({ streamId: 's2', prefix: 'a' }).success, false);
      assert.equal(generateInfillParams.safeParse({ streamId: 's2', suffix: 'b' }).success, false);
    });

    it('generate/chat takes system, user and assistant messages', () => {
      const messages = [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
      ];
      const parsed = generateChatParams.parse({ streamId: 's3', messages });
      assert.deepEqual(parsed.messages, messages);
      assert.equal(parsed.maxTokens, 256);
      assert.equal(parsed.temperature, 0);
    });

    it('generate/chat refuses an unknown role, an empty list and malformed messages', () => {
      assert.equal(generateChatParams.safeParse({ streamId: 's', messages: [{ role: 'tool', content: 'x' }] }).success, false);
      assert.equal(generateChatParams.safeParse({ streamId: 's', messages: [] }).success, false);
      assert.equal(generateChatParams.safeParse({ streamId: 's', messages: [{ role: 'user' }] }).success, false);
      assert.equal(generateChatParams.safeParse({ streamId: 's', messages: [{ role: 'user', content: 1 }] }).success, false);
      assert.equal(generateChatParams.safeParse({ streamId: 's', messages: 'hi' }).success, false);
      assert.equal(chatMessageSchema.safeParse({ role: 'User', content: 'x' }).success, false);
    });

    it('emptyParams accepts only an empty object', () => {
      assert.deepEqual(emptyParams.parse({}), {});
      assert.equal(emptyParams.safeParse({ extra: 1 }).success, false);
      assert.equal(emptyParams.safeParse(null).success, false);
    });
  });

  describe('results', () => {
    it('model info validates and refuses negative sizes or a zero context', () => {
      assert.deepEqual(modelInfoSchema.parse(modelInfo), modelInfo);
      assert.equal(modelInfoSchema.safeParse({ ...modelInfo, sizeBytes: -1 }).success, false);
      assert.equal(modelInfoSchema.safeParse({ ...modelInfo, contextSize: 0 }).success, false);
      assert.equal(modelInfoSchema.safeParse({ ...modelInfo, threads: 0 }).success, false);
      assert.equal(modelInfoSchema.safeParse({ ...modelInfo, hasInfill: 'yes' }).success, false);
      const { chatWrapper: _omitted, ...missing } = modelInfo;
      assert.equal(_omitted, 'Llama3ChatWrapper');
      assert.equal(modelInfoSchema.safeParse(missing).success, false);
    });

    it('generate results validate, with ttftMs nullable and known stop reasons only', () => {
      assert.deepEqual(generateResult.parse(result), result);
      assert.equal(generateResult.safeParse({ ...result, ttftMs: null }).success, true);
      for (const stopReason of ['eos', 'maxTokens', 'stop', 'cancelled', 'timeBudget']) {
        assert.equal(generateResult.safeParse({ ...result, stopReason }).success, true, stopReason);
      }
      assert.equal(generateResult.safeParse({ ...result, stopReason: 'length' }).success, false);
      assert.equal(generateResult.safeParse({ ...result, generatedTokens: -1 }).success, false);
      assert.equal(generateResult.safeParse({ ...result, generatedTokens: 1.5 }).success, false);
      assert.equal(generateResult.safeParse({ ...result, text: undefined }).success, false);
    });

    it('model status validates with or without a model', () => {
      const status = { state: 'ready', model: modelInfo, rssBytes: 1, contextTokensUsed: 0, activeRequests: 0, lastTokensPerSec: 12.5 };
      assert.equal(modelStatusResult.safeParse(status).success, true);
      assert.equal(modelStatusResult.safeParse({ ...status, state: 'unloaded', model: null, lastTokensPerSec: null }).success, true);
      assert.equal(modelStatusResult.safeParse({ ...status, state: 'crashed' }).success, false);
      assert.equal(modelStatusResult.safeParse({ ...status, activeRequests: -1 }).success, false);
    });

    it("each method's result schema is the one for that method", () => {
      assert.deepEqual(engineMethods.modelLoad.result.parse(modelInfo), modelInfo);
      assert.deepEqual(engineMethods.modelUnload.result.parse({ unloaded: true }), { unloaded: true });
      assert.equal(engineMethods.modelUnload.result.safeParse({}).success, false);
      for (const def of [engineMethods.generateComplete, engineMethods.generateInfill, engineMethods.generateChat]) {
        assert.deepEqual(def.result.parse(result), result, def.method);
        assert.equal(def.result.safeParse(modelInfo).success, false, def.method);
      }
    });
  });

  describe('method and notification names', () => {
    const requestNames = Object.values(engineMethods).map((def) => def.method);
    const notificationNames = Object.values(engineNotifications).map((def) => def.method);

    it('are all area/verb', () => {
      for (const name of [...requestNames, ...notificationNames]) {
        assert.match(name, /^[a-z]+\/[a-z]+$/, name);
      }
    });

    it('are unique across requests and notifications', () => {
      const all = [...requestNames, ...notificationNames];
      assert.equal(new Set(all).size, all.length, all.join(', '));
    });

    it('name the expected methods', () => {
      assert.deepEqual(requestNames.sort(), [
        'generate/chat',
        'generate/complete',
        'generate/infill',
        'generate/warm',
        'model/estimate',
        'model/load',
        'model/status',
        'model/tokenize',
        'model/unload',
        'system/hardware',
      ]);
      assert.deepEqual(notificationNames.sort(), ['engine/log', 'generate/token']);
    });

    it('use the right params schemas', () => {
      assert.equal(engineMethods.modelLoad.params, modelLoadParams);
      assert.equal(engineMethods.generateComplete.params, generateCompleteParams);
      assert.equal(engineMethods.generateInfill.params, generateInfillParams);
      assert.equal(engineMethods.generateChat.params, generateChatParams);
      assert.equal(engineMethods.modelStatus.params, emptyParams);
      assert.equal(engineMethods.modelUnload.params, emptyParams);
      assert.equal(engineMethods.generateWarm.params, generateWarmParams);
    });
  });

  describe('generate/warm params', () => {
    it("default to the 'completion' slot and take either a plain prompt or an infill layout", () => {
      assert.deepEqual(generateWarmParams.parse({ input: { kind: 'complete', prompt: 'x' } }), { slot: 'completion', role: 'completion', input: { kind: 'complete', prompt: 'x' } });
      assert.deepEqual(generateWarmParams.parse({ input: { kind: 'infill', prefix: 'a', suffix: 'b' } }).input, {
        kind: 'infill',
        prefix: 'a',
        suffix: 'b',
        head: '',
        middlePrefix: '',
        order: 'psm',
      });
    });

    it('refuses an unknown input kind, a missing prompt, and an unknown order', () => {
      assert.equal(generateWarmParams.safeParse({ input: { kind: 'chat', prompt: 'x' } }).success, false);
      assert.equal(generateWarmParams.safeParse({ input: { kind: 'complete' } }).success, false);
      assert.equal(generateWarmParams.safeParse({ input: { kind: 'infill', prefix: 'a', suffix: 'b', order: 'pms' } }).success, false);
    });
  });

  describe('notifications', () => {
    it('token and log notifications validate', () => {
      assert.equal(tokenNotificationParams.safeParse({ streamId: 's', text: 'abc' }).success, true);
      assert.equal(tokenNotificationParams.safeParse({ streamId: 's' }).success, false);
      assert.equal(logNotificationParams.safeParse({ level: 'warn', message: 'm' }).success, true);
      assert.equal(logNotificationParams.safeParse({ level: 'fatal', message: 'm' }).success, false);
    });
  });

  describe('error data', () => {
    it('accepts every error kind, with an optional path', () => {
      for (const kind of engineErrorKind.options) {
        assert.deepEqual(engineErrorData.parse({ kind }), { kind });
      }
      assert.deepEqual(engineErrorData.parse({ kind: 'modelNotFound', path: '/x.gguf' }), { kind: 'modelNotFound', path: '/x.gguf' });
    });

    it('refuses unknown kinds, host-only kinds and a non-string path', () => {
      assert.equal(engineErrorData.safeParse({ kind: 'crashed' }).success, false);
      assert.equal(engineErrorData.safeParse({ kind: 'unavailable' }).success, false);
      assert.equal(engineErrorData.safeParse({ kind: 'oops' }).success, false);
      assert.equal(engineErrorData.safeParse({}).success, false);
      assert.equal(engineErrorData.safeParse({ kind: 'internal', path: 3 }).success, false);
    });

    it('lists the documented kinds and uses a server-defined JSON-RPC error code', () => {
      assert.deepEqual(
        [...engineErrorKind.options].sort(),
        ['binaryMissing', 'corruptModel', 'infillUnsupported', 'internal', 'invalidParams', 'modelChanged', 'modelNotFound', 'modelTooLarge', 'noModelLoaded', 'notGguf'],
      );
      assert.equal(ENGINE_ERROR_CODE, -32_001);
      // JSON-RPC reserves -32099..-32000 for implementation-defined server errors.
      assert.ok(ENGINE_ERROR_CODE <= -32_000 && ENGINE_ERROR_CODE >= -32_099);
    });
  });
});
