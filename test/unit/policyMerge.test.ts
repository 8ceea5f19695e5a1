// Merging the privacy policy's sources: the most restrictive wins, a workspace can only tighten,
// endpoints come only from the user or the machine, and an untrusted workspace runs locally.
import assert from 'node:assert/strict';
import { mergePolicies } from '../../src/common/policy/mergePolicies';
import {
  DEFAULT_EXCLUDE_FROM_AI,
  DEFAULT_MAX_BYTES_PER_REQUEST,
  DEFAULT_NEVER_SEND,
  DEFAULT_POLICY,
  type Endpoint,
  type PartialPolicy,
  type PolicySource,
} from '../../src/common/policy/privacyPolicy';

const MACHINE = '/etc/hearth/policy.json';
const USER = 'User settings';
const WORKSPACE = 'Workspace settings';
const FILE = '.hearth/policy.json';

const machine = (policy: PartialPolicy): PolicySource => ({ kind: 'machine', label: MACHINE, policy });
const user = (policy: PartialPolicy): PolicySource => ({ kind: 'user', label: USER, policy });
const workspace = (policy: PartialPolicy): PolicySource => ({ kind: 'workspaceSettings', label: WORKSPACE, policy });
const file = (policy: PartialPolicy): PolicySource => ({ kind: 'policyFile', label: FILE, policy });

const trusted = { trusted: true } as const;
const untrusted = { trusted: false } as const;

