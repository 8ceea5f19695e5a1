// Parsing a policy file (`.hearth/policy.json` or the machine file): JSON with comments, checked
// against the strict schema; every error names its line, and an invalid file fails closed to local.
import assert from 'node:assert/strict';
import { mergePolicies } from '../../src/common/policy/mergePolicies';
import { parsePolicyFile, type PolicyFileParse } from '../../src/common/policy/parsePolicyFile';
import { POLICY_VERSION, type PolicySource } from '../../src/common/policy/privacyPolicy';

/** The error of a parse that must fail. */
function errorOf(result: PolicyFileParse): string {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  if (result.ok) throw new Error('unreachable');
  return result.error;
}

const lines = (...text: string[]) => text.join('\n');

describe('parsePolicyFile', () => {
  describe('a valid file', () => {
    it('parses every field', () => {
      const text = lines(
        '{',
        '  "$schema": "https://hearth.example/policy.schema.json",',
        '  "version": 1,',
        '  "mode": "ask",',
        '  "excludeFromAI": ["**/fixtures/**"],',
        '  "neverSend": ["**/*.sql"],',
        '  "redactSecrets": true,',
        '  "allowedEndpoints": [',
        '    "corp",',
        '    { "id": "openai", "provider": "openai", "baseUrl": "https://api.openai.com/v1", "model": "gpt-x", "trust": "external" }',
        '  ],',
        '  "internalServesSimple": false,',
        '  "maxBytesPerRequest": 50000,',
        '  "offline": false',
        '}',
      );
      assert.deepEqual(parsePolicyFile(text), {
        ok: true,
        policy: {
          $schema: 'https://hearth.example/policy.schema.json',
          version: 1,
          mode: 'ask',
          excludeFromAI: ['**/fixtures/**'],
          neverSend: ['**/*.sql'],
          redactSecrets: true,
          allowedEndpoints: ['corp', { id: 'openai', provider: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-x', trust: 'external' }],
          internalServesSimple: false,
          maxBytesPerRequest: 50_000,
          offline: false,
        },
      });
    });

    it('needs only the version', () => {
      assert.deepEqual(parsePolicyFile(`{ "version": ${POLICY_VERSION} }`), { ok: true, policy: { version: 1 } });
    });

    it('allows comments, as VS Code settings do', () => {
      const text = lines('// Team policy', '{', '  /* reviewed by security */', '  "version": 1,', '  "mode": "local" // nothing leaves', '}');
      assert.deepEqual(parsePolicyFile(text), { ok: true, policy: { version: 1, mode: 'local' } });
    });

    it('accepts each mode', () => {
      for (const mode of ['local', 'ask', 'cloud']) {
        const result = parsePolicyFile(`{"version":1,"mode":"${mode}"}`);
        assert.ok(result.ok && result.policy.mode === mode, JSON.stringify(result));
      }
    });
  });

  describe('broken JSON', () => {
    it('reports the line of a missing comma', () => {
      const error = errorOf(parsePolicyFile(lines('{', '  "version": 1,', '  "mode": "local"', '  "offline": true', '}')));
      assert.match(error, /^line 4: /);
      assert.match(error, /JSON syntax error \(comma expected\)/);
    });

    it('refuses a trailing comma', () => {
      assert.match(errorOf(parsePolicyFile(lines('{', '  "version": 1,', '  "mode": "local",', '}'))), /^line 4: JSON syntax error/);
    });

    it('reports an unclosed object', () => {
      assert.match(errorOf(parsePolicyFile(lines('{', '  "version": 1,', '  "mode": "local"', ''))), /^line 4: JSON syntax error \(close brace expected\)/);
    });

    it('refuses an empty file', () => {
      assert.match(errorOf(parsePolicyFile('')), /^line 1: JSON syntax error/);
      assert.match(errorOf(parsePolicyFile('   \n\n')), /JSON syntax error/);
    });

    it('counts lines the same with CRLF line endings', () => {
      const error = errorOf(parsePolicyFile('{\r\n  "version": 1,\r\n  "mode": "local"\r\n  "offline": true\r\n}'));
      assert.match(error, /^line 4: /);
    });
  });

  describe('a file the schema refuses', () => {
    it('refuses an unknown key (the schema is strict) and names it', () => {
      const error = errorOf(parsePolicyFile(lines('{', '  "version": 1,', '  "mood": "local"', '}')));
      assert.match(error, /^line \d+: /);
      assert.ok(error.includes('mood'), error);
    });

    it('refuses an unknown key inside an endpoint', () => {
      const text = lines(
        '{',
        '  "version": 1,',
        '  "allowedEndpoints": [',
        '    { "id": "x", "provider": "openai", "baseUrl": "https://x.example", "model": "m", "trust": "internal", "apiKey": "k" }',
        '  ]',
        '}',
      );
      const error = errorOf(parsePolicyFile(text));
      assert.ok(error.includes('apiKey'), error);
      assert.match(error, /^line 4: /);
    });

    it('reports the line of the mode key for a bad mode value', () => {
      const error = errorOf(parsePolicyFile(lines('{', '  "version": 1,', '  "excludeFromAI": [],', '  "mode": "public"', '}')));
      assert.match(error, /^line 4: mode: /);
      assert.ok(error.includes('public'), error);
    });

    it('refuses a mode of the wrong type', () => {
      assert.match(errorOf(parsePolicyFile(lines('{', '  "version": 1,', '  "mode": true', '}'))), /^line 3: mode: /);
    });

    it('refuses another version, on its line', () => {
      const error = errorOf(parsePolicyFile(lines('{', '  "mode": "local",', '  "version": 2', '}')));
      assert.match(error, /^line 3: version: /);
    });

    it('refuses a version given as a string', () => {
      assert.match(errorOf(parsePolicyFile('{ "version": "1" }')), /^line 1: version: /);
    });

    it('refuses a file without a version', () => {
      assert.match(errorOf(parsePolicyFile(lines('{', '  "mode": "local"', '}'))), /^line 1: version: /);
    });

    it('refuses JSON that is not an object', () => {
      for (const text of ['[]', 'null', '1', '"policy"']) assert.match(errorOf(parsePolicyFile(text)), /^line 1: /, text);
    });

    it('reports a nested error by its path and line', () => {
      const text = lines(
        '{',
        '  "version": 1,',
        '  "allowedEndpoints": [',
        '    "a",',
        '    {',
        '      "id": "x",',
        '      "provider": "openai",',
        '      "baseUrl": "ftp://x.example",',
        '      "model": "m",',
        '      "trust": "internal"',
        '    }',
        '  ]',
        '}',
      );
      const error = errorOf(parsePolicyFile(text));
      assert.match(error, /^line 8: allowedEndpoints\.1\.baseUrl: /);
    });

    it('refuses an endpoint trust other than internal or external', () => {
      const text = lines('{', '  "version": 1,', '  "allowedEndpoints": [', '    {"id":"x","provider":"openai","baseUrl":"https://x.example","model":"m","trust":"partner"}', '  ]', '}');
      // An entry is an id or an endpoint (a union), so the error names the entry.
      assert.match(errorOf(parsePolicyFile(text)), /^line 4: allowedEndpoints\.0: /);
    });

    it('refuses a maxBytesPerRequest that is not a positive integer', () => {
      for (const value of ['0', '-5', '1.5', '"100"']) {
        assert.match(errorOf(parsePolicyFile(lines('{"version": 1,', `"maxBytesPerRequest": ${value}}`))), /^line 2: maxBytesPerRequest: /, value);
      }
    });

    it('refuses globs that are not strings', () => {
      assert.match(errorOf(parsePolicyFile('{"version":1,"neverSend":["a/**", 3]}')), /neverSend\.1: /);
      assert.match(errorOf(parsePolicyFile('{"version":1,"excludeFromAI":"**/*.env"}')), /excludeFromAI: /);
    });
  });

  describe('failing closed', () => {
    it('an invalid file read as { mode: "local" } makes the merged policy local, whatever the user allows', () => {
      const text = lines('{', '  "version": 1,', '  "mode": "everything"', '}');
      assert.equal(parsePolicyFile(text).ok, false);
      // What the host's fileSource makes of a file that fails to parse.
      const invalid: PolicySource = { kind: 'policyFile', label: '.hearth/policy.json (invalid)', policy: { mode: 'local' } };
      const policy = mergePolicies([{ kind: 'user', label: 'User settings', policy: { mode: 'cloud' } }, invalid], { trusted: true });
      assert.equal(policy.mode, 'local');
      assert.equal(policy.modeSource, '.hearth/policy.json (invalid)');
    });
  });
});
