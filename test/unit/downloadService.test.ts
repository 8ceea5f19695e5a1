// The host's side of a model download, with a fake download process: the mirror setting, the
// privacy gate before anything starts, progress and cancellation relayed, what reaches the ledger;
// and the notification's wording (bytes, speed, time left).
import assert from 'node:assert/strict';
import type { DownloadEntry } from '../../src/common/policy/ledgerEntry';
import type { DownloadProgressMessage, DownloadToHostMessage, HostToDownloadMessage } from '../../src/common/protocol/downloadProtocol';
import { describeDownloadProgress, formatDuration, percentDone, TransferRate } from '../../src/host/models/downloadProgress';
import {
  downloadModelFile,
  ModelDownloadError,
  type CancellationLike,
  type ModelDownloadDeps,
  type ModelDownloadRequest,
} from '../../src/host/models/downloadService';
import type { DownloadWorker, DownloadWorkerExit } from '../../src/host/models/downloadWorker';
import { applyMirror, mirrorProblem } from '../../src/host/models/modelMirror';

const SHA = '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d';
const CATALOG_URL = 'https://huggingface.co/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf';

const request: ModelDownloadRequest = {
  url: CATALOG_URL,
  fileName: 'stories260K.gguf',
  directory: '/tmp/hearth-models',
  sha256: SHA,
  sizeBytes: 1_185_376,
};

/** A download process that records what it is sent and answers with a script. */
class FakeWorker implements DownloadWorker {
  readonly sent: HostToDownloadMessage[] = [];
  killed = false;
  private messageListeners: Array<(message: DownloadToHostMessage) => void> = [];
  private exitListeners: Array<(exit: DownloadWorkerExit) => void> = [];

  constructor(private readonly onSend: (worker: FakeWorker, message: HostToDownloadMessage) => void = () => undefined) {}

  send(message: HostToDownloadMessage): void {
    this.sent.push(message);
    this.onSend(this, message);
  }
  onMessage(listener: (message: DownloadToHostMessage) => void): void {
    this.messageListeners.push(listener);
  }
  onExit(listener: (exit: DownloadWorkerExit) => void): void {
    this.exitListeners.push(listener);
  }
  kill(): void {
    this.killed = true;
    this.exit({ code: null, signal: 'SIGKILL' });
  }
  emit(message: DownloadToHostMessage): void {
    for (const listener of this.messageListeners) listener(message);
  }
  exit(exit: DownloadWorkerExit = { code: 0, signal: null }): void {
    const listeners = this.exitListeners;
    this.exitListeners = [];
    for (const listener of listeners) listener(exit);
  }
}

const progress = (receivedBytes: number): DownloadProgressMessage => ({
  type: 'progress',
  phase: 'downloading',
  receivedBytes,
  totalBytes: 1_185_376,
  resumedFromBytes: 0,
  redirectedTo: null,
});

function doneWorker(overrides: Partial<Extract<DownloadToHostMessage, { type: 'done' }>> = {}): FakeWorker {
  return new FakeWorker((worker, message) => {
    if (message.type !== 'start') return;
    setImmediate(() => {
      worker.emit(progress(500_000));
      worker.emit({
        type: 'done',
        path: `${message.directory}/${message.fileName}`,
        sizeBytes: 1_185_376,
        sha256: SHA,
        sha256Verified: true,
        receivedBytes: 1_185_376,
        resumedFromBytes: 0,
        alreadyPresent: false,
        redirectedTo: null,
        ...overrides,
      });
      worker.exit();
    });
  });
}

/** A token whose cancel() fires its listeners, like VS Code's. */
function cancellation(): CancellationLike & { cancel(): void } {
  const listeners = new Set<() => void>();
  const token = {
    isCancellationRequested: false,
    onCancellationRequested(listener: () => void) {
      listeners.add(listener);
      return { dispose: () => void listeners.delete(listener) };
    },
    cancel() {
      token.isCancellationRequested = true;
      for (const listener of [...listeners]) listener();
    },
  };
  return token;
}

