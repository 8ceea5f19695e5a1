import assert from 'node:assert/strict';
import { binaryPackageName, missingBinaryMessage } from '../../src/engine/binaryPackage';
import { PACKAGE_TARGETS } from '../../scripts/package/packageTargets';

describe('binaryPackage (which node-llama-cpp binary a machine needs)', () => {
  it('names the package each .vsix target carries, for the same machine', () => {
    for (const target of Object.values(PACKAGE_TARGETS)) {
      assert.equal(binaryPackageName({ platform: target.platform, arch: target.arch, glibc: true }), target.binaries[0], target.target);
    }
  });

  it('says which package is missing and which .vsix to install', () => {
    const message = missingBinaryMessage({ platform: 'linux', arch: 'x64', glibc: true }, '3.21.1');
    assert.match(message, /@node-llama-cpp\/linux-x64 3\.21\.1/);
    assert.match(message, /the \.vsix named linux-x64/);
    assert.match(message, /never downloads or builds it at run time/);
  });

  it('says plainly that musl (Alpine) has no prebuilt binary', () => {
    assert.equal(binaryPackageName({ platform: 'linux', arch: 'x64', glibc: false }), undefined);
    assert.match(missingBinaryMessage({ platform: 'linux', arch: 'x64', glibc: false }, '3.21.1'), /musl Linux \(Alpine\)/);
  });
});
