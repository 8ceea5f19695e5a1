// The downloader against a real HTTP server on 127.0.0.1, so streaming, status codes, aborts and
// stalls go through Node's real fetch rather than a mock.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadModel, ModelDownloadError, type DownloadProgress } from '../fixtures/modelDownloader';

const CHUNK = 16 * 1024;
// Deterministic, non-repeating bytes, large enough to arrive in several chunks.
const BODY = Buffer.from(Array.from({ length: 256 * 1024 }, (_, index) => (index * 31 + (index >> 8)) & 0xff));
const BODY_SHA = createHash('sha256').update(BODY).digest('hex');
const WRONG_SHA = 'f'.repeat(64);
/** The privacy gate's answer when the policy allows network use. */
const online = (): string | undefined => undefined;
let requestCount = 0;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** Writes the body in chunks, yielding between them so the client sees real streaming. */
function sendInChunks(response: ServerResponse, body: Buffer, stopAfter = body.byteLength): void {
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.byteLength) });
  let offset = 0;
  const next = (): void => {
    if (response.destroyed) return;
    if (offset >= stopAfter) {
      if (stopAfter >= body.byteLength) response.end();
      return; // otherwise hold the connection open, sending nothing
    }
    const end = Math.min(offset + CHUNK, stopAfter);
    response.write(body.subarray(offset, end));
    offset = end;
    setTimeout(next, 2);
  };
  next();
}

const routes: Record<string, Handler> = {
  '/model.gguf': (_request, response) => sendInChunks(response, BODY),
  '/redirect': (_request, response) => {
    response.writeHead(302, { location: '/model.gguf' });
    response.end();
  },
  '/missing.gguf': (_request, response) => {
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not here');
  },
  '/broken.gguf': (_request, response) => {
    response.writeHead(500, { 'content-type': 'text/plain' });
    response.end('boom');
  },
  // Accepts the request and never answers: no status line, no bytes.
  '/silent.gguf': () => undefined,
  // Sends the headers and a quarter of the body, then keeps the socket open and sends nothing more.
  '/stalls-midway.gguf': (_request, response) => sendInChunks(response, BODY, BODY.byteLength / 4),
  // Sends everything slowly; the abort test cancels it midway.
  '/slow.gguf': (_request, response) => {
    response.writeHead(200, { 'content-length': String(BODY.byteLength) });
    let offset = 0;
    const timer = setInterval(() => {
      if (response.destroyed || offset >= BODY.byteLength) {
        clearInterval(timer);
        response.end();
        return;
      }
      response.write(BODY.subarray(offset, offset + 1024));
      offset += 1024;
    }, 20);
    response.on('close', () => clearInterval(timer));
  },
};

