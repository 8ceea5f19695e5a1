// Errors the host sees from the model process, each with a kind the UI turns into words and actions.
import type { EngineErrorKind } from '../../common/protocol/engineProtocol';

export type HostEngineErrorKind = EngineErrorKind | 'crashed' | 'unavailable' | 'noModel' | 'protocol' | 'needsConfirmation';

export class EngineRequestError extends Error {
  constructor(
    readonly kind: HostEngineErrorKind,
    message: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'EngineRequestError';
  }
}

/** True for errors that concern the model file, so the UI offers to choose another. */
export function isModelFileError(error: unknown): error is EngineRequestError {
  return (
    error instanceof EngineRequestError &&
    (error.kind === 'modelNotFound' || error.kind === 'notGguf' || error.kind === 'corruptModel' || error.kind === 'modelTooLarge' || error.kind === 'noModel')
  );
}
