// The real download process (dist/download.mjs, node-llama-cpp's downloader) against a local HTTP
// server on 127.0.0.1 that serves a real GGUF model with Range support, driven the way the
// extension host drives it (downloadModelFile + forkDownloadWorker): complete downloads, a cut
// connection, a killed process, a cancel and a vanished host that each resume, 404, checksum, HTML,
// the mirror setting, the offline policy, free disk space, redirects, and no token to a mirror.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DownloadEntry } from '../../src/common/policy/ledgerEntry';
import { downloadToHostMessage, RESUME_SUFFIX, type DownloadProgressMessage, type DownloadToHostMessage } from '../../src/common/protocol/downloadProtocol';
import {
  downloadModelFile,
  ModelDownloadError,
  type ModelDownloadDeps,
  type ModelDownloadRequest,
  type ModelDownloadResult,
} from '../../src/host/models/downloadService';
import { forkDownloadWorker, type DownloadWorker } from '../../src/host/models/downloadWorker';
import { poll } from '../support/polling';

const DIST = resolve(__dirname, '../../dist/download.mjs');
const SHARED_MODEL = resolve(__dirname, '../../../shared/models/stories260K.gguf');
const SHA = '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d';
const SIZE = 1_185_376;
const FILE = 'stories260K.gguf';
/** ipull (node-llama-cpp's downloader) records progress per 5 MiB chunk, so resuming needs a file of several chunks. */
const CHUNK = 5 * 1024 * 1024;
const HF_PATH = '/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf';

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly range: string | undefined;
  readonly authorization: string | undefined;
}

/** What the server does with a ranged request that starts at `start`. */
type RangePlan = { kind: 'full' } | { kind: 'cut'; afterBytes: number } | { kind: 'hang'; afterBytes: number } | { kind: 'destroy' };

