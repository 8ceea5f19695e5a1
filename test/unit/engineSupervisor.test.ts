// The supervisor's policy, driven with a fake model process: start on first use, restart with
// backoff after crashes until the budget runs out, failed loads, idle stop, stop and dispose.
import assert from 'node:assert/strict';
import { Emitter } from 'vscode-jsonrpc/node';
import type { z } from 'zod';
import {
  engineMethods,
  type GenerateResult,
  type LogLevel,
  type ModelInfo,
  type ModelLoadParams,
  type RequestDef,
} from '../../src/common/protocol/engineProtocol';
import type { EngineExit, EngineProcess, RequestOptions } from '../../src/host/engine/engineConnection';
import { EngineRequestError } from '../../src/host/engine/engineErrors';
import { EngineSupervisor, type EngineState } from '../../src/host/engine/engineSupervisor';
import { RestartPolicy, type RestartPolicyOptions } from '../../src/host/engine/restartPolicy';
import { expectEngineError } from '../support/expectEngineError';

interface FakeBehaviour {
  /** When set, `model/load` fails with this error. */
  loadError?: Error;
  loadDelayMs: number;
  generateDelayMs: number;
  /** Streamed through `onText` before the result. */
  chunks: string[];
}

interface RecordedRequest {
  readonly method: string;
  /** The params as the real model process would see them, after its schema's defaults. */
  readonly params: unknown;
}

