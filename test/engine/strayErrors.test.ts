// What a stray error does to the real model process (the policy is written down in
// src/engine/main.ts): an unhandled rejection is logged through engine/log and the process keeps
// serving; an uncaught exception is logged, then the process exits with
// ENGINE_EXIT_UNCAUGHT_EXCEPTION and in-flight requests fail as a crash. The errors are raised by
// the test-only `test/fault` method, which exists only with HEARTH_ENGINE_TEST_HOOKS=1.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { ENGINE_EXIT_UNCAUGHT_EXCEPTION, engineMethods, type LogLevel } from '../../src/common/protocol/engineProtocol';
import { ENGINE_TEST_HOOKS_ENV, engineTestMethods, FAULT_MESSAGES } from '../../src/engine/testHooks';
import { EngineConnection, newStreamId, type EngineExit } from '../../src/host/engine/engineConnection';
import { EngineRequestError } from '../../src/host/engine/engineErrors';
import { findTestModel, STORY_TEST_MODEL } from '../fixtures/testModels';
import { expectEngineError } from '../support/expectEngineError';
import { poll } from '../support/polling';

const ENGINE = resolve(__dirname, '../../dist/engine.mjs');

interface Watched {
  readonly engine: EngineConnection;
  readonly logs: Array<{ level: LogLevel; message: string }>;
  readonly exits: EngineExit[];
}

/** Starts a model process, with the test hooks when asked, and records its log and exit. */
function startEngine(testHooks: boolean): Watched {
  const previous = process.env[ENGINE_TEST_HOOKS_ENV];
  // fork() copies the environment at the call, so the variable reaches only this child.
  if (testHooks) process.env[ENGINE_TEST_HOOKS_ENV] = '1';
  else delete process.env[ENGINE_TEST_HOOKS_ENV];
  try {
    const engine = EngineConnection.start(ENGINE);
    const watched: Watched = { engine, logs: [], exits: [] };
    engine.onLog((line) => watched.logs.push(line));
    engine.onExit((exit) => watched.exits.push(exit));
    return watched;
  } finally {
    if (previous === undefined) delete process.env[ENGINE_TEST_HOOKS_ENV];
    else process.env[ENGINE_TEST_HOOKS_ENV] = previous;
  }
}

const logged = (watched: Watched, text: string) => watched.logs.find((line) => line.level === 'error' && line.message.includes(text));

describe('stray errors in the model process', function () {
  this.timeout(60_000);
  let storyModel: string;
  const started: Watched[] = [];
  const start = (testHooks: boolean) => {
    const watched = startEngine(testHooks);
    started.push(watched);
    return watched;
  };

  before(async () => {
    storyModel = await findTestModel(STORY_TEST_MODEL);
  });

  after(() => {
    for (const watched of started) watched.engine.dispose();
  });

  it('logs an unhandled rejection with its stack and keeps serving', async () => {
    const watched = start(true);
    const { engine } = watched;
    await engine.request(engineMethods.modelLoad, { path: storyModel, contextSize: 512, threads: 1 });
    const pid = engine.pid;

    assert.deepEqual(await engine.request(engineTestMethods.fault, { kind: 'unhandledRejection' }), { scheduled: true });
    assert.ok(await poll(5_000, async () => logged(watched, FAULT_MESSAGES.unhandledRejection) !== undefined, 20), 'the rejection was logged');
    const line = logged(watched, FAULT_MESSAGES.unhandledRejection);
    assert.match(line?.message ?? '', /Unhandled promise rejection.*keeps running/);
    assert.match(line?.message ?? '', /\n\s+at /, 'the stack is logged');

    // Still the same process, with its model.
    await new Promise((wait) => setTimeout(wait, 100));
    assert.deepEqual(watched.exits, []);
    assert.equal(engine.pid, pid);
    const result = await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: 'Once upon a time', maxTokens: 8, temperature: 0 });
    assert.ok(result.text.length > 0);
  });

  it('logs an uncaught exception, then exits with its own code; in-flight requests fail as a crash', async () => {
    const watched = start(true);
    const { engine } = watched;
    await engine.request(engineMethods.modelLoad, { path: storyModel, contextSize: 512, threads: 1 });
    const pending = engine.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: 'Once upon a time', maxTokens: 2000 });
    pending.catch(() => undefined);

    await engine.request(engineTestMethods.fault, { kind: 'uncaughtException' });
    assert.ok(await poll(10_000, async () => watched.exits.length > 0, 20), 'the process exited');
    assert.deepEqual(watched.exits, [{ code: ENGINE_EXIT_UNCAUGHT_EXCEPTION, signal: null }]);
    // The log line was sent before the exit (IPC messages may be read just after the exit event).
    assert.ok(await poll(2_000, async () => logged(watched, FAULT_MESSAGES.uncaughtException) !== undefined, 20), 'the exception was logged before the exit');
    assert.match(logged(watched, FAULT_MESSAGES.uncaughtException)?.message ?? '', new RegExp(`Uncaught exception.*exits \\(code ${ENGINE_EXIT_UNCAUGHT_EXCEPTION}\\)`));

    const crash = await expectEngineError(pending, 'crashed');
    assert.match(crash.message, /internal error/);
    await expectEngineError(engine.request(engineMethods.modelStatus, {}), 'crashed');
  });

  it('has no test hooks unless HEARTH_ENGINE_TEST_HOOKS=1', async () => {
    const { engine, exits } = start(false);
    const error = await engine.request(engineTestMethods.fault, { kind: 'uncaughtException' }).then(
      () => assert.fail('test/fault answered in a process without test hooks'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof EngineRequestError);
    assert.match(error.message, /test\/fault/);
    await engine.request(engineMethods.modelStatus, {});
    assert.deepEqual(exits, []);
  });
});
