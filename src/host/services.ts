// What activate() builds once and hands to each area's registerX(context, services).
import type * as vscode from 'vscode';
import type { EngineClient } from './engine/engineClient';
import type { EngineSupervisor } from './engine/engineSupervisor';
import type { PrivacyArea } from './privacy/registerPrivacy';
import type { TextService } from './text/textService';

export interface Services {
  readonly log: vscode.LogOutputChannel;
  /** The model process's lifecycle and state (status bar, panels that show loading). */
  readonly engine: EngineSupervisor;
  /** Machine facts from the model process (GPU, header estimates) for the model list; text goes through `text`. */
  readonly engineClient: EngineClient;
  /** The one way features ask for text. */
  readonly text: TextService;
  /** The effective policy, the one gate (what may be read, what may leave), the ledger. */
  readonly privacy: PrivacyArea;
  /** Shows an engine error with the action that fixes it (choose a model, restart, show log). */
  readonly presentError: (error: unknown) => void;
}

/** Wraps a command so that a failure is logged and shown, never thrown into VS Code. */
export function withErrors<A extends unknown[], R>(services: Pick<Services, 'log' | 'presentError'>, command: (...args: A) => Promise<R>) {
  return async (...args: A): Promise<R | undefined> => {
    try {
      return await command(...args);
    } catch (error) {
      services.log.error(error instanceof Error ? error.message : String(error));
      services.presentError(error);
      return undefined;
    }
  };
}