function modelInfoFor(path: string): ModelInfo {
  return {
    path,
    name: path.replace(/^.*\//, '').replace(/\.gguf$/, ''),
    sizeBytes: 1_000,
    loadMs: 1,
    contextSize: 2_048,
    trainContextSize: 4_096,
    threads: 2,
    promptThreads: 2,
    threadsReason: 'test',
    threadsSource: 'setting',
    hasInfill: false,
    chatWrapper: 'GeneralChatWrapper',
  };
}

/** A model process that lives in memory: it answers, streams, crashes and is killed on command. */
class FakeEngine implements EngineProcess {
  private readonly exitEmitter = new Emitter<EngineExit>();
  private readonly logEmitter = new Emitter<{ level: LogLevel; message: string }>();
  private readonly inFlight = new Set<(error: Error) => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly onExit = this.exitEmitter.event;
  readonly onLog = this.logEmitter.event;
  readonly requests: RecordedRequest[] = [];
  disposeCalls = 0;
  exited: EngineExit | undefined;

  constructor(
    readonly pid: number,
    private readonly behaviour: FakeBehaviour,
  ) {}

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  async request<P extends z.ZodTypeAny, R extends z.ZodTypeAny>(def: RequestDef<P, R>, params: z.input<P>, options: RequestOptions = {}): Promise<z.output<R>> {
    if (this.exited !== undefined) throw crashedError(this.exited);
    this.requests.push({ method: def.method, params: def.params.parse(params) });
    let rejectOnExit: (error: Error) => void = () => undefined;
    const exited = new Promise<never>((_, reject) => {
      rejectOnExit = reject;
    });
    this.inFlight.add(rejectOnExit);
    try {
      const raw = await Promise.race([this.answer(def.method, params, options), exited]);
      return def.result.parse(raw) as z.output<R>;
    } finally {
      this.inFlight.delete(rejectOnExit);
    }
  }

  /** Dies as if killed by the OS: in-flight requests fail with 'crashed', then onExit fires. */
  crash(exit: EngineExit = { code: null, signal: 'SIGKILL' }): void {
    if (this.exited !== undefined) return;
    this.exited = exit;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const error = crashedError(exit);
    for (const reject of this.inFlight) reject(error);
    this.inFlight.clear();
    this.exitEmitter.fire(exit);
  }

  log(level: LogLevel, message: string): void {
    this.logEmitter.fire({ level, message });
  }

  /** Like the real one: SIGKILL, and the exit is reported a moment later. */
  dispose(): void {
    this.disposeCalls += 1;
    if (this.exited === undefined) setImmediate(() => this.crash({ code: null, signal: 'SIGKILL' }));
  }

  private async answer(method: string, params: unknown, options: RequestOptions): Promise<unknown> {
    if (method === engineMethods.modelLoad.method) {
      await this.sleep(this.behaviour.loadDelayMs);
      if (this.behaviour.loadError !== undefined) throw this.behaviour.loadError;
      return modelInfoFor(engineMethods.modelLoad.params.parse(params).path);
    }
    if (method.startsWith('generate/')) {
      await this.sleep(this.behaviour.generateDelayMs);
      for (const chunk of this.behaviour.chunks) options.onText?.(chunk);
      return resultFor(this.behaviour.chunks.join(''));
    }
    throw new EngineRequestError('internal', `The fake does not know ${method}`);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

function crashedError(exit: EngineExit): EngineRequestError {
  return new EngineRequestError('crashed', `The Hearth model process was killed (${exit.signal ?? exit.code ?? 'unknown'}) while working on this request.`);
}

function resultFor(text: string): GenerateResult {
  return { text, stopReason: 'eos', promptTokens: 3, evaluatedPromptTokens: 3, generatedTokens: 2, ttftMs: 1, totalMs: 2, tokensPerSec: 1_000 };
}

const fastPolicy: RestartPolicyOptions = { maxRestarts: 4, windowMs: 3 * 60_000, baseDelayMs: 5, maxDelayMs: 20 };

class Harness {
  readonly spawned: FakeEngine[] = [];
  readonly states: EngineState[] = [];
  readonly gaveUp: Error[] = [];
  readonly logs: { level: LogLevel; message: string }[] = [];
  behaviour: FakeBehaviour = { loadDelayMs: 1, generateDelayMs: 1, chunks: ['hel', 'lo'] };
  loadParams: ModelLoadParams = { path: '/models/tiny.gguf' };
  loadParamsCalls = 0;
  /** When set, loadParams waits for it (a settings read that is still pending). */
  loadGate: Promise<void> | undefined;
  idleMinutes = 0;
  readonly supervisor: EngineSupervisor;

  constructor(policy: RestartPolicyOptions = fastPolicy) {
    this.supervisor = new EngineSupervisor({
      spawn: () => {
        const engine = new FakeEngine(1_000 + this.spawned.length, { ...this.behaviour });
        this.spawned.push(engine);
        return engine;
      },
      loadParams: async () => {
        this.loadParamsCalls += 1;
        await this.loadGate;
        return this.loadParams;
      },
      idleUnloadMinutes: () => this.idleMinutes,
      log: (level, message) => this.logs.push({ level, message }),
      restartPolicy: new RestartPolicy(policy),
    });
    this.supervisor.onDidChangeState((state) => this.states.push(state));
    this.supervisor.onDidGiveUp((error) => this.gaveUp.push(error));
  }

  get latest(): FakeEngine {
    const engine = this.spawned.at(-1);
    assert.ok(engine !== undefined, 'no process was spawned');
    return engine;
  }

  complete(prompt = 'Once upon', options: RequestOptions = {}): Promise<GenerateResult> {
    return this.supervisor.request(engineMethods.generateComplete, { streamId: `s-${prompt}`, prompt }, options);
  }

  stateKinds(): string[] {
    return this.states.map((state) => state.kind);
  }

  /** Waits until `n` processes were spawned and the last one has its model loaded. */
  async readyOn(n: number): Promise<void> {
    await waitFor(() => this.spawned.length === n && this.supervisor.state.kind === 'ready', `process ${n} ready`);
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await delay(1);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects if `promise` has not settled within `ms`, so a hang fails the test with a clear message. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}


describe('EngineSupervisor', function () {
  this.timeout(5_000);
  let h: Harness;

  afterEach(() => {
    h.supervisor.dispose();
  });

  describe('start on first use', () => {
    beforeEach(() => {
      h = new Harness();
    });

    it('spawns nothing until the first request', async () => {
      await delay(20);
      assert.equal(h.spawned.length, 0);
      assert.equal(h.loadParamsCalls, 0);
      assert.equal(h.supervisor.state.kind, 'notLoaded');
      assert.equal(h.supervisor.pid, undefined);
      assert.deepEqual(h.states, []);
    });

    it('loads the model with the params from loadParams, then runs the request', async () => {
      h.loadParams = { path: '/models/coder.gguf', contextSize: 4_096, threads: 6 };
      const streamed: string[] = [];
      const result = await h.complete('def f(', { onText: (text) => streamed.push(text) });

      assert.equal(h.spawned.length, 1);
      assert.equal(h.supervisor.pid, 1_000);
      assert.deepEqual(h.latest.requests, [
        { method: 'model/load', params: { path: '/models/coder.gguf', contextSize: 4_096, threads: 6, rememberedThreads: [] } },
        { method: 'generate/complete', params: { streamId: 's-def f(', prompt: 'def f(', maxTokens: 256, stop: [], temperature: 0, slot: 'shared', stream: true, firstWindow: false } },
      ]);
      assert.equal(result.text, 'hello');
      assert.deepEqual(streamed, ['hel', 'lo']);
    });

    it("leaves threads to the protocol's 'auto' default", async () => {
      await h.complete();
      assert.deepEqual(h.latest.requests[0], { method: 'model/load', params: { path: '/models/tiny.gguf', threads: 'auto', rememberedThreads: [] } });
    });

    it('goes notLoaded → loading → ready → generating → ready', async () => {
      assert.equal(h.supervisor.state.kind, 'notLoaded');
      await h.complete();
      assert.deepEqual(h.stateKinds(), ['loading', 'ready', 'generating', 'ready']);
      assert.deepEqual(h.states[0], { kind: 'loading', modelPath: '/models/tiny.gguf' });
      assert.deepEqual(h.states[1], { kind: 'ready', model: modelInfoFor('/models/tiny.gguf') });
      assert.deepEqual(h.supervisor.state, { kind: 'ready', model: modelInfoFor('/models/tiny.gguf') });
    });

    it('reuses the process and the loaded model for later requests', async () => {
      await h.complete('a');
      await h.complete('b');
      assert.equal(h.spawned.length, 1);
      assert.equal(h.loadParamsCalls, 1);
      assert.deepEqual(
        h.latest.requests.map((request) => request.method),
        ['model/load', 'generate/complete', 'generate/complete'],
      );
      assert.deepEqual(h.stateKinds(), ['loading', 'ready', 'generating', 'ready', 'generating', 'ready']);
    });

    it('concurrent first requests share one process and one load, and stay generating until both finish', async () => {
      h.behaviour.generateDelayMs = 20;
      const first = h.complete('a');
      const second = h.supervisor.request(engineMethods.generateChat, { streamId: 'c', messages: [{ role: 'user', content: 'hi' }] });
      await waitFor(() => h.spawned.length === 1 && h.latest.inFlightCount === 2, 'both requests in flight');
      assert.equal(h.supervisor.state.kind, 'generating');
      await Promise.all([first, second]);
      assert.equal(h.spawned.length, 1);
      assert.equal(h.loadParamsCalls, 1);
      assert.equal(h.latest.requests.filter((request) => request.method === 'model/load').length, 1);
      assert.deepEqual(h.stateKinds(), ['loading', 'ready', 'generating', 'generating', 'ready']);
    });

    it('start() loads the model without a request', async () => {
      const model = await h.supervisor.start();
      assert.deepEqual(model, modelInfoFor('/models/tiny.gguf'));
      assert.equal(h.spawned.length, 1);
      assert.deepEqual(h.latest.requests.map((request) => request.method), ['model/load']);
      assert.equal(h.supervisor.state.kind, 'ready');
    });

    it("passes the process's log lines on", async () => {
      await h.complete();
      h.latest.log('warn', 'ggml: low memory');
      assert.ok(h.logs.some((line) => line.level === 'warn' && line.message === 'ggml: low memory'));
      assert.ok(h.logs.some((line) => line.level === 'info' && line.message.includes('pid 1000')));
    });
  });

  describe('crashes', () => {
    beforeEach(() => {
      h = new Harness();
    });

    it('fails in-flight requests at once and serves the next request from a new process', async () => {
      h.behaviour.generateDelayMs = 10_000;
      const pending = h.complete('slow');
      await waitFor(() => h.supervisor.state.kind === 'generating' && h.latest.inFlightCount === 1, 'generating');
      h.behaviour.generateDelayMs = 1;
      const crashedAt = Date.now();
      h.latest.crash();
      const error = await expectEngineError(pending, 'crashed');
      assert.ok(Date.now() - crashedAt < 1_000, 'the in-flight request should fail when the process dies, not when it would have finished');
      assert.match(error.message, /SIGKILL/);
      assert.deepEqual(h.supervisor.state, { kind: 'restarting', delayMs: 5 });

      const result = await h.complete('again');
      assert.equal(result.text, 'hello');
      assert.equal(h.spawned.length, 2);
      assert.equal(h.spawned[0]?.requests.length, 2, 'nothing more goes to the dead process');
      assert.deepEqual(h.spawned[1]?.requests.map((request) => request.method), ['model/load', 'generate/complete']);
      assert.deepEqual(h.stateKinds(), ['loading', 'ready', 'generating', 'restarting', 'loading', 'ready', 'generating', 'ready']);
      assert.equal(h.supervisor.pid, 1_001);
      assert.ok(h.logs.some((line) => line.level === 'warn' && line.message.includes('killed by SIGKILL')));
    });

    it('restarts on its own after the backoff, even without a request', async () => {
      await h.complete();
      h.latest.crash({ code: 3, signal: null });
      assert.equal(h.supervisor.state.kind, 'restarting');
      await h.readyOn(2);
      assert.equal(h.gaveUp.length, 0);
      assert.ok(h.logs.some((line) => line.message.includes('exited with code 3')));
    });

    it('a crash while loading counts as a crash and restarts', async () => {
      h.behaviour.loadDelayMs = 10_000;
      const pending = h.complete();
      await waitFor(() => h.supervisor.state.kind === 'loading' && h.latest.inFlightCount === 1, 'loading');
      h.behaviour.loadDelayMs = 1;
      h.latest.crash();
      await expectEngineError(pending, 'crashed');
      assert.equal(h.supervisor.state.kind, 'restarting');
      assert.equal(h.spawned[0]?.disposeCalls, 1, 'a crashed process is released once, not again as a failed load');
      await h.readyOn(2);
      assert.equal((await h.complete()).text, 'hello');
    });

    it('drops its listeners on a replaced process: a late log line from the old one is not forwarded', async () => {
      await h.complete();
      const first = h.latest;
      first.crash({ code: 3, signal: null });
      await h.readyOn(2);
      first.log('info', 'late line from the dead process');
      assert.ok(!h.logs.some((line) => line.message === 'late line from the dead process'));
      h.latest.log('info', 'line from the new process');
      assert.ok(h.logs.some((line) => line.message === 'line from the new process'));
    });

    it('backs off 5, 10, 20, 20 ms, then gives up on the 5th crash within the window', async () => {
      await h.complete();
      for (let n = 1; n <= 5; n += 1) {
        await h.readyOn(n);
        h.latest.crash();
      }
      const delays = h.states.flatMap((state) => (state.kind === 'restarting' ? [state.delayMs] : []));
      assert.deepEqual(delays, [5, 10, 20, 20]);

      assert.equal(h.gaveUp.length, 1);
      const gaveUp = h.gaveUp[0];
      assert.ok(gaveUp instanceof EngineRequestError);
      assert.equal(gaveUp.kind, 'unavailable');
      assert.equal(h.supervisor.state.kind, 'error');
      assert.ok(h.logs.some((line) => line.level === 'error' && line.message === gaveUp.message));

      const error = await expectEngineError(h.complete(), 'unavailable');
      assert.match(error.message, /Restart/);
      assert.match(error.message, /5 times/);
      await expectEngineError(h.supervisor.start(), 'unavailable');
      await delay(50);
      assert.equal(h.spawned.length, 5, 'no process is spawned after giving up');
      assert.equal(h.gaveUp.length, 1, 'onDidGiveUp fires once');
      assert.equal(h.supervisor.pid, undefined);
    });

    it('restart() after giving up starts a process with a fresh crash budget', async () => {
      await h.complete();
      for (let n = 1; n <= 5; n += 1) {
        await h.readyOn(n);
        h.latest.crash();
      }
      assert.equal(h.gaveUp.length, 1);

      const model = await h.supervisor.restart();
      assert.deepEqual(model, modelInfoFor('/models/tiny.gguf'));
      assert.equal(h.spawned.length, 6);
      assert.equal(h.supervisor.state.kind, 'ready');
      assert.equal((await h.complete()).text, 'hello');

      // A fresh budget: the next four crashes restart again, starting from the base delay.
      const before = h.states.length;
      for (let n = 6; n <= 9; n += 1) {
        await h.readyOn(n);
        h.latest.crash();
      }
      await h.readyOn(10);
      const delays = h.states.slice(before).flatMap((state) => (state.kind === 'restarting' ? [state.delayMs] : []));
      assert.deepEqual(delays, [5, 10, 20, 20]);
      assert.equal(h.gaveUp.length, 1);
    });

    it('restart() while healthy replaces the process', async () => {
      await h.complete();
      const first = h.latest;
      await h.supervisor.restart();
      assert.equal(first.disposeCalls, 1);
      assert.equal(h.spawned.length, 2);
      await delay(10); // the old process's late exit must not count as a crash
      assert.equal(h.supervisor.state.kind, 'ready');
      assert.ok(!h.stateKinds().includes('restarting'));
      assert.ok(h.logs.some((line) => line.message.includes('restart requested')));
    });
  });

  describe('failed model loads', () => {
    it('puts the state in error, disposes the process, and does not restart it', async () => {
      h = new Harness();
      const notFound = new EngineRequestError('modelNotFound', 'No model file at /models/missing.gguf', '/models/missing.gguf');
      h.behaviour.loadError = notFound;
      h.loadParams = { path: '/models/missing.gguf' };

      const error = await expectEngineError(h.complete(), 'modelNotFound');
      assert.equal(error, notFound);
      assert.equal(error.path, '/models/missing.gguf');
      assert.deepEqual(h.stateKinds(), ['loading', 'error']);
      assert.deepEqual(h.supervisor.state, { kind: 'error', error: notFound });
      assert.equal(h.latest.disposeCalls, 1);
      assert.equal(h.supervisor.pid, undefined);
      assert.deepEqual(h.latest.requests.map((request) => request.method), ['model/load'], 'the generate request never reached it');

      await delay(30);
      assert.equal(h.spawned.length, 1, 'a failed load is not restarted on its own');
      assert.deepEqual(h.stateKinds(), ['loading', 'error'], "the disposed process's exit is not a crash");
      assert.equal(h.gaveUp.length, 0);
    });

    it('is not counted as a crash, and the next request retries with fresh loadParams', async () => {
      // One restart allowed: had the two failed loads counted, the crash below would give up.
      h = new Harness({ ...fastPolicy, maxRestarts: 1 });
      h.behaviour.loadError = new EngineRequestError('modelNotFound', 'missing', '/models/missing.gguf');
      h.loadParams = { path: '/models/missing.gguf' };
      await expectEngineError(h.complete(), 'modelNotFound');
      await expectEngineError(h.complete(), 'modelNotFound');
      assert.equal(h.spawned.length, 2);

      // The user fixes the path.
      delete h.behaviour.loadError;
      h.loadParams = { path: '/models/fixed.gguf' };
      const result = await h.complete();
      assert.equal(result.text, 'hello');
      assert.equal(h.spawned.length, 3);
      assert.deepEqual(h.latest.requests[0], { method: 'model/load', params: { path: '/models/fixed.gguf', threads: 'auto', rememberedThreads: [] } });
      assert.deepEqual(h.supervisor.state, { kind: 'ready', model: modelInfoFor('/models/fixed.gguf') });

      h.latest.crash();
      assert.equal(h.supervisor.state.kind, 'restarting');
      assert.equal(h.gaveUp.length, 0);
      await h.readyOn(4);
    });

    it('a loadParams failure (no model configured) is reported and retried on the next request', async () => {
      h = new Harness();
      let configured = false;
      const supervisor = new EngineSupervisor({
        spawn: () => {
          const engine = new FakeEngine(2_000 + h.spawned.length, { ...h.behaviour });
          h.spawned.push(engine);
          return engine;
        },
        loadParams: async () => {
          if (!configured) throw new EngineRequestError('noModel', 'No model is configured.');
          return { path: '/models/tiny.gguf' };
        },
        idleUnloadMinutes: () => 0,
        log: () => undefined,
        restartPolicy: new RestartPolicy(fastPolicy),
      });
      try {
        await expectEngineError(supervisor.request(engineMethods.generateComplete, { streamId: 'x', prompt: 'x' }), 'noModel');
        assert.equal(supervisor.state.kind, 'error');
        assert.equal(h.latest.disposeCalls, 1);
        configured = true;
        const result = await supervisor.request(engineMethods.generateComplete, { streamId: 'x', prompt: 'x' });
        assert.equal(result.text, 'hello');
        assert.equal(h.spawned.length, 2);
      } finally {
        supervisor.dispose();
      }
    });
  });

  describe('idle stop', () => {
    beforeEach(() => {
      h = new Harness();
    });

    it('stops the process after idleUnloadMinutes, and the next request starts a new one', async () => {
      h.idleMinutes = 0.0005; // 30 ms
      await h.complete();
      const first = h.latest;
      assert.equal(first.disposeCalls, 0);
      await waitFor(() => first.disposeCalls === 1, 'idle stop');
      assert.equal(h.supervisor.state.kind, 'notLoaded');
      assert.equal(h.supervisor.pid, undefined);
      assert.ok(h.logs.some((line) => line.message.includes('idle')));
      await delay(10); // the stopped process's exit is not a crash
      assert.ok(!h.stateKinds().includes('restarting'));

      assert.equal((await h.complete()).text, 'hello');
      assert.equal(h.spawned.length, 2);
      assert.equal(h.supervisor.state.kind, 'ready');
    });

    it('does not stop the process while a request runs longer than the idle time', async () => {
      h.idleMinutes = 0.0005; // 30 ms
      h.behaviour.generateDelayMs = 100;
      await h.complete();
      assert.equal(h.latest.disposeCalls, 0);
      await waitFor(() => h.latest.disposeCalls === 1, 'idle stop after the request');
    });

    it('each request restarts the idle clock', async () => {
      h.idleMinutes = 0.001; // 60 ms
      await h.complete();
      for (let i = 0; i < 4; i += 1) {
        await delay(30);
        await h.complete();
      }
      assert.equal(h.spawned.length, 1);
      assert.equal(h.latest.disposeCalls, 0);
    });

    it('0 keeps the process', async () => {
      h.idleMinutes = 0;
      await h.complete();
      await delay(80);
      assert.equal(h.latest.disposeCalls, 0);
      assert.equal(h.supervisor.state.kind, 'ready');
    });

    it('reads the setting at each request', async () => {
      h.idleMinutes = 0;
      await h.complete();
      await delay(40);
      assert.equal(h.latest.disposeCalls, 0);
      h.idleMinutes = 0.0005;
      await h.complete();
      await waitFor(() => h.latest.disposeCalls === 1, 'idle stop once enabled');
      assert.equal(h.spawned.length, 1);
    });
  });

  describe('stop', () => {
    it('stop() disposes the process, and the next request starts a new one', async () => {
      h = new Harness();
      await h.complete();
      h.supervisor.stop('settings changed');
      assert.equal(h.spawned[0]?.disposeCalls, 1);
      assert.equal(h.supervisor.state.kind, 'notLoaded');
      assert.ok(h.logs.some((line) => line.message.includes('settings changed')));
      assert.equal((await h.complete()).text, 'hello');
      assert.equal(h.spawned.length, 2);
    });

    it('stop() during a pending restart does not leave a waiting request hanging', async () => {
      h = new Harness({ ...fastPolicy, baseDelayMs: 200, maxDelayMs: 200 });
      await h.complete();
      h.latest.crash();
      assert.deepEqual(h.supervisor.state, { kind: 'restarting', delayMs: 200 });
      const waiting = h.complete('waiting');
      await delay(5);
      h.supervisor.stop('settings changed');
      const result = await within(waiting, 150, 'the request waiting for the restart');
      assert.equal(result.text, 'hello');
      assert.equal(h.spawned.length, 2);

      await delay(250);
      assert.equal(h.spawned.length, 2, 'the cancelled restart timer spawns nothing');
      assert.equal((await within(h.complete('after'), 150, 'a later request')).text, 'hello');
      assert.equal(h.spawned.length, 2);
    });

    it('stop() during a pending restart cancels it; a later request starts the process', async () => {
      h = new Harness({ ...fastPolicy, baseDelayMs: 50, maxDelayMs: 50 });
      await h.complete();
      h.latest.crash();
      h.supervisor.stop('settings changed');
      await delay(80);
      assert.equal(h.spawned.length, 1, 'the restart was cancelled');
      assert.equal((await within(h.complete(), 150, 'a later request')).text, 'hello');
      assert.equal(h.spawned.length, 2);
    });
  });

  describe('dispose', () => {
    beforeEach(() => {
      h = new Harness();
    });

    it('kills the process, and later requests fail with unavailable', async () => {
      await h.complete();
      const statesBefore = h.states.length;
      h.supervisor.dispose();
      assert.equal(h.latest.disposeCalls, 1);
      const error = await expectEngineError(h.complete(), 'unavailable');
      assert.match(error.message, /shutting down/);
      await expectEngineError(h.supervisor.start(), 'unavailable');
      await delay(10);
      assert.equal(h.spawned.length, 1);
      // The stop itself reports notLoaded; nothing is reported after that.
      assert.deepEqual(h.states.slice(statesBefore), [{ kind: 'notLoaded' }]);
    });

    it('fails a request in flight', async () => {
      h.behaviour.generateDelayMs = 10_000;
      const pending = h.complete();
      await waitFor(() => h.supervisor.state.kind === 'generating', 'generating');
      h.supervisor.dispose();
      await expectEngineError(within(pending, 500, 'the in-flight request'), 'crashed');
      assert.equal(h.latest.disposeCalls, 1);
    });

    it('cancels a pending restart', async () => {
      await h.complete();
      h.latest.crash();
      assert.equal(h.supervisor.state.kind, 'restarting');
      h.supervisor.dispose();
      await delay(30);
      assert.equal(h.spawned.length, 1);
    });

    it('is safe to call twice', async () => {
      await h.complete();
      h.supervisor.dispose();
      h.supervisor.dispose();
      assert.equal(h.latest.disposeCalls, 1);
    });
  });
  describe('regressions', () => {
    it('does not spawn a process for a request released by dispose() during a pending restart', async () => {
      const h = new Harness({ ...fastPolicy, baseDelayMs: 100, maxDelayMs: 100 });
      await h.complete();
      h.latest.crash();
      const waiting = h.complete('w');
      await delay(5);
      h.supervisor.dispose();
      await expectEngineError(waiting, 'unavailable');
      assert.equal(h.spawned.length, 1);
    });

    it('reports notLoaded when stop() cancels a pending restart', async () => {
      const h = new Harness({ ...fastPolicy, baseDelayMs: 100, maxDelayMs: 100 });
      await h.complete();
      h.latest.crash();
      assert.equal(h.supervisor.state.kind, 'restarting');
      h.supervisor.stop('x');
      await delay(150);
      assert.equal(h.supervisor.state.kind, 'notLoaded');
      assert.equal(h.spawned.length, 1);
      h.supervisor.dispose();
    });

    it('stops a process restarted after a mid-request crash once it is idle', async () => {
      const h = new Harness();
      h.idleMinutes = 0.0005;
      h.behaviour.generateDelayMs = 10_000;
      const pending = h.complete();
      await waitFor(() => h.supervisor.state.kind === 'generating', 'generating');
      h.latest.crash();
      await expectEngineError(pending, 'crashed');
      await h.readyOn(2);
      await delay(150);
      assert.equal(h.spawned[1]?.disposeCalls, 1);
      assert.equal(h.supervisor.state.kind, 'notLoaded');
      h.supervisor.dispose();
    });

    it('does not report loading for a process stopped while its settings were read', async () => {
      const h = new Harness();
      let open: () => void = () => undefined;
      h.loadGate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const pending = h.complete();
      await waitFor(() => h.spawned.length === 1, 'spawned');
      h.supervisor.stop('settings changed');
      open();
      await pending.catch(() => undefined);
      await delay(10);
      assert.equal(h.supervisor.state.kind, 'notLoaded');
      h.supervisor.dispose();
    });
  });
});
