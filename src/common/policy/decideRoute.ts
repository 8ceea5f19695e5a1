// The mode decision: may this request leave the machine, and how? Pure, so a table test covers
// every combination of mode, trust, offline, endpoint trust and complexity.
import type { TaskComplexity } from '../text/tasks';
import type { EffectivePolicy, Endpoint } from './privacyPolicy';

export type RouteDecision =
  | {
      readonly backend: 'local';
      readonly reason: string;
      /** Set when a complex command was kept local: the notice the user sees. */
      readonly keptLocal?: string;
    }
  | {
      readonly backend: 'cloud';
      readonly endpoint: Endpoint;
      /** ask: the consent dialog must say yes first; policy: mode `cloud` (or an internal endpoint serving simple work) allows it. */
      readonly consent: 'ask' | 'policy';
      readonly reason: string;
    }
  | { readonly backend: 'refused'; readonly reason: string };

export interface RouteQuery {
  readonly complexity: TaskComplexity;
  /** Whether a chat-shaped cloud API can do the task at all (inline completions need fill-in-the-middle). */
  readonly cloudCapable: boolean;
  /** The endpoint the user chose (`hearth.privacy.cloudEndpoint`); the first allowed one when empty. */
  readonly endpointId?: string;
}

export function decideRoute(policy: EffectivePolicy, query: RouteQuery): RouteDecision {
  const chosen = query.endpointId ? policy.endpoints.find((endpoint) => endpoint.id === query.endpointId) : policy.endpoints[0];

  if (query.complexity === 'simple') {
    const internal =
      query.cloudCapable && policy.mode === 'cloud' && policy.internalServesSimple && !policy.offline && policy.trusted && chosen?.trust === 'internal';
    if (internal && chosen) return { backend: 'cloud', endpoint: chosen, consent: 'policy', reason: `the policy lets the internal endpoint "${chosen.id}" serve simple commands` };
    return { backend: 'local', reason: 'simple commands run on the local model' };
  }

  const keep = (why: string): RouteDecision => ({ backend: 'local', reason: why, keptLocal: `${why} This command ran on the local model.` });
  if (!query.cloudCapable) return { backend: 'local', reason: 'this task needs the local model' };
  if (policy.offline) return keep('The privacy policy is offline: nothing uses the network.');
  if (!policy.trusted) return keep('This workspace is not trusted, so the cloud model is off.');
  if (policy.mode === 'local') return keep(`The privacy policy (mode "local", set by ${policy.modeSource}) keeps files on this machine.`);
  if (query.endpointId && chosen === undefined) {
    return {
      backend: 'refused',
      reason: `The cloud endpoint "${query.endpointId}" is not in the allowed endpoints (${policy.endpoints.map((e) => e.id).join(', ') || 'none'}), so nothing was sent.`,
    };
  }
  if (chosen === undefined) return keep('No cloud endpoint is allowed (hearth.privacy.allowedEndpoints is empty).');
  return policy.mode === 'ask'
    ? { backend: 'cloud', endpoint: chosen, consent: 'ask', reason: 'mode "ask": the user decides' }
    : { backend: 'cloud', endpoint: chosen, consent: 'policy', reason: `mode "cloud" (set by ${policy.modeSource}) lets complex commands escalate` };
}