describe('downloadModel (real HTTP server)', function () {
  this.timeout(10_000);
  let server: Server;
  let base: string;
  let scratch: string;
  let destination: string;

  before(async () => {
    server = createServer((request, response) => {
      requestCount += 1;
      const handler = routes[request.url ?? ''];
      if (handler) handler(request, response);
      else {
        response.writeHead(404);
        response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'hearth-download-'));
    destination = join(scratch, 'models', 'model.gguf');
  });

  afterEach(async () => {
    // Held-open test connections would otherwise linger into the next test.
    server.closeAllConnections();
    await rm(scratch, { recursive: true, force: true });
  });

  async function expectDownloadError(promise: Promise<unknown>, code: string, message: RegExp): Promise<ModelDownloadError> {
    const error = await promise.then(
      () => assert.fail(`expected a ${code} error`),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof ModelDownloadError, `expected ModelDownloadError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    return error;
  }

  /** After a failure nothing may be left: no file at the destination and no .partial beside it. */
  async function assertNothingLeft(): Promise<void> {
    assert.equal(existsSync(destination), false, 'a file was left at the destination');
    assert.equal(existsSync(`${destination}.partial`), false, 'the .partial file was left behind');
  }

  it('downloads, verifies and renames into place, creating the folder', async () => {
    const result = await downloadModel({ mayUseNetwork: online, url: `${base}/model.gguf`, destination, sha256: BODY_SHA, sizeBytes: BODY.byteLength });
    assert.deepEqual(result, { path: destination, sizeBytes: BODY.byteLength, sha256: BODY_SHA });
    assert.ok((await readFile(destination)).equals(BODY));
    assert.deepEqual(await readdir(join(scratch, 'models')), ['model.gguf']);
  });

  it('follows redirects (Hugging Face answers /resolve/ with one) and accepts an upper-case sha256', async () => {
    await downloadModel({ mayUseNetwork: online, url: `${base}/redirect`, destination, sha256: BODY_SHA.toUpperCase() });
    assert.ok((await readFile(destination)).equals(BODY));
  });

  it('reports progress as the bytes arrive, ending at the total', async () => {
    const progress: DownloadProgress[] = [];
    await downloadModel({ mayUseNetwork: online,
      url: `${base}/model.gguf`,
      destination,
      sha256: BODY_SHA,
      onProgress: (update) => progress.push(update),
    });
    assert.ok(progress.length >= 3, `only ${progress.length} progress updates`);
    assert.deepEqual(progress[0], { receivedBytes: 0, totalBytes: BODY.byteLength });
    assert.deepEqual(progress.at(-1), { receivedBytes: BODY.byteLength, totalBytes: BODY.byteLength });
    for (let index = 1; index < progress.length; index++) {
      assert.ok(progress[index]!.receivedBytes > progress[index - 1]!.receivedBytes, 'progress must only grow');
    }
  });

  it('refuses a file whose sha256 does not match, saying expected and actual, and leaves nothing', async () => {
    const error = await expectDownloadError(
      downloadModel({ mayUseNetwork: online, url: `${base}/model.gguf`, destination, sha256: WRONG_SHA }),
      'checksum',
      new RegExp(`sha256 mismatch \\(expected ${WRONG_SHA}, actual ${BODY_SHA}\\)`),
    );
    assert.match(error.message, /model\.gguf/);
    await assertNothingLeft();
  });

  it('never touches an existing file at the destination when a download fails', async () => {
    await downloadModel({ mayUseNetwork: online, url: `${base}/model.gguf`, destination, sha256: BODY_SHA });
    await expectDownloadError(downloadModel({ mayUseNetwork: online, url: `${base}/model.gguf`, destination, sha256: WRONG_SHA }), 'checksum', /mismatch/);
    assert.ok((await readFile(destination)).equals(BODY));
  });

  it('reports HTTP 404 with the status and the URL', async () => {
    const url = `${base}/missing.gguf`;
    await expectDownloadError(downloadModel({ mayUseNetwork: online, url, destination, sha256: BODY_SHA }), 'http', new RegExp(`${escape(url)} failed: HTTP 404 Not Found`));
    await assertNothingLeft();
  });

  it('reports HTTP 500 with the status and the URL', async () => {
    const url = `${base}/broken.gguf`;
    await expectDownloadError(
      downloadModel({ mayUseNetwork: online, url, destination, sha256: BODY_SHA }),
      'http',
      new RegExp(`${escape(url)} failed: HTTP 500 Internal Server Error`),
    );
    await assertNothingLeft();
  });

  it('refuses a size the server announces differently from the catalog, before downloading', async () => {
    await expectDownloadError(
      downloadModel({ mayUseNetwork: online, url: `${base}/model.gguf`, destination, sha256: BODY_SHA, sizeBytes: 1234 }),
      'size',
      /announces 262144 bytes, expected 1234/,
    );
    await assertNothingLeft();
  });

  it('cancels midway through on abort and removes the partial file', async () => {
    const controller = new AbortController();
    let seen = 0;
    await expectDownloadError(
      downloadModel({ mayUseNetwork: online,
        url: `${base}/slow.gguf`,
        destination,
        sha256: BODY_SHA,
        signal: controller.signal,
        onProgress: ({ receivedBytes }) => {
          seen = receivedBytes;
          // Abort once some bytes are on disk, so there is a partial file to clean up.
          if (receivedBytes >= 4096) controller.abort();
        },
      }),
      'aborted',
      /was cancelled/,
    );
    assert.ok(seen >= 4096 && seen < BODY.byteLength, `aborted after ${seen} bytes`);
    await assertNothingLeft();
  });

  it('does not start when the signal is already aborted', async () => {
    await expectDownloadError(
      downloadModel({ mayUseNetwork: online, url: `${base}/model.gguf`, destination, sha256: BODY_SHA, signal: AbortSignal.abort() }),
      'aborted',
      /cancelled/,
    );
    await assertNothingLeft();
  });

  it('gives up on a server that accepts the connection but never answers', async () => {
    const started = Date.now();
    await expectDownloadError(
      downloadModel({ mayUseNetwork: online, url: `${base}/silent.gguf`, destination, sha256: BODY_SHA, stallTimeoutMs: 300 }),
      'stalled',
      /stalled: no data for 300 ms/,
    );
    assert.ok(Date.now() - started < 3000, 'the stall timeout did not fire in time');
    await assertNothingLeft();
  });

  it('gives up when the body stops arriving midway, and removes the partial file', async () => {
    let received = 0;
    await expectDownloadError(
      downloadModel({ mayUseNetwork: online,
        url: `${base}/stalls-midway.gguf`,
        destination,
        sha256: BODY_SHA,
        stallTimeoutMs: 300,
        onProgress: ({ receivedBytes }) => (received = receivedBytes),
      }),
      'stalled',
      /stalled/,
    );
    assert.equal(received, BODY.byteLength / 4);
    await assertNothingLeft();
  });

  it('reports a refused connection as a network error', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await expectDownloadError(
      downloadModel({ mayUseNetwork: online, url: `http://127.0.0.1:${port}/x.gguf`, destination, sha256: BODY_SHA }),
      'network',
      /failed: fetch failed \(.*ECONNREFUSED/,
    );
    await assertNothingLeft();
  });

  it('asks the privacy gate first: offline, it refuses without touching the network', async () => {
    const before = requestCount;
    await expectDownloadError(
      downloadModel({ mayUseNetwork: () => 'the privacy policy is offline', url: `${base}/model.gguf`, destination, sha256: BODY_SHA }),
      'offline',
      /the privacy policy is offline/,
    );
    assert.equal(requestCount, before, 'no request may reach the server');
    await assertNothingLeft();
  });

  it('rejects a malformed sha256 up front', async () => {
    await assert.rejects(downloadModel({ mayUseNetwork: online, url: `${base}/model.gguf`, destination, sha256: 'abc' }), TypeError);
    await assertNothingLeft();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