describe('downloadModelFile (fake download process)', () => {
  let ledger: DownloadEntry[];
  let started: FakeWorker[];
  const online = (): undefined => undefined;

  beforeEach(() => {
    ledger = [];
    started = [];
  });

  function deps(worker: () => FakeWorker, overrides: Partial<ModelDownloadDeps> = {}): ModelDownloadDeps {
    return {
      mayUseNetwork: online,
      startWorker: () => {
        const made = worker();
        started.push(made);
        return made;
      },
      ledger: { append: async (entry) => void ledger.push(entry) },
      now: () => new Date('2025-06-01T12:00:00.000Z'),
      ...overrides,
    };
  }

  it('refuses under an offline policy without starting anything', async () => {
    const asked: string[] = [];
    const error = await downloadModelFile(
      request,
      deps(doneWorker, {
        mayUseNetwork: (url) => {
          asked.push(url);
          return 'the privacy policy is offline';
        },
      }),
    ).catch((caught: unknown) => caught);
    assert.ok(error instanceof ModelDownloadError);
    assert.equal(error.code, 'offline');
    assert.match(error.message, /^Not downloading stories260K\.gguf: the privacy policy is offline\.$/);
    assert.deepEqual(asked, [CATALOG_URL]);
    assert.equal(started.length, 0);
    assert.deepEqual(ledger, []);
  });

  it('asks the gate about the mirrored URL, and sends that URL to the process', async () => {
    const asked: string[] = [];
    const result = await downloadModelFile(
      request,
      deps(doneWorker, {
        mirror: 'http://127.0.0.1:8080/hf/',
        mayUseNetwork: (url) => void asked.push(url),
      }),
    );
    const mirrored = 'http://127.0.0.1:8080/hf/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf';
    assert.deepEqual(asked, [mirrored]);
    const start = started[0]?.sent[0];
    assert.equal(start?.type, 'start');
    assert.equal(start?.type === 'start' ? start.url : undefined, mirrored);
    assert.equal(result.url, mirrored);
    assert.equal(result.mirrored, true);
    assert.equal(ledger[0]?.mirror, true);
    assert.equal(ledger[0]?.sourceHost, '127.0.0.1:8080');
  });

  it('refuses a mirror setting that is not an http(s) base URL, rather than fall back to Hugging Face', async () => {
    for (const mirror of ['ftp://mirror.example', 'mirror.example', 'https://user:pw@mirror.example', 'https://mirror.example/?x=1']) {
      const error = await downloadModelFile(request, deps(doneWorker, { mirror })).catch((caught: unknown) => caught);
      assert.ok(error instanceof ModelDownloadError, mirror);
      assert.equal(error.code, 'badRequest');
      assert.match(error.message, /hearth\.models\.mirror/);
    }
    assert.equal(started.length, 0);
  });

  it('relays progress, returns the result and writes one ledger line', async () => {
    const seen: number[] = [];
    const result = await downloadModelFile(request, deps(doneWorker, { onProgress: (update) => seen.push(update.receivedBytes) }));
    assert.deepEqual(seen, [500_000]);
    assert.equal(result.path, '/tmp/hearth-models/stories260K.gguf');
    assert.equal(result.sha256Verified, true);
    assert.deepEqual(ledger, [
      {
        v: 1,
        kind: 'download',
        time: '2025-06-01T12:00:00.000Z',
        url: CATALOG_URL,
        sourceHost: 'huggingface.co',
        mirror: false,
        fileName: 'stories260K.gguf',
        outcome: 'downloaded',
        bytes: 1_185_376,
        sizeBytes: 1_185_376,
        sha256: SHA,
        sha256Verified: true,
      },
    ]);
  });

  it('records the redirect host and a resumed start, and keeps a signed query string out of the ledger', async () => {
    await downloadModelFile(
      { ...request, url: `${CATALOG_URL}?download=true` },
      deps(() => doneWorker({ redirectedTo: 'https://cdn-lfs.hf.co', resumedFromBytes: 600_000, receivedBytes: 585_376 })),
    );
    assert.equal(ledger[0]?.url, CATALOG_URL);
    assert.equal(ledger[0]?.redirectHost, 'cdn-lfs.hf.co');
    assert.equal(ledger[0]?.resumedFromBytes, 600_000);
    assert.equal(ledger[0]?.bytes, 585_376);
  });

  it('writes nothing to the ledger for a file that was already there', async () => {
    const result = await downloadModelFile(request, deps(() => doneWorker({ alreadyPresent: true, receivedBytes: 0 })));
    assert.equal(result.alreadyPresent, true);
    assert.deepEqual(ledger, []);
  });

  it('turns a failure into an error with the process message, and records it when the network was reached', async () => {
    const failing = (contacted: boolean) => () =>
      new FakeWorker((worker, message) => {
        if (message.type !== 'start') return;
        setImmediate(() => {
          worker.emit({
            type: 'failed',
            code: contacted ? 'notFound' : 'diskSpace',
            message: contacted ? `the server answered HTTP 404 Not Found for ${message.url}` : 'not enough free disk space',
            contacted,
            receivedBytes: 0,
            partialKept: !contacted,
            redirectedTo: null,
          });
          worker.exit();
        });
      });
    const notFound = await downloadModelFile(request, deps(failing(true))).catch((caught: unknown) => caught);
    assert.ok(notFound instanceof ModelDownloadError);
    assert.equal(notFound.code, 'notFound');
    assert.equal(notFound.message, `Could not download stories260K.gguf: the server answered HTTP 404 Not Found for ${CATALOG_URL}`);
    assert.equal(ledger.length, 1);
    assert.equal(ledger[0]?.outcome, 'failed');
    assert.match(ledger[0]?.error ?? '', /404/);

    const disk = await downloadModelFile(request, deps(failing(false))).catch((caught: unknown) => caught);
    assert.ok(disk instanceof ModelDownloadError);
    assert.equal(disk.code, 'diskSpace');
    assert.equal(disk.partialKept, true);
    assert.equal(ledger.length, 1, 'a refusal that reached no network is not a download');
  });

  it('sends cancel when the token fires, and reports a cancelled download that keeps its partial file', async () => {
    const token = cancellation();
    const worker = new FakeWorker((self, message) => {
      if (message.type === 'start') setImmediate(() => self.emit(progress(100_000)));
      if (message.type === 'cancel') {
        setImmediate(() => {
          self.emit({ type: 'failed', code: 'cancelled', message: 'cancelled', contacted: true, receivedBytes: 100_000, partialKept: true, redirectedTo: null });
          self.exit();
        });
      }
    });
    const pending = downloadModelFile(request, deps(() => worker, { token, onProgress: () => token.cancel() }));
    const error = await pending.catch((caught: unknown) => caught);
    assert.ok(error instanceof ModelDownloadError);
    assert.equal(error.code, 'cancelled');
    assert.equal(error.partialKept, true);
    assert.match(error.message, /cancelled\. What was downloaded is kept: downloading it again continues from there\./);
    assert.deepEqual(
      worker.sent.map((message) => message.type),
      ['start', 'cancel'],
    );
    assert.equal(worker.killed, false);
    assert.equal(ledger[0]?.outcome, 'cancelled');
    assert.equal(ledger[0]?.bytes, 100_000);
  });

  it('kills a process that does not stop within the grace period after cancel', async () => {
    const token = cancellation();
    const worker = new FakeWorker((self, message) => {
      if (message.type === 'start') setImmediate(() => self.emit(progress(1)));
    });
    const error = await downloadModelFile(request, deps(() => worker, { token, cancelGraceMs: 20, onProgress: () => token.cancel() })).catch(
      (caught: unknown) => caught,
    );
    assert.equal(worker.killed, true);
    assert.ok(error instanceof ModelDownloadError);
    assert.equal(error.code, 'cancelled');
  });

  it('reports a process that dies without a result as crashed', async () => {
    const worker = new FakeWorker((self, message) => {
      if (message.type === 'start') setImmediate(() => self.exit({ code: 1, signal: null }));
    });
    const error = await downloadModelFile(request, deps(() => worker)).catch((caught: unknown) => caught);
    assert.ok(error instanceof ModelDownloadError);
    assert.equal(error.code, 'crashed');
    assert.match(error.message, /exited with code 1 before it finished/);
  });

  it('refuses a request the protocol would refuse, before starting anything', async () => {
    const error = await downloadModelFile({ ...request, fileName: '../evil.gguf' }, deps(doneWorker)).catch((caught: unknown) => caught);
    assert.ok(error instanceof ModelDownloadError);
    assert.equal(error.code, 'badRequest');
    assert.equal(started.length, 0);
  });
});

