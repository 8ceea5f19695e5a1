// "Exclude from AI": workspace-relative paths matched against the user's globs.
import assert from 'node:assert/strict';
import { mergePolicies } from '../../src/common/policy/mergePolicies';
import { createGlobMatcher, createPathFilter, normalizePath } from '../../src/common/policy/pathFilter';
import { DEFAULT_EXCLUDE_FROM_AI, DEFAULT_NEVER_SEND, type SourcedGlob } from '../../src/common/policy/privacyPolicy';

describe('createPathFilter', () => {
  describe('DEFAULT_EXCLUDE_FROM_AI as a path filter', () => {
    const excluded = createPathFilter(DEFAULT_EXCLUDE_FROM_AI);

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

describe('DEFAULT_NEVER_SEND', () => {
  const neverSend = createPathFilter(DEFAULT_NEVER_SEND);

  const matched: Array<[string, string]> = [
    // .env files: case, dot files, nesting, Windows separators
    ['.env', 'a .env file'],
    ['.ENV', 'upper case'],
    ['.env.local', 'a .env variant'],
    ['apps/web/.env.production', 'a nested .env variant'],
    ['a/b/c/.env', 'nested folders'],
    ['config\\.env', 'a Windows separator'],
    ['./.env', 'a leading ./'],
    // secrets folders
    ['Secrets/x', 'a capitalised secrets folder'],
    ['secrets\\db.yaml', 'a secrets folder, Windows separator'],
    ['infra/secrets/a/b/c.json', 'deep in a nested secrets folder'],
    // SSH keys
    ['id_rsa', 'an RSA key'],
    ['home/.ssh/id_rsa.pub', 'an RSA public key'],
    ['id_ed25519', 'an Ed25519 key'],
    ['.ssh/ID_ED25519', 'an Ed25519 key, upper case'],
    ['id_ecdsa.pub', 'an ECDSA public key'],
    ['id_ecdsa', 'an ECDSA key'],
    ['id_dsa', 'a DSA key'],
    ['.ssh\\id_dsa', 'a DSA key, Windows separator'],
    // key stores and certificates
    ['vault.kdbx', 'a KeePass database'],
    ['Backups/Passwords.KDBX', 'a KeePass database, upper case'],
    ['certs/server.pem', '.pem'],
    ['deploy/tls/private.key', '.key'],
    ['client.p12', '.p12'],
    ['client.PFX', '.pfx, upper case'],
    ['ca/root.crt', '.crt'],
    ['ca/root.cer', '.cer'],
    ['ca/root.der', '.der'],
    ['android/release.jks', '.jks'],
    ['release.keystore', '.keystore'],
    // credential files
    ['credentials', 'a credentials file'],
    ['credentials.json', 'credentials with an extension'],
    ['.aws/credentials', 'AWS credentials'],
    ['home\\.aws\\credentials', 'AWS credentials, Windows separators'],
    ['.git-credentials', 'git credentials'],
    ['.netrc', '.netrc'],
    ['.npmrc', '.npmrc'],
    ['packages/app/.npmrc', 'a nested .npmrc'],
    ['.pypirc', '.pypirc'],
    ['infra/prod.tfvars', 'Terraform variables'],
  ];
  for (const [path, what] of matched) it(`never sends ${path} (${what})`, () => assert.equal(neverSend(path), true));

  const notMatched = [
    'src/env.ts',
    'docs/secrets.md',
    'environment.ts',
    'src/environment.ts',
    'id_token.ts',
    'src/auth/id_token.ts',
    'id_map.json',
    'src/id_mapping.ts',
    'README.md',
    'src/keyboard.ts',
    'src/credentialsForm.tsx',
    'docs/certificates.md',
    'package.json',
    '.eslintrc.json',
  ];
  for (const path of notMatched) it(`may send ${path}`, () => assert.equal(neverSend(path), false));
});

describe('DEFAULT_EXCLUDE_FROM_AI', () => {
  it('is the list the path filter excludes by default', () => {
    assert.deepEqual(DEFAULT_EXCLUDE_FROM_AI, DEFAULT_EXCLUDE_FROM_AI);
  });

  const excluded = createPathFilter(DEFAULT_EXCLUDE_FROM_AI);

  for (const path of ['.ENV', '.env.local', '.Env.Production', 'a/b/c/.env', 'config\\.env', 'Secrets/x', 'secrets\\db.yaml', 'id_rsa', 'home/.ssh/ID_RSA.pub', 'KEYS/Server.KEY', 'certs\\chain.pem']) {
    it(`excludes ${path}`, () => assert.equal(excluded(path), true));
  }

  for (const path of ['src/env.ts', 'docs/secrets.md', 'environment.ts', 'id_token.ts', 'id_map.json', 'src/secretsManager.ts', '.environment']) {
    it(`does not exclude ${path}`, () => assert.equal(excluded(path), false));
  }
});

describe('createGlobMatcher', () => {
  const globs: SourcedGlob[] = [
    { glob: '**/.env', source: 'default' },
    { glob: 'private/**', source: '.hearth/policy.json' },
    { glob: '**/*.md', source: 'User settings' },
  ];

  it('returns the glob that matched, with its source', () => {
    const match = createGlobMatcher(globs);
    assert.equal(match('apps/.env'), globs[0]);
    assert.deepEqual(match('private\\notes.txt'), { glob: 'private/**', source: '.hearth/policy.json' });
    assert.deepEqual(match('docs/a.md'), { glob: '**/*.md', source: 'User settings' });
  });

  it('returns undefined when nothing matches', () => {
    assert.equal(createGlobMatcher(globs)('src/index.ts'), undefined);
    assert.equal(createGlobMatcher([])('.env'), undefined);
  });

  it('returns the first matching glob in list order', () => {
    const match = createGlobMatcher(globs);
    assert.equal(match('private/README.md'), globs[1]);
    assert.equal(createGlobMatcher([globs[2]!, globs[1]!])('private/README.md'), globs[2]);
  });

  it('matches case-insensitively and dot files', () => {
    const match = createGlobMatcher([{ glob: 'config/**', source: 's' }]);
    assert.ok(match('CONFIG/.hidden/.x'));
  });

  it('trims each glob but reports the glob as given', () => {
    const padded = { glob: '  **/*.sql  ', source: 'Workspace settings' };
    assert.equal(createGlobMatcher([padded])('db/dump.sql'), padded);
  });

  it('reports an invalid glob through onInvalid, skips it and applies the others', () => {
    const invalid = `${'c'.repeat(70_000)}*`;
    const reported: string[] = [];
    const match = createGlobMatcher(
      [
        { glob: invalid, source: 'User settings' },
        { glob: '   ', source: 'User settings' },
        { glob: '**/*.pem', source: 'default' },
      ],
      { onInvalid: (glob, error) => reported.push(`${glob.length}:${error instanceof Error}`) },
    );
    assert.deepEqual(reported, [`${invalid.length}:true`], 'one report, for the invalid glob only (a blank glob is skipped silently)');
    assert.deepEqual(match('certs/a.pem'), { glob: '**/*.pem', source: 'default' });
    assert.equal(match(`${'c'.repeat(70_000)}x`), undefined);
  });

  it('names the source of a merged policy\'s glob', () => {
    const policy = mergePolicies(
      [
        { kind: 'user', label: 'User settings', policy: {} },
        { kind: 'policyFile', label: '.hearth/policy.json', policy: { neverSend: ['**/fixtures/**'] } },
      ],
      { trusted: true },
    );
    const match = createGlobMatcher(policy.neverSend);
    assert.deepEqual(match('test/fixtures/dump.json'), { glob: '**/fixtures/**', source: '.hearth/policy.json' });
    assert.deepEqual(match('deploy/.aws/credentials'), { glob: '**/credentials', source: 'default' });
    assert.equal(match('src/app.ts'), undefined);
  });
});

describe('normalizePath', () => {
  it('uses / separators and drops a leading ./', () => {
    assert.equal(normalizePath('a\\b\\c.ts'), 'a/b/c.ts');
    assert.equal(normalizePath('./a/b'), 'a/b');
    assert.equal(normalizePath('.\\a\\b'), 'a/b');
    assert.equal(normalizePath('.env'), '.env');
    assert.equal(normalizePath('../up.ts'), '../up.ts');
  });
});
