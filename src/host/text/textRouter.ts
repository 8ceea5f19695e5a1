// Decides where each request for text goes: the task's complexity (from the one table) and the
// effective privacy policy, through the pure decision in common/policy.
import { decideRoute, type RouteDecision } from '../../common/policy/decideRoute';
import type { EffectivePolicy } from '../../common/policy/privacyPolicy';
import { taskInfo, type TaskComplexity, type TaskId } from '../../common/text/tasks';

export type Route = RouteDecision & { readonly complexity: TaskComplexity };

export class TextRouter {
  constructor(
    private readonly policy: () => EffectivePolicy,
    /** hearth.privacy.cloudEndpoint: the endpoint complex commands use ('' or undefined: the first allowed). */
    private readonly endpointChoice: () => string | undefined,
  ) {}

  route(task: TaskId): Route {
    const info = taskInfo(task);
    return { ...decideRoute(this.policy(), { complexity: info.complexity, cloudCapable: info.cloudCapable, endpointId: this.endpointChoice() || undefined }), complexity: info.complexity };
  }
}