describe('model downloads (dist/download.mjs, node-llama-cpp downloader, local server)', function () {
  this.timeout(120_000);
  let server: Server;
  let base: string;
  let scratch: string;
  let dir: string;
  let model: Buffer;
  /** stories260K followed by random bytes, 16.9 MB in all: four download chunks, a GGUF header first. */
  let big: Buffer;
  let bigSha: string;
  let requests: Recorded[];
  let rangePlan: (start: number) => RangePlan;

  const routes = new Map<string, (request: IncomingMessage, response: ServerResponse) => void>();

  before(async () => {
    assert.ok(existsSync(DIST), `${DIST} is missing: run "npm run build" (or build the download entry of esbuild.mjs) first`);
    model = await readFile(SHARED_MODEL).catch(() => readFile(resolve(__dirname, '../../models', FILE)));
    assert.equal(sha256(model), SHA);
    big = Buffer.concat([model, randomBytes(3 * CHUNK + 1_234_567 - model.length)]);
    bigSha = sha256(big);

    routes.set(`/files/${FILE}`, (request, response) => serveBytes(request, response, model));
    routes.set(`/hf${HF_PATH}`, (request, response) => serveBytes(request, response, model));
    routes.set('/files/big.gguf', (request, response) => serveBytes(request, response, big));
    routes.set('/files/page.gguf', (request, response) => {
      const page = Buffer.from('<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Please sign in to continue.</body></html>\n');
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(page.length) });
      response.end(request.method === 'HEAD' ? undefined : page);
    });
    // To another host name of the same server: a redirect the download must report.
    routes.set(`/redirect/${FILE}`, (_request, response) => {
      response.writeHead(302, { location: `http://localhost:${(server.address() as AddressInfo).port}/files/${FILE}` });
      response.end();
    });
    // Answers 401 unless a token comes: a downloader holding one would retry with it.
    routes.set(`/auth${HF_PATH}`, (request, response) => {
      if (request.headers.authorization === undefined) {
        response.writeHead(401, { 'content-type': 'text/plain' });
        response.end('token required');
        return;
      }
      serveBytes(request, response, model);
    });

    server = createServer((request, response) => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', range: request.headers.range, authorization: request.headers.authorization });
      const route = routes.get((request.url ?? '').split('?')[0] ?? '');
      if (route !== undefined) {
        route(request, response);
        return;
      }
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('Entry not found');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  });

  beforeEach(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'hearth-download-'));
    dir = join(scratch, 'models');
    requests = [];
    rangePlan = () => ({ kind: 'full' });
  });

  afterEach(async () => {
    server.closeAllConnections();
    await rm(scratch, { recursive: true, force: true });
  });

  /** Serves `body` with Range support; ranged requests follow `rangePlan`. */
  function serveBytes(request: IncomingMessage, response: ServerResponse, body: Buffer): void {
    const headers = { 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
    const match = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    if (match === null) {
      response.writeHead(200, { ...headers, 'content-length': String(body.length) });
      response.end(request.method === 'HEAD' ? undefined : body);
      return;
    }
    const start = Number(match[1]);
    const end = match[2] ? Math.min(Number(match[2]), body.length - 1) : body.length - 1;
    const plan = rangePlan(start);
    if (plan.kind === 'destroy') {
      request.socket.destroy();
      return;
    }
    const slice = body.subarray(start, end + 1);
    response.writeHead(206, { ...headers, 'content-length': String(slice.length), 'content-range': `bytes ${start}-${end}/${body.length}` });
    if (plan.kind === 'full') {
      response.end(slice);
      return;
    }
    response.write(slice.subarray(0, plan.afterBytes), () => {
      if (plan.kind === 'cut') response.destroy(); // the connection drops in the middle of the body
    });
  }

  interface Attempt {
    readonly result?: ModelDownloadResult;
    readonly error?: ModelDownloadError;
    readonly progress: DownloadProgressMessage[];
    readonly ledger: DownloadEntry[];
  }

  /** One download the way the extension host runs it, with the real download process. */
  async function attempt(request: Partial<ModelDownloadRequest> & { url: string }, deps: Partial<ModelDownloadDeps> & { env?: NodeJS.ProcessEnv } = {}): Promise<Attempt> {
    const progress: DownloadProgressMessage[] = [];
    const ledger: DownloadEntry[] = [];
    const { env, ...rest } = deps;
    try {
      const result = await downloadModelFile(
        { fileName: FILE, directory: dir, sha256: SHA, sizeBytes: SIZE, ...request },
        {
          mayUseNetwork: () => undefined,
          startWorker: () => forkDownloadWorker(DIST, { env: env ?? process.env }),
          ledger: { append: async (entry) => void ledger.push(entry) },
          onProgress: (update) => progress.push(update),
          ...rest,
        },
      );
      return { result, progress, ledger };
    } catch (error) {
      assert.ok(error instanceof ModelDownloadError, `expected a ModelDownloadError, got ${String(error)}`);
      return { error, progress, ledger };
    }
  }

  const listDir = async (): Promise<string[]> => (await readdir(dir).catch(() => [] as string[])).sort();
  const rangeStarts = (recorded: Recorded[]): number[] =>
    recorded.filter((one) => one.range !== undefined).map((one) => Number(/^bytes=(\d+)-/.exec(one.range ?? '')?.[1]));

  /** Waits until ipull has recorded at least one finished chunk (its record follows the data in the .ipull file). */
  async function untilFirstChunkSaved(fileName: string, size: number): Promise<void> {
    const resumeFile = join(dir, `${fileName}${RESUME_SUFFIX}`);
    const saved = await poll(30_000, async () => ((await stat(resumeFile).catch(() => undefined))?.size ?? 0) > size, 20);
    assert.ok(saved, `${resumeFile} never recorded a finished chunk`);
  }

  /** Finishes a download of big.gguf that an earlier run left partial, and checks it resumed rather than restarted. */
  async function resumeBig(): Promise<void> {
    rangePlan = () => ({ kind: 'full' });
    requests = [];
    const second = await attempt({ url: `${base}/files/big.gguf`, fileName: 'big.gguf', sha256: bigSha, sizeBytes: big.length });
    assert.equal(second.error, undefined, second.error?.message);
    const starts = rangeStarts(requests);
    assert.ok(starts.length > 0, 'the second run made no ranged request');
    assert.ok(
      starts.every((start) => start >= CHUNK),
      `the second run asked again for bytes the first had saved: Range starts ${starts.join(', ')}`,
    );
    assert.ok((second.result?.resumedFromBytes ?? 0) >= CHUNK, `resumed from ${second.result?.resumedFromBytes}`);
    assert.ok((second.result?.receivedBytes ?? Infinity) <= big.length - CHUNK);
    assert.ok(second.progress.some((update) => update.resumedFromBytes >= CHUNK));
    assert.ok((await readFile(join(dir, 'big.gguf'))).equals(big), 'the resumed file differs from the served one');
    assert.deepEqual(await listDir(), ['big.gguf']);
    assert.equal(second.ledger[0]?.resumedFromBytes, second.result?.resumedFromBytes);
  }

  it('downloads a GGUF byte for byte, reports progress, writes the ledger, and finds it there the next time', async () => {
    const first = await attempt({ url: `${base}/files/${FILE}` });
    assert.equal(first.error, undefined, first.error?.message);
    assert.equal(first.result?.path, join(dir, FILE));
    assert.ok((await readFile(join(dir, FILE))).equals(model));
    assert.equal(first.result?.sha256, SHA);
    assert.equal(first.result?.sha256Verified, true);
    assert.equal(first.result?.receivedBytes, SIZE);
    assert.deepEqual(await listDir(), [FILE], 'nothing but the model is left in the folder');
    assert.deepEqual([...new Set(first.progress.map((update) => update.phase))], ['connecting', 'downloading', 'verifying']);
    assert.equal(first.progress.filter((update) => update.phase === 'downloading').at(-1)?.receivedBytes, SIZE);
    assert.equal(first.ledger.length, 1);
    assert.deepEqual(
      { ...first.ledger[0], time: undefined },
      {
        v: 1,
        kind: 'download',
        time: undefined,
        url: `${base}/files/${FILE}`,
        sourceHost: new URL(base).host,
        mirror: false,
        fileName: FILE,
        outcome: 'downloaded',
        bytes: SIZE,
        sizeBytes: SIZE,
        sha256: SHA,
        sha256Verified: true,
      },
    );

    requests = [];
    const again = await attempt({ url: `${base}/files/${FILE}` });
    assert.equal(again.result?.alreadyPresent, true);
    assert.deepEqual(requests, [], 'a file that is already there and checks out is not fetched again');
    assert.deepEqual(again.ledger, []);
  });

  it('resumes after the connection was cut mid-file and the download stalled: no Range from 0 the second time', async () => {
    let cut = false;
    rangePlan = (start) => {
      if (start === 0) return { kind: 'full' };
      if (cut) return { kind: 'destroy' };
      cut = true;
      return { kind: 'cut', afterBytes: 64 * 1024 };
    };
    const first = await attempt({ url: `${base}/files/big.gguf`, fileName: 'big.gguf', sha256: bigSha, sizeBytes: big.length, stallTimeoutMs: 2_000 });
    assert.ok(cut, 'the server never cut a connection');
    assert.equal(first.error?.code, 'stalled', first.error?.message);
    assert.equal(first.error?.partialKept, true);
    assert.match(first.error?.message ?? '', /no data arrived from 127\.0\.0\.1:\d+ for 2 s/);
    assert.deepEqual(await listDir(), [`big.gguf${RESUME_SUFFIX}`], 'only the resumable partial file is left, under no .gguf name');
    assert.equal(first.ledger[0]?.outcome, 'failed');
    await resumeBig();
  });

  it('resumes after the download process was killed', async () => {
    rangePlan = (start) => (start === 0 ? { kind: 'full' } : { kind: 'hang', afterBytes: 64 * 1024 });
    let worker: DownloadWorker | undefined;
    const first = attempt(
      { url: `${base}/files/big.gguf`, fileName: 'big.gguf', sha256: bigSha, sizeBytes: big.length },
      {
        startWorker: () => {
          worker = forkDownloadWorker(DIST);
          return worker;
        },
      },
    );
    await untilFirstChunkSaved('big.gguf', big.length);
    worker?.kill();
    const killed = await first;
    assert.equal(killed.error?.code, 'crashed', killed.error?.message);
    assert.match(killed.error?.message ?? '', /was killed \(SIGKILL\)/);
    assert.ok(!existsSync(join(dir, 'big.gguf')));
    server.closeAllConnections();
    await resumeBig();
  });

  it('stops when the host goes away (a window reload), keeps the partial file and releases its lock', async () => {
    rangePlan = (start) => (start === 0 ? { kind: 'full' } : { kind: 'hang', afterBytes: 64 * 1024 });
    const child = fork(DIST, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    child.send({ type: 'start', url: `${base}/files/big.gguf`, directory: dir, fileName: 'big.gguf', sha256: bigSha, expectedSizeBytes: big.length });
    await untilFirstChunkSaved('big.gguf', big.length);
    child.disconnect();
    assert.equal(await exited, 0, 'it stopped by itself rather than being killed');
    assert.deepEqual(await listDir(), [`big.gguf${RESUME_SUFFIX}`]);
    server.closeAllConnections();
    await resumeBig();
  });

  it('cancels on request: nothing under the final name, the partial kept, and the next download continues', async () => {
    rangePlan = (start) => (start === 0 ? { kind: 'full' } : { kind: 'hang', afterBytes: 64 * 1024 });
    const listeners = new Set<() => void>();
    const token = {
      isCancellationRequested: false,
      onCancellationRequested: (listener: () => void) => {
        listeners.add(listener);
        return { dispose: () => void listeners.delete(listener) };
      },
    };
    const cancel = (): void => {
      if (token.isCancellationRequested) return;
      token.isCancellationRequested = true;
      for (const listener of listeners) listener();
    };
    const cancelled = await attempt(
      { url: `${base}/files/big.gguf`, fileName: 'big.gguf', sha256: bigSha, sizeBytes: big.length },
      {
        token,
        onProgress: (update) => {
          if (update.receivedBytes >= CHUNK) cancel();
        },
      },
    );
    assert.equal(cancelled.error?.code, 'cancelled', cancelled.error?.message);
    assert.equal(cancelled.error?.partialKept, true);
    assert.match(cancelled.error?.message ?? '', /downloading it again continues from there/);
    const left = await listDir();
    assert.ok(!left.includes('big.gguf'), `a file has the final name: ${left.join(', ')}`);
    assert.ok(left.every((name) => !name.endsWith('.gguf')), `a partial file ends in .gguf: ${left.join(', ')}`);
    assert.equal(cancelled.ledger[0]?.outcome, 'cancelled');
    server.closeAllConnections();
    await resumeBig();
  });

  it('says which URL answered 404, and leaves nothing behind', async () => {
    const url = `${base}/files/missing.gguf`;
    const { error, ledger } = await attempt({ url, fileName: 'missing.gguf' });
    assert.equal(error?.code, 'notFound');
    assert.equal(error?.message, `Could not download missing.gguf: the server answered HTTP 404 Not Found for ${url}: the file is not there (check the URL or the mirror setting)`);
    assert.deepEqual(await listDir(), []);
    assert.equal(ledger[0]?.outcome, 'failed');
  });

  it('rejects and removes a file whose sha256 does not match the pin', async () => {
    const wrong = 'f'.repeat(64);
    const { error } = await attempt({ url: `${base}/files/${FILE}`, sha256: wrong });
    assert.equal(error?.code, 'checksum');
    assert.match(error?.message ?? '', new RegExp(`sha256 is ${SHA}, the catalog pins ${wrong}`));
    assert.deepEqual(await listDir(), []);
  });

  it('rejects a web page served instead of the model, says so, and removes it', async () => {
    for (const pins of [{ sha256: null }, { sha256: SHA, sizeBytes: SIZE }]) {
      const { error } = await attempt({ url: `${base}/files/page.gguf`, fileName: 'page.gguf', ...pins });
      assert.equal(error?.code, 'webPage', JSON.stringify(pins));
      assert.match(error?.message ?? '', /^Could not download page\.gguf: the server sent a web page, not a GGUF file \(it starts with "<!DOCTYPE html>/);
      assert.deepEqual(await listDir(), []);
    }
  });

  it('honours hearth.models.mirror: the catalog URL goes to the mirror, with the same path', async () => {
    const { result, error, ledger } = await attempt({ url: `https://huggingface.co${HF_PATH}` }, { mirror: `${base}/hf/` });
    assert.equal(error, undefined, error?.message);
    assert.equal(result?.url, `${base}/hf${HF_PATH}`);
    assert.ok(requests.length > 0 && requests.every((one) => one.url === `/hf${HF_PATH}`), JSON.stringify(requests));
    assert.ok((await readFile(join(dir, FILE))).equals(model));
    assert.equal(ledger[0]?.mirror, true);
  });

  it('sends no Authorization header to a mirror, even with HF_TOKEN set and HF_ENDPOINT pointing at it', async () => {
    const env = { ...process.env, HF_TOKEN: 'hf_leakedToken', HUGGING_FACE_HUB_TOKEN: 'hf_leakedToken', HF_ENDPOINT: base, MODEL_ENDPOINT: base };
    const ok = await attempt({ url: `https://huggingface.co${HF_PATH}` }, { mirror: `${base}/hf`, env });
    assert.equal(ok.error, undefined, ok.error?.message);
    // A mirror that asks for a token (401) is where node-llama-cpp would retry with one.
    const refused = await attempt({ url: `https://huggingface.co${HF_PATH}`, fileName: 'auth.gguf' }, { mirror: `${base}/auth`, env });
    assert.equal(refused.error?.code, 'http');
    assert.match(refused.error?.message ?? '', /HTTP 401/);
    assert.ok(requests.some((one) => one.url.startsWith('/auth/')));
    assert.deepEqual(
      requests.filter((one) => one.authorization !== undefined),
      [],
    );
  });

  it('sends no token even when the process is started with the variables (its own second lock)', async () => {
    const child = fork(DIST, [], {
      env: { ...process.env, HF_TOKEN: 'hf_leakedToken', HF_ENDPOINT: base, MODEL_ENDPOINT: base },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const messages: DownloadToHostMessage[] = [];
    child.on('message', (raw) => messages.push(downloadToHostMessage.parse(raw)));
    const exited = new Promise<void>((done) => child.on('exit', () => done()));
    child.send({ type: 'start', url: `${base}/auth${HF_PATH}`, directory: dir, fileName: 'auth.gguf', sha256: null });
    await exited;
    assert.equal(messages.at(-1)?.type, 'failed');
    assert.ok(requests.length > 0);
    assert.deepEqual(
      requests.filter((one) => one.authorization !== undefined),
      [],
    );
  });

  it('(why it matters) node-llama-cpp left to its defaults does send the token to that host', async () => {
    const saved = { HF_TOKEN: process.env.HF_TOKEN, HF_ENDPOINT: process.env.HF_ENDPOINT };
    process.env.HF_TOKEN = 'hf_leakedToken';
    process.env.HF_ENDPOINT = base;
    try {
      const { createModelDownloader } = await import('node-llama-cpp');
      const downloader = await createModelDownloader({ modelUri: `${base}/auth${HF_PATH}`, dirPath: dir, fileName: 'defaults.gguf' });
      await downloader.download();
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    assert.ok(requests.some((one) => one.authorization === 'Bearer hf_leakedToken'), JSON.stringify(requests));
  });

  it('reports a redirect to another host in progress, result and ledger', async () => {
    const { result, error, progress, ledger } = await attempt({ url: `${base}/redirect/${FILE}` });
    assert.equal(error, undefined, error?.message);
    const target = `http://localhost:${new URL(base).port}`;
    assert.equal(result?.redirectedTo, target);
    assert.ok(progress.some((update) => update.redirectedTo === target));
    assert.equal(ledger[0]?.sourceHost, new URL(base).host);
    assert.equal(ledger[0]?.redirectHost, `localhost:${new URL(base).port}`);
    assert.ok((await readFile(join(dir, FILE))).equals(model));
  });

  it('refuses under an offline policy without a process or a request', async () => {
    let started = 0;
    const { error, ledger } = await attempt(
      { url: `${base}/files/${FILE}` },
      {
        mayUseNetwork: (url) => `the privacy policy is offline, so ${url} is not fetched`,
        startWorker: () => {
          started += 1;
          return forkDownloadWorker(DIST);
        },
      },
    );
    assert.equal(error?.code, 'offline');
    assert.match(error?.message ?? '', /^Not downloading stories260K\.gguf: the privacy policy is offline/);
    assert.equal(started, 0);
    assert.deepEqual(requests, []);
    assert.deepEqual(ledger, []);
  });

  it('refuses a file the disk cannot hold before any request, naming the bytes needed and free', async () => {
    const huge = 2 ** 50;
    const { error, ledger } = await attempt({ url: `${base}/files/${FILE}`, sizeBytes: huge });
    assert.equal(error?.code, 'diskSpace');
    assert.match(error?.message ?? '', /not enough free disk space in .*: the download needs 1,125,899,906,842,624 bytes \(1\.13 PB\), and only [\d,]+ bytes \(.*\) are free/);
    assert.deepEqual(requests, []);
    assert.deepEqual(ledger, [], 'nothing reached the network, so nothing is recorded');
  });

  it('replaces an existing file that fails the pin with a verified download', async () => {
    await mkdir(dir, { recursive: true });
    const damaged = Buffer.from(model);
    damaged[damaged.length - 1]! ^= 0xff;
    await writeFile(join(dir, FILE), damaged);
    const { result, error } = await attempt({ url: `${base}/files/${FILE}` });
    assert.equal(error, undefined, error?.message);
    assert.equal(result?.alreadyPresent, false);
    assert.ok((await readFile(join(dir, FILE))).equals(model));
  });
});

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
