// Test-only JSON-RPC methods of the model process. main.ts registers them only when
// HEARTH_ENGINE_TEST_HOOKS=1 is in the process's environment, which the extension never sets, so
// they are not part of the protocol the host speaks (src/common/protocol/engineProtocol.ts).
import { z } from 'zod';
import type { RequestDef } from '../common/protocol/engineProtocol';

export const ENGINE_TEST_HOOKS_ENV = 'HEARTH_ENGINE_TEST_HOOKS';

const faultParams = z.object({ kind: z.enum(['unhandledRejection', 'uncaughtException']) });
const faultResult = z.object({ scheduled: z.literal(true) });

export type FaultKind = z.infer<typeof faultParams>['kind'];

export const engineTestMethods = {
  /** engine test → model process: raise a stray error of this kind shortly after answering. */
  fault: { method: 'test/fault', params: faultParams, result: faultResult } satisfies RequestDef<typeof faultParams, typeof faultResult>,
} as const;

/** The message of the error each fault raises, so a test can find it in the log. */
export const FAULT_MESSAGES: Readonly<Record<FaultKind, string>> = {
  unhandledRejection: 'test hook: a promise rejected with no handler',
  uncaughtException: 'test hook: an exception nobody caught',
};

export function scheduleFault(kind: FaultKind): void {
  // On a timer, outside any request's promise chain, as a real stray error would be; and after
  // the answer has gone, so the test sees the request succeed first.
  setTimeout(() => {
    const error = new Error(FAULT_MESSAGES[kind]);
    if (kind === 'uncaughtException') throw error;
    void Promise.reject(error);
  }, 20);
}

/**
 * Engine tests simulate a machine with little free RAM (HEARTH_ENGINE_TEST_FREE_RAM_BYTES, honoured
 * only with the test hooks on), so the memory checks can be seen refusing without using the memory.
 */
export function simulatedFreeRamBytes(): number | undefined {
  if (process.env[ENGINE_TEST_HOOKS_ENV] !== '1') return undefined;
  const raw = process.env.HEARTH_ENGINE_TEST_FREE_RAM_BYTES;
  const value = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Engine tests slow the background read of a full prompt (HEARTH_ENGINE_TEST_BACKGROUND_DELAY_MS
 * between its chunks, with the test hooks on), so a request can be seen arriving in the middle of it.
 */
export function backgroundChunkDelayMs(): number {
  if (process.env[ENGINE_TEST_HOOKS_ENV] !== '1') return 0;
  const value = Number(process.env.HEARTH_ENGINE_TEST_BACKGROUND_DELAY_MS);
  return Number.isFinite(value) && value > 0 ? value : 0;
}
