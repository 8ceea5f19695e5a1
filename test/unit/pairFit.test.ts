import assert from 'node:assert/strict';
import { formatBytes } from '../../src/common/formatBytes';
import { pairVerdict, type PairMember } from '../../src/common/models/pairFit';
import { memoryBudget, type HardwareProfile } from '../../src/common/models/recommendModels';

const GIB = 1024 ** 3;

/** A machine with this much RAM, about half of it free, and 4 cores; optionally a GPU. */
function machine(totalGib: number, gpuGib?: number): HardwareProfile {
  return {
    totalRamBytes: totalGib * GIB,
    freeRamBytes: totalGib * GIB * 0.5,
    cpuCores: 4,
    ...(gpuGib === undefined ? {} : { gpu: { name: 'Test GPU', vramBytes: gpuGib * GIB, freeVramBytes: gpuGib * GIB } }),
  };
}

// Roughly Qwen2.5-Coder 1.5B Q4_K_M (completion: 1 completion + 1 shared sequence) and a 3B Q4_K_M chat model (2 shared sequences), in RAM.
const coder: PairMember = { role: 'completion', name: 'coder-1.5b.gguf', ramBytes: 1.3 * GIB, vramBytes: 0, sequences: 2, contextSize: 4096 };
const chat: PairMember = { role: 'chat', name: 'chat-3b.gguf', ramBytes: 2.4 * GIB, vramBytes: 0, sequences: 2, contextSize: 4096 };

describe('pairVerdict (two models in one process)', () => {
  it('refuses the pair on 4 and 8 GB machines and takes it on 16 and 32 GB', () => {
    const verdicts = [4, 8, 16, 32].map((gib) => {
      const hardware = machine(gib);
      return pairVerdict([coder, chat], memoryBudget(hardware), hardware.freeRamBytes).fits;
    });
    assert.deepEqual(verdicts, [false, false, true, true]);
  });

  it('counts both models, every sequence, and says what to do when it refuses', () => {
    const hardware = machine(8);
    const verdict = pairVerdict([coder, chat], memoryBudget(hardware), hardware.freeRamBytes);
    assert.equal(verdict.fits, false);
    assert.equal(verdict.needBytes, coder.ramBytes + chat.ramBytes);
    assert.ok(verdict.message.includes(`completion model coder-1.5b.gguf (${formatBytes(coder.ramBytes)} with 2 × 4096-token sequences)`), verdict.message);
    assert.ok(verdict.message.includes(`chat model chat-3b.gguf (${formatBytes(chat.ramBytes)} with 2 × 4096-token sequences)`), verdict.message);
    assert.ok(verdict.message.includes(`need ${formatBytes(coder.ramBytes + chat.ramBytes)} together, more than the ${formatBytes(verdict.budgetBytes)}`), verdict.message);
    assert.match(verdict.message, /each VS Code window runs its own model process/);
    assert.match(verdict.message, /Use one model for both roles, choose a smaller quantization, or lower "hearth\.engine\.contextSize"/);
  });

  it('counts GPU memory with RAM: an 8 GB machine with a 6 GB GPU holds the pair offloaded', () => {
    const offloaded = [
      { ...coder, ramBytes: 0.2 * GIB, vramBytes: 1.1 * GIB },
      { ...chat, ramBytes: 0.3 * GIB, vramBytes: 2.1 * GIB },
    ];
    const withGpu = machine(8, 6);
    const verdict = pairVerdict(offloaded, memoryBudget(withGpu), withGpu.freeRamBytes);
    assert.equal(verdict.fits, true, verdict.message);
    assert.match(verdict.message, /of RAM and GPU memory/);
    const withoutGpu = machine(8);
    assert.equal(pairVerdict(offloaded, memoryBudget(withoutGpu), withoutGpu.freeRamBytes).fits, false);
  });
});
