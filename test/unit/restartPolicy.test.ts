// When a crashed model process may be restarted, and after how long.
import assert from 'node:assert/strict';
import { RestartPolicy, defaultRestartPolicy, type RestartDecision } from '../../src/host/engine/restartPolicy';

const MINUTE = 60_000;

function delayOf(decision: RestartDecision): number {
  assert.equal(decision.restart, true, `expected a restart, got ${JSON.stringify(decision)}`);
  if (!decision.restart) throw new Error('unreachable');
  return decision.delayMs;
}

describe('RestartPolicy', () => {
  it('defaults to 4 restarts in 3 minutes, 500 ms doubling up to 8 s', () => {
    assert.deepEqual(defaultRestartPolicy, { maxRestarts: 4, windowMs: 3 * MINUTE, baseDelayMs: 500, maxDelayMs: 8_000 });
  });

  it('allows 4 restarts within 3 minutes and refuses the 5th crash', () => {
    const policy = new RestartPolicy();
    const t0 = 1_000_000;
    const delays = [0, 10_000, 20_000, 30_000].map((offset) => delayOf(policy.recordCrash(t0 + offset)));
    assert.deepEqual(delays, [500, 1_000, 2_000, 4_000]);
    assert.deepEqual(policy.recordCrash(t0 + 3 * MINUTE - 1), { restart: false, crashes: 5 });
    // Still refused while the window holds the crashes.
    assert.deepEqual(policy.recordCrash(t0 + 3 * MINUTE - 1), { restart: false, crashes: 6 });
  });

  it('doubles the pause from the base and caps it at the maximum', () => {
    const policy = new RestartPolicy({ maxRestarts: 10, windowMs: MINUTE, baseDelayMs: 100, maxDelayMs: 1_000 });
    const delays = Array.from({ length: 8 }, (_, i) => delayOf(policy.recordCrash(i)));
    assert.deepEqual(delays, [100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000]);
  });

  it('the default policy caps at 8 s', () => {
    const policy = new RestartPolicy({ ...defaultRestartPolicy, maxRestarts: 100 });
    const delays = Array.from({ length: 7 }, (_, i) => delayOf(policy.recordCrash(i)));
    assert.deepEqual(delays, [500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('forgets crashes older than the window', () => {
    const policy = new RestartPolicy();
    const t0 = 5_000_000;
    for (let i = 0; i < 4; i += 1) delayOf(policy.recordCrash(t0 + i));
    // Exactly 3 minutes after the first crash it has left the window; the other three have not.
    const decision = policy.recordCrash(t0 + 3 * MINUTE);
    assert.deepEqual(decision, { restart: true, delayMs: 4_000 });
    // Long after all of them, the budget and the backoff start over.
    assert.deepEqual(policy.recordCrash(t0 + 10 * MINUTE), { restart: true, delayMs: 500 });
    assert.deepEqual(policy.recordCrash(t0 + 10 * MINUTE + 1), { restart: true, delayMs: 1_000 });
  });

  it('a crash just inside the window still counts', () => {
    const policy = new RestartPolicy();
    const t0 = 0;
    for (let i = 0; i < 4; i += 1) delayOf(policy.recordCrash(t0));
    assert.deepEqual(policy.recordCrash(t0 + 3 * MINUTE - 1), { restart: false, crashes: 5 });
  });

  it('spaced-out crashes never exhaust the budget', () => {
    const policy = new RestartPolicy();
    for (let i = 0; i < 20; i += 1) {
      // One crash per minute: at most 3 inside any 3-minute window.
      assert.equal(policy.recordCrash(i * MINUTE).restart, true, `crash ${i + 1}`);
    }
  });

  it('reset() gives a fresh budget and backoff', () => {
    const policy = new RestartPolicy();
    for (let i = 0; i < 4; i += 1) delayOf(policy.recordCrash(i));
    assert.equal(policy.recordCrash(5).restart, false);
    policy.reset();
    const delays = [6, 7, 8, 9].map((now) => delayOf(policy.recordCrash(now)));
    assert.deepEqual(delays, [500, 1_000, 2_000, 4_000]);
    assert.deepEqual(policy.recordCrash(10), { restart: false, crashes: 5 });
  });

  it('honours a custom maxRestarts', () => {
    const policy = new RestartPolicy({ maxRestarts: 1, windowMs: MINUTE, baseDelayMs: 5, maxDelayMs: 20 });
    assert.deepEqual(policy.recordCrash(0), { restart: true, delayMs: 5 });
    assert.deepEqual(policy.recordCrash(1), { restart: false, crashes: 2 });
  });
});
