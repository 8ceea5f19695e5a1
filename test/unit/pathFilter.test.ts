// "Exclude from AI": workspace-relative paths matched against the user's globs.
import assert from 'node:assert/strict';
import { DEFAULT_EXCLUDE_GLOBS, createPathFilter } from '../../src/common/policy/pathFilter';

describe('createPathFilter', () => {
  describe('DEFAULT_EXCLUDE_GLOBS', () => {
    const excluded = createPathFilter(DEFAULT_EXCLUDE_GLOBS);

    for (const path of [
      '.env',
      'config/.env.local',
      '.env.production',
      'apps/web/.env',
      'certs/server.pem',
      'server.key',
      'deploy/tls/private.key',
      'secrets/a/b.txt',
      'infra/secrets/db.yaml',
      'id_rsa',
      'id_rsa.pub',
      'home/.ssh/id_rsa.pub',
    ]) {
      it(`excludes ${path}`, () => assert.equal(excluded(path), true));
    }

    for (const path of [
      'src/env.ts',
      'README.md',
      'src/environment.ts',
      'docs/secrets.md',
      'src/keyboard.ts',
      'package.json',
      '.eslintrc.json',
    ]) {
      it(`does not exclude ${path}`, () => assert.equal(excluded(path), false));
    }

    it('matches backslash-separated paths as Windows gives them', () => {
      assert.equal(excluded('config\\.env.local'), true);
      assert.equal(excluded('secrets\\a\\b.txt'), true);
      assert.equal(excluded('certs\\server.pem'), true);
      assert.equal(excluded('src\\env.ts'), false);
    });

    it('ignores a leading ./ and the case of the path', () => {
      assert.equal(excluded('./.env'), true);
      assert.equal(excluded('.\\certs\\server.pem'), true);
      assert.equal(excluded('Certs/Server.PEM'), true);
      assert.equal(excluded('SECRETS/token.txt'), true);
    });
  });

  describe('user globs', () => {
    it('applies each glob as VS Code would', () => {
      const excluded = createPathFilter(['**/*.log', 'build/**', 'private/*.md']);
      assert.equal(excluded('logs/app.log'), true);
      assert.equal(excluded('app.log'), true);
      assert.equal(excluded('build/out/main.js'), true);
      assert.equal(excluded('private/notes.md'), true);
      assert.equal(excluded('private/deep/notes.md'), false);
      assert.equal(excluded('src/build.ts'), false);
    });

    it('skips blank globs and trims the others', () => {
      const excluded = createPathFilter(['', '   ', '  **/*.secret  ']);
      assert.equal(excluded('a/b.secret'), true);
      assert.equal(excluded('a/b.txt'), false);
      assert.equal(excluded(''), false);
    });

    it('matches nothing for an empty list', () => {
      const excluded = createPathFilter([]);
      for (const path of ['.env', 'secrets/a.txt', 'src/index.ts', '']) assert.equal(excluded(path), false, path);
    });

    it('reports a glob it cannot compile through onInvalid and still applies the others', () => {
      const invalid = `${'a'.repeat(70_000)}*`; // longer than picomatch accepts
      const reported: Array<{ glob: string; error: unknown }> = [];
      const excluded = createPathFilter(['**/.env', invalid, '**/*.pem'], {
        onInvalid: (glob, error) => reported.push({ glob, error }),
      });
      assert.equal(reported.length, 1);
      assert.equal(reported[0]?.glob, invalid);
      assert.ok(reported[0]?.error instanceof Error);
      assert.equal(excluded('.env'), true);
      assert.equal(excluded('a/b.pem'), true);
      assert.equal(excluded('src/index.ts'), false);
    });

    it('does not throw for an invalid glob without onInvalid', () => {
      const excluded = createPathFilter([`${'b'.repeat(70_000)}*`, 'docs/**']);
      assert.equal(excluded('docs/a.md'), true);
      assert.equal(excluded('src/a.ts'), false);
    });
  });
});
