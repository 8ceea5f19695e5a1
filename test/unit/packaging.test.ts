// The pieces of `npm run package` that decide what a .vsix holds: the dependency closure copied
// from node_modules, the binary packages per target, and the size budget.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dependencyClosure } from '../../scripts/package/dependencyClosure';
import { binaryPackagesFor, PACKAGE_TARGETS } from '../../scripts/package/packageTargets';
import { overBudget, type VsixReport } from '../../scripts/package/vsixReport';
import { findRepoRoot } from '../fixtures/testModels';

async function writePackage(dir: string, manifest: Record<string, unknown>): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest));
}

describe('dependencyClosure', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hearth-closure-'));
  });

  afterEach(() => rm(root, { recursive: true, force: true }));

  it('follows dependencies the way Node resolves them (nested first), takes installed optional ones, and skips what it is told', async () => {
    const modules = join(root, 'node_modules');
    await writePackage(join(modules, 'engine'), {
      name: 'engine',
      version: '1.0.0',
      dependencies: { a: '1', b: '2' },
      optionalDependencies: { '@bin/linux': '1', '@bin/mac': '1', extra: '1', absent: '1' },
    });
    await writePackage(join(modules, 'a'), { name: 'a', version: '1.0.0', dependencies: { b: '1' } });
    await writePackage(join(modules, 'b'), { name: 'b', version: '1.0.0' });
    // engine wants b@2: npm nests it under engine.
    await writePackage(join(modules, 'engine', 'node_modules', 'b'), { name: 'b', version: '2.0.0' });
    await writePackage(join(modules, 'extra'), { name: 'extra', version: '1.0.0' });
    await writePackage(join(modules, '@bin', 'linux'), { name: '@bin/linux', version: '1.0.0' });
    await writePackage(join(modules, 'unrelated'), { name: 'unrelated', version: '1.0.0' });

    const closure = dependencyClosure(root, 'engine', (name) => name.startsWith('@bin/'));
    assert.deepEqual(
      closure.map((entry) => `${entry.path}@${entry.version}`),
      ['node_modules/a@1.0.0', 'node_modules/b@1.0.0', 'node_modules/engine@1.0.0', 'node_modules/engine/node_modules/b@2.0.0', 'node_modules/extra@1.0.0'],
    );
  });

  it('says which dependency is missing', async () => {
    await writePackage(join(root, 'node_modules', 'engine'), { name: 'engine', version: '1.0.0', dependencies: { gone: '1' } });
    assert.throws(() => dependencyClosure(root, 'engine', () => false), /engine needs gone, which is not installed \(run npm ci\)/);
  });

  it("finds node-llama-cpp's run-time packages in this checkout, without any platform binary", () => {
    const closure = dependencyClosure(findRepoRoot(), 'node-llama-cpp', (name) => name.startsWith('@node-llama-cpp/') || name.startsWith('@reflink/'));
    const names = new Set(closure.map((entry) => entry.name));
    assert.ok(names.has('node-llama-cpp') && names.has('ipull') && names.has('lifecycle-utils'));
    assert.ok(![...names].some((name) => name.startsWith('@node-llama-cpp/') || name.startsWith('@reflink/')));
  });
});

describe('package targets', () => {
  it('give each of the five targets exactly its own binary package, and GPU variants only when asked', () => {
    assert.deepEqual(Object.keys(PACKAGE_TARGETS).sort(), ['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64', 'win32-x64']);
    assert.deepEqual(binaryPackagesFor(PACKAGE_TARGETS['darwin-arm64'], []), ['@node-llama-cpp/mac-arm64-metal']);
    assert.deepEqual(binaryPackagesFor(PACKAGE_TARGETS['linux-x64'], ['vulkan']), ['@node-llama-cpp/linux-x64', '@node-llama-cpp/linux-x64-vulkan']);
    assert.throws(() => binaryPackagesFor(PACKAGE_TARGETS['darwin-x64'], ['cuda']), /no cuda build for darwin-x64/);
  });

  it('fail a package over its budget with the size measured', () => {
    const report: VsixReport = { file: 'x.vsix', bytes: 17 * 1024 * 1024, entries: [] };
    assert.equal(overBudget(report, 18 * 1024 * 1024, 'linux-x64'), undefined);
    assert.match(overBudget(report, 16 * 1024 * 1024, 'linux-x64') ?? '', /linux-x64 package is 17\.00 MiB, over its budget of 16\.00 MiB/);
  });
});
