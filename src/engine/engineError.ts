// An error the model process reports to the host with a kind the host can act on.
import { ResponseError } from 'vscode-jsonrpc/node';
import { ENGINE_ERROR_CODE, type EngineErrorData, type EngineErrorKind } from '../common/protocol/engineProtocol';

export class EngineError extends Error {
  constructor(
    readonly kind: EngineErrorKind,
    message: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }

  toResponseError(): ResponseError<EngineErrorData> {
    const data: EngineErrorData = this.path === undefined ? { kind: this.kind } : { kind: this.kind, path: this.path };
    return new ResponseError(ENGINE_ERROR_CODE, this.message, data);
  }
}
