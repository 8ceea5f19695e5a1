// Decides where each request for text goes. Today every task runs on the local model; the
// privacy policy issue adds the gate and the cloud backend here, behind the same decision, so
// no feature changes when it does. It reads each task's complexity from the one table.
import { complexityOf, type TaskComplexity, type TaskId } from '../../common/text/tasks';

export interface Route {
  readonly backend: 'local';
  readonly complexity: TaskComplexity;
  /** Why, for the log. */
  readonly reason: string;
}

export class TextRouter {
  route(task: TaskId): Route {
    const complexity = complexityOf(task);
    return {
      backend: 'local',
      complexity,
      reason: complexity === 'simple' ? 'simple tasks run on the local model' : 'no cloud model is configured; complex tasks run on the local model',
    };
  }
}
