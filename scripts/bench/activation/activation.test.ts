// Runs inside the real VS Code extension host for `npm run bench:engine`: reads how long
// Hearth's activate() took and hands the figure to the benchmark through a file.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { hearthHooks } from '../../../test/integration/suite/hearthHooks';

describe('activation benchmark', () => {
  it('records how long activate() took', async () => {
    const api = await hearthHooks();
    assert.ok(api.activationMs > 0);
    const output = process.env.HEARTH_BENCH_OUTPUT;
    assert.ok(output, 'HEARTH_BENCH_OUTPUT is not set');
    writeFileSync(output, JSON.stringify({ activationMs: api.activationMs }));
  });
});