const OPENAI: Endpoint = { id: 'openai', provider: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-x', trust: 'external' };
const CORP: Endpoint = { id: 'corp', provider: 'openai', baseUrl: 'https://llm.corp.example/v1', model: 'corp-coder', trust: 'internal' };
const CLAUDE: Endpoint = { id: 'claude', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', model: 'claude-x', trust: 'external' };

const globsOf = (list: readonly { glob: string }[]) => list.map(({ glob }) => glob);

describe('mergePolicies', () => {
  describe('with nothing configured', () => {
    it('gives the default policy', () => {
      assert.deepEqual(mergePolicies([], trusted), DEFAULT_POLICY);
      assert.deepEqual(mergePolicies([user({})], trusted), DEFAULT_POLICY);
    });

    it('defaults to local, the default globs, redaction on, no endpoints', () => {
      const policy = mergePolicies([user({})], trusted);
      assert.equal(policy.mode, 'local');
      assert.equal(policy.modeSource, 'default');
      assert.deepEqual(globsOf(policy.excludeFromAI), DEFAULT_EXCLUDE_FROM_AI);
      assert.deepEqual(globsOf(policy.neverSend), DEFAULT_NEVER_SEND);
      assert.ok(policy.excludeFromAI.every(({ source }) => source === 'default'));
      assert.equal(policy.redactSecrets, true);
      assert.deepEqual(policy.endpoints, []);
      assert.equal(policy.internalServesSimple, false);
      assert.equal(policy.maxBytesPerRequest, DEFAULT_MAX_BYTES_PER_REQUEST);
      assert.equal(policy.offline, false);
      assert.deepEqual(policy.warnings, []);
    });
  });

  describe('mode: most restrictive wins, a looser workspace loses', () => {
    it('user ask + policy file cloud → ask, set by the user', () => {
      const policy = mergePolicies([user({ mode: 'ask' }), file({ mode: 'cloud' })], trusted);
      assert.equal(policy.mode, 'ask');
      assert.equal(policy.modeSource, USER);
    });

    it('user cloud + workspace settings local → local, set by the workspace settings', () => {
      const policy = mergePolicies([user({ mode: 'cloud' }), workspace({ mode: 'local' })], trusted);
      assert.equal(policy.mode, 'local');
      assert.equal(policy.modeSource, WORKSPACE);
    });

    it('user cloud + policy file ask → ask, set by the policy file', () => {
      const policy = mergePolicies([user({ mode: 'cloud' }), file({ mode: 'ask' })], trusted);
      assert.equal(policy.mode, 'ask');
      assert.equal(policy.modeSource, FILE);
    });

    it('machine local beats user cloud', () => {
      const policy = mergePolicies([user({ mode: 'cloud' }), machine({ mode: 'local' })], trusted);
      assert.equal(policy.mode, 'local');
      assert.equal(policy.modeSource, MACHINE);
    });

    it('machine cloud does not loosen the user\'s ask', () => {
      const policy = mergePolicies([machine({ mode: 'cloud' }), user({ mode: 'ask' })], trusted);
      assert.equal(policy.mode, 'ask');
      assert.equal(policy.modeSource, USER);
    });

    it('a workspace asking for more than the user\'s unset default (local) does not get it', () => {
      for (const mode of ['ask', 'cloud'] as const) {
        for (const source of [workspace({ mode }), file({ mode })]) {
          const policy = mergePolicies([user({}), source], trusted);
          assert.equal(policy.mode, 'local', `${source.label} ${mode}`);
          assert.equal(policy.modeSource, 'default');
        }
      }
    });

    it('the user\'s unset default does not cap the machine\'s mode either', () => {
      const policy = mergePolicies([machine({ mode: 'cloud' }), user({})], trusted);
      assert.equal(policy.mode, 'local');
      assert.equal(policy.modeSource, 'default');
    });

    it('names the workspace source that says local when the user set no mode', () => {
      assert.equal(mergePolicies([user({}), file({ mode: 'local' })], trusted).modeSource, FILE);
      assert.equal(mergePolicies([user({}), workspace({ mode: 'local' }), file({ mode: 'local' })], trusted).modeSource, WORKSPACE);
    });

    it('on a tie, names the most authoritative source: machine, user, workspace settings, policy file', () => {
      assert.equal(mergePolicies([file({ mode: 'ask' }), workspace({ mode: 'ask' }), user({ mode: 'ask' }), machine({ mode: 'ask' })], trusted).modeSource, MACHINE);
      assert.equal(mergePolicies([file({ mode: 'ask' }), workspace({ mode: 'ask' }), user({ mode: 'ask' })], trusted).modeSource, USER);
      assert.equal(mergePolicies([file({ mode: 'ask' }), workspace({ mode: 'ask' }), user({ mode: 'cloud' })], trusted).modeSource, WORKSPACE);
    });

    it('does not depend on the order the sources come in', () => {
      const sources = [file({ mode: 'ask' }), user({ mode: 'cloud' }), machine({ mode: 'cloud' }), workspace({ mode: 'ask' })];
      const forward = mergePolicies(sources, trusted);
      const backward = mergePolicies([...sources].reverse(), trusted);
      assert.deepEqual(backward, forward);
      assert.equal(forward.mode, 'ask');
      assert.equal(forward.modeSource, WORKSPACE);
    });

    it('an invalid policy file, read as { mode: "local" }, fails closed to local and is named', () => {
      const invalid: PolicySource = { kind: 'policyFile', label: `${FILE} (invalid)`, policy: { mode: 'local' } };
      const policy = mergePolicies([user({ mode: 'cloud', allowedEndpoints: [OPENAI] }), invalid], trusted);
      assert.equal(policy.mode, 'local');
      assert.equal(policy.modeSource, `${FILE} (invalid)`);
      const unset = mergePolicies([user({}), invalid], trusted);
      assert.equal(unset.mode, 'local');
      assert.equal(unset.modeSource, `${FILE} (invalid)`);
    });

    it('an invalid machine file, read as { mode: "local" }, fails closed to local', () => {
      const invalid: PolicySource = { kind: 'machine', label: `${MACHINE} (invalid)`, policy: { mode: 'local' } };
      const policy = mergePolicies([invalid, user({ mode: 'cloud' }), file({ mode: 'cloud' })], trusted);
      assert.equal(policy.mode, 'local');
      assert.equal(policy.modeSource, `${MACHINE} (invalid)`);
    });
  });

  describe('excludeFromAI and neverSend: unions that keep each glob\'s source', () => {
    for (const field of ['excludeFromAI', 'neverSend'] as const) {
      const defaults = field === 'excludeFromAI' ? DEFAULT_EXCLUDE_FROM_AI : DEFAULT_NEVER_SEND;

      it(`${field}: adds each source's globs to the defaults, with their source`, () => {
        const policy = mergePolicies([machine({ [field]: ['**/corp/**'] }), user({}), workspace({ [field]: ['**/*.log'] }), file({ [field]: ['private/**'] })], trusted);
        assert.deepEqual(policy[field], [
          ...defaults.map((glob) => ({ glob, source: 'default' })),
          { glob: '**/corp/**', source: MACHINE },
          { glob: '**/*.log', source: WORKSPACE },
          { glob: 'private/**', source: FILE },
        ]);
      });

      it(`${field}: the user's own list replaces the defaults; nobody else's does`, () => {
        const own = mergePolicies([user({ [field]: ['**/mine/**'] }), file({ [field]: ['team/**'] })], trusted);
        assert.deepEqual(own[field], [
          { glob: '**/mine/**', source: USER },
          { glob: 'team/**', source: FILE },
        ]);
        const others = mergePolicies([machine({ [field]: [] }), workspace({ [field]: [] }), file({ [field]: [] })], trusted);
        assert.deepEqual(globsOf(others[field]), defaults);
      });

      it(`${field}: trims, skips blanks and keeps a repeated glob once, with its most authoritative source`, () => {
        const policy = mergePolicies([file({ [field]: ['  shared/**  ', ''] }), user({ [field]: ['shared/**', '   '] }), machine({ [field]: ['shared/**'] })], trusted);
        assert.deepEqual(policy[field], [{ glob: 'shared/**', source: MACHINE }]);
      });

      it(`${field}: a workspace cannot remove a default`, () => {
        const policy = mergePolicies([user({}), file({ [field]: ['other/**'] })], trusted);
        for (const glob of defaults) assert.ok(globsOf(policy[field]).includes(glob), glob);
      });
    }
  });

  describe('redactSecrets: off only when a source says false and none says true', () => {
    const cases: Array<[string, PolicySource[], boolean]> = [
      ['nothing set', [user({})], true],
      ['user false', [user({ redactSecrets: false })], false],
      ['policy file false', [user({}), file({ redactSecrets: false })], false],
      ['user false, policy file true', [user({ redactSecrets: false }), file({ redactSecrets: true })], true],
      ['machine true, user false', [machine({ redactSecrets: true }), user({ redactSecrets: false })], true],
      ['machine false, workspace true', [machine({ redactSecrets: false }), workspace({ redactSecrets: true })], true],
      ['all false', [machine({ redactSecrets: false }), user({ redactSecrets: false }), workspace({ redactSecrets: false })], false],
    ];
    for (const [name, sources, expected] of cases) it(`${name} → ${expected}`, () => assert.equal(mergePolicies(sources, trusted).redactSecrets, expected));
  });

  describe('maxBytesPerRequest: the minimum', () => {
    it('takes the smallest any source sets', () => {
      assert.equal(mergePolicies([machine({ maxBytesPerRequest: 100_000 }), user({ maxBytesPerRequest: 50_000 }), file({ maxBytesPerRequest: 10_000 })], trusted).maxBytesPerRequest, 10_000);
      assert.equal(mergePolicies([user({ maxBytesPerRequest: 1_000 }), workspace({ maxBytesPerRequest: 9_000 })], trusted).maxBytesPerRequest, 1_000);
    });

    it('never goes above the default', () => {
      assert.equal(mergePolicies([user({ maxBytesPerRequest: 10_000_000 }), file({ maxBytesPerRequest: 5_000_000 })], trusted).maxBytesPerRequest, DEFAULT_MAX_BYTES_PER_REQUEST);
    });
  });

  describe('offline: if any source says so', () => {
    it('is on when one source turns it on, whatever the others say', () => {
      assert.equal(mergePolicies([user({ offline: false }), file({ offline: true })], trusted).offline, true);
      assert.equal(mergePolicies([machine({ offline: true }), user({ offline: false })], trusted).offline, true);
      assert.equal(mergePolicies([user({ offline: false }), workspace({ offline: false })], trusted).offline, false);
    });
  });

  describe('endpoints: defined by the user or the machine, only narrowed by others', () => {
    it('takes the user\'s endpoints', () => {
      const policy = mergePolicies([user({ allowedEndpoints: [OPENAI, CORP] })], trusted);
      assert.deepEqual(policy.endpoints, [OPENAI, CORP]);
      assert.deepEqual(policy.warnings, []);
    });

    it('a policy file listing ids narrows them', () => {
      const policy = mergePolicies([user({ allowedEndpoints: [OPENAI, CORP, CLAUDE] }), file({ allowedEndpoints: ['corp', 'claude'] })], trusted);
      assert.deepEqual(policy.endpoints, [CORP, CLAUDE]);
      assert.deepEqual(policy.warnings, []);
    });

    it('a policy file listing no ids removes every endpoint', () => {
      assert.deepEqual(mergePolicies([user({ allowedEndpoints: [OPENAI, CORP] }), file({ allowedEndpoints: [] })], trusted).endpoints, []);
    });

    it('workspace settings narrow them too, and both narrowings apply', () => {
      const policy = mergePolicies([user({ allowedEndpoints: [OPENAI, CORP, CLAUDE] }), workspace({ allowedEndpoints: ['openai', 'corp'] }), file({ allowedEndpoints: ['corp', 'claude'] })], trusted);
      assert.deepEqual(policy.endpoints, [CORP]);
    });

    it('a policy file naming an unknown id cannot add it (warning)', () => {
      const policy = mergePolicies([user({ allowedEndpoints: [OPENAI] }), file({ allowedEndpoints: ['openai', 'attacker'] })], trusted);
      assert.deepEqual(policy.endpoints, [OPENAI]);
      assert.equal(policy.warnings.length, 1);
      assert.ok(policy.warnings[0]?.includes('"attacker"') && policy.warnings[0].includes(FILE), policy.warnings[0]);
    });

    it('a policy file defining a new endpoint cannot add it (warning)', () => {
      const evil: Endpoint = { id: 'evil', provider: 'openai', baseUrl: 'https://collector.example/v1', model: 'm', trust: 'internal' };
      const policy = mergePolicies([user({ mode: 'cloud', allowedEndpoints: [OPENAI] }), file({ allowedEndpoints: [evil] })], trusted);
      assert.deepEqual(policy.endpoints, []);
      assert.ok(policy.warnings.some((warning) => warning.includes('"evil"')), policy.warnings.join('\n'));
    });

    it('a policy file redefining an endpoint (another baseUrl, trust) cannot change it (warning); the user\'s URL and trust stay', () => {
      const redefined: Endpoint = { ...OPENAI, baseUrl: 'https://collector.example/v1', trust: 'internal', model: 'other' };
      const policy = mergePolicies([user({ allowedEndpoints: [OPENAI, CORP] }), file({ allowedEndpoints: [redefined] })], trusted);
      assert.deepEqual(policy.endpoints, [OPENAI]);
      assert.equal(policy.endpoints[0]?.baseUrl, 'https://api.openai.com/v1');
      assert.equal(policy.endpoints[0]?.trust, 'external');
      assert.equal(policy.warnings.length, 1);
      assert.ok(policy.warnings[0]?.includes('redefines') && policy.warnings[0].includes('"openai"') && policy.warnings[0].includes(FILE), policy.warnings[0]);
    });

    it('takes the machine\'s endpoints when the user lists none', () => {
      const policy = mergePolicies([machine({ allowedEndpoints: [CORP, CLAUDE] }), user({})], trusted);
      assert.deepEqual(policy.endpoints, [CORP, CLAUDE]);
    });

    it('lets the user only narrow the machine\'s endpoints', () => {
      const policy = mergePolicies([machine({ allowedEndpoints: [CORP, CLAUDE] }), user({ allowedEndpoints: ['claude', OPENAI] })], trusted);
      assert.deepEqual(policy.endpoints, [CLAUDE]);
      assert.ok(policy.warnings.some((warning) => warning.includes('"openai"') && warning.includes(USER)), policy.warnings.join('\n'));
    });

    it('keeps the machine\'s URL and trust when the user redefines one of its endpoints', () => {
      const policy = mergePolicies([machine({ allowedEndpoints: [CORP] }), user({ allowedEndpoints: [{ ...CORP, baseUrl: 'https://elsewhere.example', trust: 'external' }] })], trusted);
      assert.deepEqual(policy.endpoints, [CORP]);
    });

    it('an empty machine list allows no endpoint, whatever the user defines', () => {
      const policy = mergePolicies([machine({ allowedEndpoints: [] }), user({ allowedEndpoints: [OPENAI] })], trusted);
      assert.deepEqual(policy.endpoints, []);
    });

    it('a policy file narrows the machine\'s endpoints as well', () => {
      const policy = mergePolicies([machine({ allowedEndpoints: [CORP, CLAUDE] }), user({}), file({ allowedEndpoints: ['corp'] })], trusted);
      assert.deepEqual(policy.endpoints, [CORP]);
    });
  });

  describe('internalServesSimple', () => {
    it('is off unless a source turns it on', () => {
      assert.equal(mergePolicies([user({})], trusted).internalServesSimple, false);
      assert.equal(mergePolicies([user({ internalServesSimple: true })], trusted).internalServesSimple, true);
    });

    it('the machine decides when it says anything', () => {
      assert.equal(mergePolicies([machine({ internalServesSimple: false }), user({ internalServesSimple: true }), file({ internalServesSimple: true })], trusted).internalServesSimple, false);
      assert.equal(mergePolicies([machine({ internalServesSimple: true }), user({ internalServesSimple: false })], trusted).internalServesSimple, true);
    });

    it('workspace settings cannot turn it on', () => {
      assert.equal(mergePolicies([user({}), workspace({ internalServesSimple: true })], trusted).internalServesSimple, false);
    });
  });

  describe('an untrusted workspace', () => {
    const everything: PartialPolicy = {
      excludeFromAI: ['ws-exclude/**'],
      neverSend: ['ws-never/**'],
      allowedEndpoints: ['corp'],
      internalServesSimple: true,
    };

    it('is local, with a modeSource that names Workspace Trust', () => {
      for (const mode of ['ask', 'cloud'] as const) {
        const policy = mergePolicies([user({ mode, allowedEndpoints: [OPENAI, CORP] })], untrusted);
        assert.equal(policy.mode, 'local');
        assert.ok(policy.modeSource.includes('Workspace Trust'), policy.modeSource);
        assert.equal(policy.trusted, false);
      }
    });

    it('keeps the source that set local when the policy was local anyway', () => {
      assert.equal(mergePolicies([user({ mode: 'cloud' }), workspace({ mode: 'local' })], untrusted).modeSource, WORKSPACE);
      assert.equal(mergePolicies([user({ mode: 'local' })], untrusted).modeSource, USER);
    });

    for (const make of [workspace, file]) {
      const label = make === workspace ? WORKSPACE : FILE;

      it(`ignores ${label}: its excludes, neverSend, endpoints and internalServesSimple, with a warning`, () => {
        const policy = mergePolicies([user({ mode: 'cloud', allowedEndpoints: [OPENAI, CORP] }), make(everything)], untrusted);
        assert.deepEqual(globsOf(policy.excludeFromAI), DEFAULT_EXCLUDE_FROM_AI);
        assert.deepEqual(globsOf(policy.neverSend), DEFAULT_NEVER_SEND);
        assert.deepEqual(policy.endpoints, [OPENAI, CORP], 'the narrowing is ignored, not applied');
        assert.equal(policy.internalServesSimple, false);
        assert.equal(policy.warnings.length, 1);
        assert.ok(policy.warnings[0]?.includes(label) && policy.warnings[0].includes('not trusted'), policy.warnings[0]);
      });

      it(`warns about the ${label} for each ignored field alone`, () => {
        for (const [key, value] of Object.entries(everything)) {
          const policy = mergePolicies([user({}), make({ [key]: value })], untrusted);
          assert.equal(policy.warnings.length, 1, key);
        }
        assert.equal(mergePolicies([user({}), make({ internalServesSimple: false })], untrusted).warnings.length, 1, 'internalServesSimple: false');
      });

      it(`still applies what only tightens in the ${label}: mode, offline, maxBytesPerRequest, redactSecrets`, () => {
        const policy = mergePolicies([user({ mode: 'cloud', redactSecrets: false }), make({ mode: 'local', offline: true, maxBytesPerRequest: 1_234, redactSecrets: true })], untrusted);
        assert.equal(policy.mode, 'local');
        assert.equal(policy.modeSource, label);
        assert.equal(policy.redactSecrets, true);
        assert.equal(policy.offline, true);
        assert.equal(policy.maxBytesPerRequest, 1_234);
        assert.deepEqual(policy.warnings, []);
      });
    }

    it('does not warn when the workspace chose nothing it ignores', () => {
      assert.deepEqual(mergePolicies([user({ mode: 'cloud' }), workspace({ mode: 'ask' }), file({ offline: false })], untrusted).warnings, []);
    });

    it('keeps the user\'s and the machine\'s own choices', () => {
      const policy = mergePolicies([machine({ neverSend: ['m/**'] }), user({ excludeFromAI: ['u/**'], internalServesSimple: true, allowedEndpoints: [CORP] })], untrusted);
      assert.deepEqual(policy.excludeFromAI, [{ glob: 'u/**', source: USER }]);
      assert.ok(policy.neverSend.some(({ glob, source }) => glob === 'm/**' && source === MACHINE));
      assert.equal(policy.internalServesSimple, true);
      assert.deepEqual(policy.endpoints, [CORP]);
      assert.deepEqual(policy.warnings, []);
    });
  });

  describe('a trusted workspace', () => {
    it('a policy file may turn internalServesSimple on', () => {
      assert.equal(mergePolicies([user({}), file({ internalServesSimple: true })], trusted).internalServesSimple, true);
    });

    it('does not change the sources it is given', () => {
      const sources = [user({ mode: 'cloud', allowedEndpoints: [OPENAI, CORP] }), file({ allowedEndpoints: ['corp'], neverSend: ['x/**'] })];
      const copy = structuredClone(sources);
      mergePolicies(sources, trusted);
      mergePolicies(sources, untrusted);
      assert.deepEqual(sources, copy);
    });
  });
});
