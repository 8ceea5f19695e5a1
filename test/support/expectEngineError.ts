// Awaits a promise that must reject with an EngineRequestError of the given kind.
import assert from 'node:assert/strict';
import { EngineRequestError } from '../../src/host/engine/engineErrors';

export async function expectEngineError(promise: Promise<unknown>, kind: string): Promise<EngineRequestError> {
  const error = await promise.then(
    () => assert.fail(`expected a ${kind} error`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof EngineRequestError, `expected EngineRequestError, got ${String(error)}`);
  assert.equal(error.kind, kind, error.message);
  return error;
}