describe('hearth.models.mirror', () => {
  it('replaces the Hugging Face origin, keeping the path and query', () => {
    assert.deepEqual(applyMirror(`${CATALOG_URL}?download=true`, 'https://hf-mirror.example.com'), {
      url: 'https://hf-mirror.example.com/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf?download=true',
      mirrored: true,
    });
    assert.equal(applyMirror('https://hf.co/a/b/resolve/main/x.gguf', 'http://10.0.0.5:8080/hf/').url, 'http://10.0.0.5:8080/hf/a/b/resolve/main/x.gguf');
  });

  it('leaves other hosts and an empty setting alone', () => {
    assert.deepEqual(applyMirror('https://example.com/x.gguf', 'https://mirror.example'), { url: 'https://example.com/x.gguf', mirrored: false });
    assert.deepEqual(applyMirror(CATALOG_URL, '  '), { url: CATALOG_URL, mirrored: false });
  });

  it('explains what is wrong with a setting', () => {
    assert.equal(mirrorProblem(''), undefined);
    assert.equal(mirrorProblem('https://mirror.example/hf'), undefined);
    assert.match(mirrorProblem('mirror.example') ?? '', /not a URL/);
    assert.match(mirrorProblem('ftp://mirror.example') ?? '', /https:\/\/ or http:\/\//);
    assert.throws(() => applyMirror(CATALOG_URL, 'ftp://x'), /hearth\.models\.mirror is not usable/);
  });
});

describe('download progress wording', () => {
  it('measures speed over a sliding window and starts over when the count goes down', () => {
    const rate = new TransferRate(5_000);
    rate.sample(0, 0);
    assert.equal(rate.bytesPerSecond(), undefined);
    rate.sample(1_000_000, 1_000);
    assert.equal(rate.bytesPerSecond(), 1_000_000);
    rate.sample(500, 1_500);
    assert.equal(rate.bytesPerSecond(), undefined);
  });

  it('says bytes of total, percent, speed, time left, resume and source', () => {
    const line = describeDownloadProgress(
      { type: 'progress', phase: 'downloading', receivedBytes: 120_000_000, totalBytes: 400_000_000, resumedFromBytes: 100_000_000, redirectedTo: 'https://cdn-lfs.hf.co' },
      5_000_000,
      'huggingface.co',
    );
    assert.equal(line, '120 MB of 400 MB (30%) · 5 MB/s · about 56 s left · resumed at 100 MB · from huggingface.co via cdn-lfs.hf.co');
    assert.equal(describeDownloadProgress({ ...progress(0), phase: 'connecting' }, undefined, 'mirror.example'), 'Connecting to mirror.example…');
    assert.equal(describeDownloadProgress({ ...progress(592_688), phase: 'verifying' }, undefined, 'h'), 'Checking the file (50%)…');
    assert.equal(describeDownloadProgress({ ...progress(2_000), totalBytes: null }, undefined, 'h'), '2 kB · from h');
  });

  it('formats durations and percent', () => {
    assert.equal(formatDuration(0.2), '1 s');
    assert.equal(formatDuration(59), '59 s');
    assert.equal(formatDuration(125), '2 min');
    assert.equal(formatDuration(3_900), '1 h 5 min');
    assert.equal(percentDone({ receivedBytes: 5, totalBytes: null }), undefined);
    assert.equal(percentDone({ receivedBytes: 5, totalBytes: 10 }), 50);
  });
});
