// The route decision (local, cloud with consent, or refused), checked over every combination of
// mode, where the mode is set, Workspace Trust, endpoint trust, the requested endpoint,
// complexity, internalServesSimple and offline. The expected value comes from the written rules,
// never from the code under test; the task table the router reads is checked here too.
import assert from 'node:assert/strict';
import { decideRoute, type RouteDecision, type RouteQuery } from '../../src/common/policy/decideRoute';
import { mergePolicies } from '../../src/common/policy/mergePolicies';
import { DEFAULT_POLICY, type EffectivePolicy, type Endpoint, type PolicySource, type PrivacyMode } from '../../src/common/policy/privacyPolicy';
import { complexityOf, taskComplexity, taskInfo, tasks, type TaskId } from '../../src/common/text/tasks';

const LABEL = {
  machine: '/etc/hearth/policy.json',
  user: 'User settings',
  workspaceSettings: 'Workspace settings',
  policyFile: '.hearth/policy.json',
} as const;
type Where = keyof typeof LABEL;

const INTERNAL: Endpoint = { id: 'corp', provider: 'openai', baseUrl: 'https://llm.corp.example/v1', model: 'corp-coder', trust: 'internal' };
const EXTERNAL: Endpoint = { id: 'public', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', model: 'claude-x', trust: 'external' };
const UNKNOWN_ID = 'rogue';

// ------------------------------------------------------------------------------------------
// The expected value, written from the rules alone.
// ------------------------------------------------------------------------------------------

const STRICTNESS: readonly PrivacyMode[] = ['local', 'ask', 'cloud']; // most restrictive first
const AUTHORITY: readonly Where[] = ['machine', 'user', 'workspaceSettings', 'policyFile'];

interface Row {
  readonly mode: PrivacyMode;
  /** Where `mode` is set. */
  readonly where: Where;
  /** The user's own mode when `mode` is set elsewhere (undefined: the user set none). */
  readonly userMode?: PrivacyMode;
  readonly trusted: boolean;
  readonly endpoint: 'internal' | 'external' | 'none';
  /** Which endpoint the command asks for: the default (first allowed), the configured one by id, or an id nobody defines. */
  readonly request: 'default' | 'configured' | 'unknown';
  readonly task: { readonly name: string; readonly complexity: 'simple' | 'complex'; readonly cloudCapable: boolean };
  readonly internalServesSimple: boolean;
  readonly offline: boolean;
}

type Expected =
  | { readonly backend: 'local'; readonly notice?: readonly string[] }
  | { readonly backend: 'cloud'; readonly endpoint: Endpoint; readonly consent: 'ask' | 'policy' }
  | { readonly backend: 'refused'; readonly mentions: string };

interface ExpectedRoute {
  readonly mode: PrivacyMode;
  /** The exact modeSource, or a fragment of it (Workspace Trust). */
  readonly modeSource: string | { readonly includes: string };
  readonly decision: Expected;
}

function expectedRoute(row: Row): ExpectedRoute {
  // Effective mode: the most restrictive of the user's (local when unset) and every other source's.
  const set: Partial<Record<Where, PrivacyMode>> = { [row.where]: row.mode };
  if (row.where !== 'user' && row.userMode !== undefined) set.user = row.userMode;
  const candidates = [set.user ?? 'local', ...Object.values(set)];
  const merged = STRICTNESS.find((mode) => candidates.includes(mode)) ?? 'local';
  // The most authoritative source that says it; "default" when only the user's unset default does.
  const mergedSource = AUTHORITY.find((where) => set[where] === merged);
  let mode = merged;
  let modeSource: ExpectedRoute['modeSource'] = mergedSource ? LABEL[mergedSource] : 'default';
  if (!row.trusted && merged !== 'local') {
    mode = 'local';
    modeSource = { includes: 'Workspace Trust' };
  }

  const endpoints = row.endpoint === 'internal' ? [INTERNAL] : row.endpoint === 'external' ? [EXTERNAL] : [];
  const requested = requestedId(row);
  const chosen = requested === undefined ? endpoints[0] : endpoints.find((endpoint) => endpoint.id === requested);

  if (row.task.complexity === 'simple') {
    const internalServes =
      mode === 'cloud' && row.internalServesSimple && row.trusted && !row.offline && chosen?.trust === 'internal' && row.task.cloudCapable;
    return { mode, modeSource, decision: internalServes && chosen ? { backend: 'cloud', endpoint: chosen, consent: 'policy' } : { backend: 'local' } };
  }

  let decision: Expected;
  if (row.offline) decision = { backend: 'local', notice: ['offline'] };
  else if (!row.trusted) decision = { backend: 'local', notice: ['not trusted'] };
  else if (mode === 'local') decision = { backend: 'local', notice: ['"local"', typeof modeSource === 'string' ? modeSource : modeSource.includes] };
  else if (requested !== undefined && chosen === undefined) decision = { backend: 'refused', mentions: `"${requested}"` };
  else if (chosen === undefined) decision = { backend: 'local', notice: ['endpoint'] };
  else decision = { backend: 'cloud', endpoint: chosen, consent: mode === 'ask' ? 'ask' : 'policy' };
  return { mode, modeSource, decision };
}

function requestedId(row: Row): string | undefined {
  if (row.request === 'unknown') return UNKNOWN_ID;
  if (row.request === 'configured') return row.endpoint === 'internal' ? INTERNAL.id : EXTERNAL.id;
  return undefined;
}

// ------------------------------------------------------------------------------------------
// The input the code under test gets: policy sources as the host reads them, and a query.
// ------------------------------------------------------------------------------------------

function sourcesOf(row: Row): PolicySource[] {
  const endpoints = row.endpoint === 'internal' ? [INTERNAL] : row.endpoint === 'external' ? [EXTERNAL] : undefined;
  const userMode = row.where === 'user' ? row.mode : row.userMode;
  const sources: PolicySource[] = [
    {
      kind: 'user',
      label: LABEL.user,
      policy: {
        ...(userMode === undefined ? {} : { mode: userMode }),
        ...(endpoints === undefined ? {} : { allowedEndpoints: endpoints }),
        internalServesSimple: row.internalServesSimple,
        offline: row.offline,
      },
    },
  ];
  if (row.where !== 'user') sources.push({ kind: row.where, label: LABEL[row.where], policy: { mode: row.mode } });
  return sources;
}

const TASKS: readonly Row['task'][] = [
  { name: 'simple, cloud-capable', complexity: 'simple', cloudCapable: true },
  { name: 'simple, local-only', complexity: 'simple', cloudCapable: false },
  { name: 'complex', complexity: 'complex', cloudCapable: true },
];

function* rows(): Generator<Row> {
  const placements: Array<Pick<Row, 'mode' | 'where' | 'userMode'>> = [];
  for (const mode of STRICTNESS) {
    placements.push({ mode, where: 'user' });
    for (const where of ['workspaceSettings', 'policyFile', 'machine'] as const) {
      placements.push({ mode, where }); // the user set no mode: their default is local
      placements.push({ mode, where, userMode: 'cloud' }); // the user allows the most
    }
  }
  for (const placement of placements) {
    for (const trusted of [true, false]) {
      for (const endpoint of ['internal', 'external', 'none'] as const) {
        for (const request of ['default', 'configured', 'unknown'] as const) {
          if (endpoint === 'none' && request === 'configured') continue;
          for (const task of TASKS) {
            for (const internalServesSimple of [true, false]) {
              for (const offline of [true, false]) yield { ...placement, trusted, endpoint, request, task, internalServesSimple, offline };
            }
          }
        }
      }
    }
  }
}

function describeRow(row: Row): string {
  const where = row.where === 'user' ? 'user' : `${row.where} (user ${row.userMode ?? 'unset'})`;
  return [
    `mode ${row.mode} in ${where}`,
    row.trusted ? 'trusted' : 'untrusted',
    `endpoint ${row.endpoint}`,
    `request ${row.request}`,
    row.task.name,
    `internalServesSimple ${row.internalServesSimple ? 'on' : 'off'}`,
    `offline ${row.offline ? 'on' : 'off'}`,
  ].join(', ');
}

function assertDecision(actual: RouteDecision, expected: Expected, context: string) {
  assert.equal(actual.backend, expected.backend, `${context}: ${JSON.stringify(actual)}`);
  if (expected.backend === 'cloud' && actual.backend === 'cloud') {
    assert.deepEqual(actual.endpoint, expected.endpoint, context);
    assert.equal(actual.consent, expected.consent, context);
  } else if (expected.backend === 'local' && actual.backend === 'local') {
    if (expected.notice === undefined) {
      assert.equal(actual.keptLocal, undefined, `${context}: a simple command gets no notice`);
    } else {
      assert.ok(actual.keptLocal, `${context}: a complex command kept local needs a notice`);
      for (const fragment of expected.notice) assert.ok(actual.keptLocal.includes(fragment), `${context}: notice ${JSON.stringify(actual.keptLocal)} lacks ${JSON.stringify(fragment)}`);
      assert.ok(actual.keptLocal.includes('local model'), `${context}: the notice says where the command ran`);
    }
  } else if (expected.backend === 'refused' && actual.backend === 'refused') {
    assert.ok(actual.reason.includes(expected.mentions), `${context}: ${JSON.stringify(actual.reason)} does not name ${expected.mentions}`);
  }
}

describe('decideRoute', () => {
  describe('every combination of mode, source, trust, endpoint, request, complexity, internalServesSimple and offline', () => {
    const all = [...rows()];

    it('covers the whole table', () => {
      // 21 mode placements × 2 trust × 8 endpoint/request pairs × 3 tasks × 2 × 2.
      assert.equal(all.length, 21 * 2 * 8 * 3 * 2 * 2);
      const backends = new Set(all.map((row) => expectedRoute(row).decision.backend));
      assert.deepEqual([...backends].sort(), ['cloud', 'local', 'refused']);
    });

    // One test per mode placement and trust state (42), each checking its 96 rows, so a failure
    // names the row and the output stays readable.
    const groups = new Map<string, Row[]>();
    for (const row of all) {
      const key = describeRow(row).split(', ').slice(0, 2).join(', ');
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    for (const [key, group] of groups) {
      it(`${key}: ${group.length} combinations of endpoint, request, task, internalServesSimple and offline`, () => {
        for (const row of group) {
          const expected = expectedRoute(row);
          const policy = mergePolicies(sourcesOf(row), { trusted: row.trusted });
          const name = describeRow(row);
          assert.equal(policy.mode, expected.mode, `effective mode: ${name}`);
          if (typeof expected.modeSource === 'string') assert.equal(policy.modeSource, expected.modeSource, `modeSource: ${name}`);
          else assert.ok(policy.modeSource.includes(expected.modeSource.includes), `modeSource ${policy.modeSource}: ${name}`);
          const query: RouteQuery = { complexity: row.task.complexity, cloudCapable: row.task.cloudCapable, endpointId: requestedId(row) };
          assertDecision(decideRoute(policy, query), expected.decision, name);
        }
      });
    }
  });

  describe('single cases', () => {
    const policy = (overrides: Partial<EffectivePolicy>): EffectivePolicy => ({ ...DEFAULT_POLICY, ...overrides });
    const SECOND: Endpoint = { ...INTERNAL, id: 'corp-2', baseUrl: 'https://llm2.corp.example/v1' };
    const complex: RouteQuery = { complexity: 'complex', cloudCapable: true };
    const simple: RouteQuery = { complexity: 'simple', cloudCapable: true };

    it('runs everything locally under the default policy, with a notice for complex commands', () => {
      assert.deepEqual(decideRoute(DEFAULT_POLICY, simple), { backend: 'local', reason: 'simple commands run on the local model' });
      const decision = decideRoute(DEFAULT_POLICY, complex);
      assert.equal(decision.backend, 'local');
      assert.ok(decision.backend === 'local' && decision.keptLocal?.includes('set by default'), JSON.stringify(decision));
    });

    it('uses the first allowed endpoint when none is chosen, and the chosen one by id', () => {
      const p = policy({ mode: 'cloud', modeSource: 'User settings', endpoints: [EXTERNAL, SECOND] });
      const first = decideRoute(p, complex);
      assert.ok(first.backend === 'cloud' && first.endpoint === EXTERNAL, JSON.stringify(first));
      const chosen = decideRoute(p, { ...complex, endpointId: SECOND.id });
      assert.ok(chosen.backend === 'cloud' && chosen.endpoint === SECOND, JSON.stringify(chosen));
      assert.ok(chosen.backend === 'cloud' && chosen.reason.includes('User settings'), 'the reason names where mode cloud came from');
    });

    it('treats an empty endpoint choice as no choice', () => {
      const decision = decideRoute(policy({ mode: 'ask', endpoints: [INTERNAL] }), { ...complex, endpointId: '' });
      assert.ok(decision.backend === 'cloud' && decision.endpoint === INTERNAL && decision.consent === 'ask', JSON.stringify(decision));
    });

    it('refuses an endpoint that is not allowed, naming it and the allowed ones', () => {
      const decision = decideRoute(policy({ mode: 'cloud', endpoints: [INTERNAL, SECOND] }), { ...complex, endpointId: 'elsewhere' });
      assert.equal(decision.backend, 'refused');
      assert.ok(decision.reason.includes('"elsewhere"') && decision.reason.includes('corp, corp-2'), decision.reason);
      assert.ok(decision.reason.includes('nothing was sent'), decision.reason);
    });

    it('says "none" when a refused endpoint meets an empty list', () => {
      const decision = decideRoute(policy({ mode: 'ask' }), { ...complex, endpointId: 'x' });
      assert.equal(decision.backend, 'refused');
      assert.ok(decision.reason.includes('(none)'), decision.reason);
    });

    it('keeps a complex command that no cloud API can do on the local model, without a notice', () => {
      const decision = decideRoute(policy({ mode: 'cloud', endpoints: [EXTERNAL] }), { complexity: 'complex', cloudCapable: false });
      assert.deepEqual(decision, { backend: 'local', reason: 'this task needs the local model' });
    });

    it('never lets an external endpoint serve a simple command', () => {
      const p = policy({ mode: 'cloud', internalServesSimple: true, endpoints: [EXTERNAL, INTERNAL] });
      assert.equal(decideRoute(p, simple).backend, 'local'); // the default (first) endpoint is external
      assert.equal(decideRoute(p, { ...simple, endpointId: EXTERNAL.id }).backend, 'local');
      const internal = decideRoute(p, { ...simple, endpointId: INTERNAL.id });
      assert.ok(internal.backend === 'cloud' && internal.endpoint === INTERNAL && internal.consent === 'policy', JSON.stringify(internal));
    });

    it('lets an internal endpoint serve simple commands only in mode cloud', () => {
      for (const mode of ['local', 'ask'] as const) {
        assert.equal(decideRoute(policy({ mode, internalServesSimple: true, endpoints: [INTERNAL] }), simple).backend, 'local', mode);
      }
    });
  });
});

describe('tasks', () => {
  const ids = Object.keys(tasks) as TaskId[];
  const COMPLEX: readonly TaskId[] = ['askCloud', 'explainInDepth', 'generateTests', 'refactor'];
  const LOCAL_ONLY: readonly TaskId[] = ['completion', 'tryModel'];

  it('lists the known tasks', () => {
    assert.deepEqual(
      [...ids].sort(),
      ['askCloud', 'chat', 'completion', 'explain', 'explainInDepth', 'generateTests', 'refactor', 'rewrite', 'summarize', 'tryModel'],
    );
  });

  it('gives every task a distinct, non-empty title', () => {
    for (const id of ids) assert.ok(taskInfo(id).title.trim().length > 0, id);
    assert.equal(new Set(ids.map((id) => taskInfo(id).title)).size, ids.length);
  });

  for (const id of ['askCloud', 'explainInDepth', 'generateTests', 'refactor', 'completion', 'chat', 'summarize', 'rewrite', 'explain', 'tryModel'] as const) {
    const complexity = COMPLEX.includes(id) ? 'complex' : 'simple';
    const cloudCapable = !LOCAL_ONLY.includes(id);
    it(`${id} is ${complexity}${cloudCapable ? '' : ' and not cloud-capable'}`, () => {
      assert.equal(complexityOf(id), complexity);
      assert.equal(taskComplexity[id], complexity);
      assert.equal(taskInfo(id).complexity, complexity);
      assert.equal(taskInfo(id).cloudCapable, cloudCapable);
    });
  }

  it('keeps the complexity column in step with the table', () => {
    assert.deepEqual(Object.keys(taskComplexity).sort(), [...ids].sort());
  });
});
