// The download process as the host sees it: forks `dist/download.mjs` like the model process
// (ELECTRON_RUN_AS_NODE=1, no inherited inspector flags), with the Hugging Face token and endpoint
// variables removed from its environment, and validates every message it sends.
import { fork } from 'node:child_process';
import {
  downloadProcessEnv,
  downloadToHostMessage,
  type DownloadToHostMessage,
  type HostToDownloadMessage,
} from '../../common/protocol/downloadProtocol';

export interface DownloadWorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** What the download service needs of the process; unit tests supply a fake. */
export interface DownloadWorker {
  send(message: HostToDownloadMessage): void;
  onMessage(listener: (message: DownloadToHostMessage) => void): void;
  /** Fires once, also when the process could not be started. */
  onExit(listener: (exit: DownloadWorkerExit) => void): void;
  kill(): void;
}

export interface ForkDownloadWorkerOptions {
  /** The environment to start from (process.env by default); Hugging Face variables are removed from it. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** stderr/stdout lines and dropped messages. */
  readonly log?: (level: 'debug' | 'warn', message: string) => void;
}

export function forkDownloadWorker(workerPath: string, options: ForkDownloadWorkerOptions = {}): DownloadWorker {
  const log = options.log ?? (() => undefined);
  const child = fork(workerPath, [], {
    env: { ...downloadProcessEnv(options.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  const messageListeners: Array<(message: DownloadToHostMessage) => void> = [];
  const exitListeners: Array<(exit: DownloadWorkerExit) => void> = [];
  let exited: DownloadWorkerExit | undefined;
  const fireExit = (exit: DownloadWorkerExit): void => {
    if (exited !== undefined) return;
    exited = exit;
    for (const listener of exitListeners) listener(exit);
  };

  child.on('message', (raw: unknown) => {
    const parsed = downloadToHostMessage.safeParse(raw);
    if (!parsed.success) {
      log('warn', `Dropped a malformed message from the download process: ${parsed.error.message}`);
      return;
    }
    for (const listener of messageListeners) listener(parsed.data);
  });
  child.stdout?.on('data', (chunk: Buffer) => log('debug', `download process: ${chunk.toString().trimEnd()}`));
  child.stderr?.on('data', (chunk: Buffer) => log('warn', `download process: ${chunk.toString().trimEnd()}`));
  child.on('error', (error) => {
    log('warn', `download process error: ${error.message}`);
    // A process that never started reports no exit of its own.
    if (child.pid === undefined) fireExit({ code: null, signal: null });
  });
  child.on('exit', (code, signal) => fireExit({ code, signal }));

  return {
    send: (message) => {
      if (child.connected) child.send(message);
    },
    onMessage: (listener) => void messageListeners.push(listener),
    onExit: (listener) => {
      if (exited !== undefined) listener(exited);
      else exitListeners.push(listener);
    },
    kill: () => {
      if (exited === undefined) child.kill('SIGKILL');
    },
  };
}
