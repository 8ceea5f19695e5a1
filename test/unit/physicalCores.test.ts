import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { physicalCores } from '../../src/engine/physicalCores';

const cpu = (physical: number, core: number) => `processor\t: x\nphysical id\t: ${physical}\ncore id\t\t: ${core}\n\n`;

describe('physicalCores', () => {
  it('counts hyper-threads of one core once', () => {
    // Two logical CPUs on core 0 and two on core 1: 2 physical cores.
    const info = cpu(0, 0) + cpu(0, 0) + cpu(0, 1) + cpu(0, 1);
    assert.equal(physicalCores(info), Math.min(2, availableParallelism()));
  });

  it('tells cores of different sockets apart', () => {
    const info = cpu(0, 0) + cpu(1, 0);
    assert.equal(physicalCores(info), Math.min(2, availableParallelism()));
  });

  it('falls back to the logical count when the kernel gives no core ids', () => {
    assert.equal(physicalCores('processor\t: 0\n'), availableParallelism());
    assert.equal(physicalCores(undefined), availableParallelism());
  });

  it('never exceeds what this process may use', () => {
    const many = Array.from({ length: 64 }, (_, index) => cpu(0, index)).join('');
    assert.ok(physicalCores(many) <= availableParallelism());
  });
});
