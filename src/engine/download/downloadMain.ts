// The download process: forked by the extension host (src/host/models/downloadWorker.ts) for one
// model file, it waits for a `start` message, downloads with node-llama-cpp's downloader
// (runDownload.ts), reports `progress`, then exactly one `done` or `failed`, and exits. A `cancel`
// message, or the host going away (a closed or reloaded window), stops it; what was downloaded is
// kept and the next download of the same file resumes from it.
//
// Why a process of its own: the extension host stays responsive (no native-speed writes or a
// multi-gigabyte hash on its event loop), node-llama-cpp (ESM) loads only here and in the model
// process, a download survives neither more nor less than it should (the process ends with it),
// and the environment it sees is chosen: no Hugging Face token or endpoint variables.
import { hostToDownloadMessage, isHuggingFaceEnvName, type DownloadToHostMessage } from '../../common/protocol/downloadProtocol';
import { runDownload } from './runDownload';

// Second lock on the token (the first is the host forking with a cleaned environment): drop any
// Hugging Face token or endpoint variable before node-llama-cpp could read one.
for (const name of Object.keys(process.env)) {
  if (isHuggingFaceEnvName(name)) delete process.env[name];
}

/** Exits if no `start` arrives: a process nobody talks to must not linger. */
const START_TIMEOUT_MS = 30_000;

const stop = new AbortController();
let running = false;
const idle = setTimeout(() => process.exit(2), START_TIMEOUT_MS);

function send(message: DownloadToHostMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || process.send === undefined) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

process.on('message', (raw: unknown) => {
  const parsed = hostToDownloadMessage.safeParse(raw);
  if (!parsed.success) {
    process.stderr.write(`download process: dropped a malformed message: ${parsed.error.message}\n`);
    return;
  }
  const message = parsed.data;
  if (message.type === 'cancel') {
    stop.abort();
    if (!running) process.exit(0);
    return;
  }
  if (running) return;
  running = true;
  clearTimeout(idle);
  void runDownload(message, { signal: stop.signal, progress: (progress) => void send(progress) })
    .then(send, async (error: unknown) => {
      await send({
        type: 'failed',
        code: 'internal',
        message: error instanceof Error ? error.message : String(error),
        contacted: true,
        receivedBytes: 0,
        partialKept: true,
        redirectedTo: null,
      });
    })
    // Sockets the downloader keeps alive would hold the process open: leave now.
    .finally(() => process.exit(0));
});

// The host is gone (window closed or reloaded): stop and keep the partial file for next time.
process.on('disconnect', () => {
  stop.abort();
  if (!running) process.exit(0);
});

// ipull starts some work it never awaits (its cancel on abort); a stray rejection must not kill the
// process before it reports.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`download process: unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}\n`);
});
