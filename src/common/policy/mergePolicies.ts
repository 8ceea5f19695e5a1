// Merges the policy sources, most restrictive wins: a workspace (its settings or its committed
// policy file) can tighten what the user and the machine allow, never loosen it. Endpoints, their
// trust and keys come only from the user or the machine: a workspace may drop endpoints, never add
// one, or a hostile repository could send its reader's files to its own server.
import {
  DEFAULT_POLICY,
  MODE_RANK,
  type EffectivePolicy,
  type Endpoint,
  type PartialPolicy,
  type PolicySource,
  type PrivacyMode,
  type SourcedGlob,
} from './privacyPolicy';

export interface MergeOptions {
  /** Workspace Trust: an untrusted workspace runs locally and its file and endpoint choices are ignored. */
  readonly trusted: boolean;
}

const isWorkspace = (source: PolicySource) => source.kind === 'workspaceSettings' || source.kind === 'policyFile';

export function mergePolicies(sources: readonly PolicySource[], options: MergeOptions): EffectivePolicy {
  const warnings: string[] = [];
  const machine = sources.find((source) => source.kind === 'machine');
  const user = sources.find((source) => source.kind === 'user');
  // What each source may contribute: an untrusted workspace keeps only what can tighten.
  const effective: PolicySource[] = sources.map((source) => {
    if (options.trusted || !isWorkspace(source)) return source;
    const { excludeFromAI, neverSend, allowedEndpoints, internalServesSimple, ...rest } = source.policy;
    if (excludeFromAI || neverSend || allowedEndpoints || internalServesSimple !== undefined) {
      warnings.push(`${source.label}: the workspace is not trusted, so its file and endpoint choices are ignored.`);
    }
    return { ...source, policy: rest };
  });
  // The most authoritative source first, so that a tie in the mode names it.
  const ordered = [...effective].sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);

  return {
    ...mergeMode(ordered, user, options.trusted),
    excludeFromAI: unionGlobs(ordered, 'excludeFromAI', DEFAULT_POLICY.excludeFromAI),
    neverSend: unionGlobs(ordered, 'neverSend', DEFAULT_POLICY.neverSend),
    // On unless some source turns it off and none turns it on.
    redactSecrets: ordered.some((s) => s.policy.redactSecrets === true) || !ordered.some((s) => s.policy.redactSecrets === false),
    endpoints: mergeEndpoints(ordered, machine, user, warnings),
    internalServesSimple:
      machine?.policy.internalServesSimple ?? ordered.some((s) => s.kind !== 'workspaceSettings' && s.policy.internalServesSimple === true),
    maxBytesPerRequest: Math.min(DEFAULT_POLICY.maxBytesPerRequest, ...numbers(ordered, (p) => p.maxBytesPerRequest)),
    offline: ordered.some((s) => s.policy.offline === true),
    trusted: options.trusted,
    warnings,
  };
}

const ORDER: Readonly<Record<PolicySource['kind'], number>> = { machine: 0, user: 1, workspaceSettings: 2, policyFile: 3 };

function mergeMode(ordered: readonly PolicySource[], user: PolicySource | undefined, trusted: boolean): { mode: PrivacyMode; modeSource: string } {
  // The user's own default is `local`: a workspace asking for more cannot get it.
  // A source that sets the same mode as that unset default is named, not "default".
  let byDefault = user?.policy.mode === undefined;
  let best: { mode: PrivacyMode; modeSource: string } = user?.policy.mode === undefined ? { mode: 'local', modeSource: 'default' } : { mode: user.policy.mode, modeSource: user.label };
  for (const source of ordered) {
    const mode = source.policy.mode;
    if (mode === undefined) continue;
    if (MODE_RANK[mode] < MODE_RANK[best.mode] || (MODE_RANK[mode] === MODE_RANK[best.mode] && (source.kind === 'machine' || byDefault))) {
      best = { mode, modeSource: source.label };
      byDefault = false;
    }
  }
  if (!trusted && best.mode !== 'local') return { mode: 'local', modeSource: 'Workspace Trust (this workspace is not trusted)' };
  return best;
}

function unionGlobs(ordered: readonly PolicySource[], field: 'excludeFromAI' | 'neverSend', defaults: readonly SourcedGlob[]): SourcedGlob[] {
  const seen = new Set<string>();
  const globs: SourcedGlob[] = [];
  const add = (glob: string, source: string) => {
    const trimmed = glob.trim();
    if (trimmed.length === 0 || seen.has(trimmed)) return;
    seen.add(trimmed);
    globs.push({ glob: trimmed, source });
  };
  // The defaults are the user's: they apply unless the user's own setting replaces them.
  const userSets = ordered.some((s) => s.kind === 'user' && s.policy[field] !== undefined);
  if (!userSets) for (const { glob, source } of defaults) add(glob, source);
  for (const source of ordered) for (const glob of source.policy[field] ?? []) add(glob, source.label);
  return globs;
}

function mergeEndpoints(ordered: readonly PolicySource[], machine: PolicySource | undefined, user: PolicySource | undefined, warnings: string[]): Endpoint[] {
  const definitions = (source: PolicySource | undefined) => source?.policy.allowedEndpoints?.filter((e): e is Endpoint => typeof e !== 'string');
  const machineEndpoints = definitions(machine);
  let endpoints: Endpoint[] = machineEndpoints ?? definitions(user) ?? [];
  const narrow = (source: PolicySource) => {
    const entries = source.policy.allowedEndpoints;
    if (entries === undefined) return;
    const ids = new Set(entries.map((entry) => (typeof entry === 'string' ? entry : entry.id)));
    for (const entry of entries) {
      const id = typeof entry === 'string' ? entry : entry.id;
      if (!endpoints.some((endpoint) => endpoint.id === id)) {
        warnings.push(`${source.label} names the endpoint "${id}", which neither the user nor the machine defines; it is ignored (a workspace can remove endpoints, never add one).`);
      } else if (typeof entry !== 'string' && source.kind !== 'user') {
        warnings.push(`${source.label} redefines the endpoint "${id}"; only its name counts (URL, model and trust come from the user or the machine).`);
      }
    }
    endpoints = endpoints.filter((endpoint) => ids.has(endpoint.id));
  };
  // Where the machine defines the endpoints, the user's list can only narrow it.
  if (machineEndpoints !== undefined && user !== undefined) narrow(user);
  for (const source of ordered) if (isWorkspace(source)) narrow(source);
  return endpoints;
}

function numbers(ordered: readonly PolicySource[], pick: (policy: PartialPolicy) => number | undefined): number[] {
  return ordered.map((source) => pick(source.policy)).filter((value): value is number => value !== undefined);
}
