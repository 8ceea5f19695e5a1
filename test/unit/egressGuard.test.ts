// The egress guard (test/support/egressGuard.cjs), preloaded into a child Node process the way
// code-server's processes get it, and the readers in test/support/egressLog.ts. Everything here stays
// on loopback: names that are not loopback are "resolved" by a custom lookup to 127.0.0.1, and DNS
// queries go to a resolver on 127.0.0.1, so the guard sees a non-loopback name while no packet leaves.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  CHROMIUM_IPV6_PROBE,
  isLoopbackHost,
  nonLoopback,
  readChromiumNetLog,
  readEgressLog,
  readGuardedProcesses,
  type EgressAttempt,
} from '../support/egressLog';

const repoRoot = path.resolve(__dirname, '../..');
const GUARD = path.join(repoRoot, 'test', 'support', 'egressGuard.cjs');

/** Runs `script` (CommonJS) in a fresh Node with the guard preloaded; returns its stdout. */
async function runGuarded(dir: string, script: string, env: Record<string, string | undefined>): Promise<string> {
  const file = path.join(dir, `script-${Math.random().toString(36).slice(2)}.js`);
  await fs.writeFile(file, script);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, HEARTH_EGRESS_LOG: undefined, HEARTH_EGRESS_STACKS: undefined, NODE_OPTIONS: undefined, REPO_ROOT: repoRoot, ...env };
  const { stdout } = await promisify(execFile)(process.execPath, ['--require', GUARD, file], { env: childEnv, timeout: 15_000 });
  return stdout;
}

const loopbackServer = `
const http = require('node:http');
const server = http.createServer((request, response) => response.end('ok'));
const listening = new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
// "Resolves" any name to loopback, so that a non-loopback name causes no DNS query and no packet.
const toLoopback = (host, options, callback) => {
  if (typeof options === 'function') callback = options;
  if (options && options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};
`;

describe('egress guard', function () {
  this.timeout(20_000); // child processes on a busy machine
  let dir: string;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-egress-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('records each layer of loopback traffic as loopback, and the process that loaded it', async () => {
    const log = path.join(dir, 'loopback.jsonl');
    await runGuarded(
      dir,
      `${loopbackServer}
(async () => {
  await listening;
  const { port } = server.address();
  const net = require('node:net');
  const tls = require('node:tls');
  const get = (url) => new Promise((resolve, reject) => http.get(url, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject));
  await get('http://127.0.0.1:' + port + '/');
  await (await fetch('http://localhost:' + port + '/')).text();
  const undici = require(require.resolve('undici', { paths: [process.env.REPO_ROOT] }));
  await (await undici.request('http://127.0.0.1:' + port + '/')).body.text();
  await new Promise((resolve) => { const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(); }); });
  const secure = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  await new Promise((resolve) => { secure.on('error', resolve); secure.on('close', resolve); });
  await require('node:dns').promises.lookup('localhost');
  server.close();
})();
`,
      { HEARTH_EGRESS_LOG: log },
    );
    const attempts = await readEgressLog(log);
    assert.deepEqual(nonLoopback(attempts), []);
    const kinds = new Set(attempts.map((attempt) => attempt.kind));
    for (const kind of ['http', 'fetch', 'undici', 'net', 'tls', 'dns'] as const) assert.ok(kinds.has(kind), `no ${kind} record in ${JSON.stringify(attempts)}`);
    assert.ok(attempts.every((attempt) => attempt.stack === undefined), 'stacks only for non-loopback attempts');
    const processes = await readGuardedProcesses(log);
    assert.equal(processes.length, 1);
    assert.equal(processes[0]?.pid, attempts[0]?.pid);
    assert.match(processes[0]?.process ?? '', /script-/);
  });

  it('records non-loopback names with where they came from, without blocking anything', async () => {
    const log = path.join(dir, 'names.jsonl');
    const stdout = await runGuarded(
      dir,
      `${loopbackServer}
(async () => {
  await listening;
  const { port } = server.address();
  const net = require('node:net');
  const dns = require('node:dns');
  await new Promise((resolve, reject) => http.get({ host: 'egress-test.invalid', port, lookup: toLoopback }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject));
  await new Promise((resolve) => { const socket = net.connect({ host: 'egress-test.invalid', port, lookup: toLoopback }, () => { socket.destroy(); resolve(); }); });
  const resolver = new dns.promises.Resolver({ timeout: 200, tries: 1 });
  resolver.setServers(['127.0.0.1:1']); // a closed loopback port: the query fails fast and stays here
  await resolver.resolve4('egress-test.invalid').catch(() => undefined);
  server.close();
  console.log('done');
})();
`,
      { HEARTH_EGRESS_LOG: log },
    );
    assert.equal(stdout.trim(), 'done', 'the guarded calls still worked');
    const outside = nonLoopback(await readEgressLog(log));
    // http.get and net.connect each reach net's connect(); the resolver's query is one dns record.
    assert.deepEqual(outside.map((attempt) => attempt.kind).sort(), ['dns', 'http', 'net', 'net']);
    assert.ok(outside.every((attempt) => attempt.host === 'egress-test.invalid'), JSON.stringify(outside));
    assert.ok(outside.every((attempt) => (attempt.kind === 'dns' ? attempt.port === null : typeof attempt.port === 'number')));
    for (const attempt of outside) assert.match(attempt.stack ?? '', /script-/, `the stack of ${attempt.kind} names the caller`);
  });

  it('keeps the hooked functions working as before (promisify, errors, constructors)', async () => {
    const script = `
const dns = require('node:dns');
const util = require('node:util');
const net = require('node:net');
(async () => {
  const looked = await util.promisify(dns.lookup)('localhost', { family: 4 });
  let error;
  try { new net.Socket().connect(); } catch (e) { error = e.code; }
  const rejected = await fetch('not a url').then(() => 'resolved', (e) => e.name);
  console.log(JSON.stringify({ looked, error, rejected, resolver: typeof new dns.Resolver().resolve4, fetchWrapped: Boolean(globalThis.fetch[Symbol.for('hearth.egressGuard.wrapped')]) }));
})();
`;
    const guarded = JSON.parse(await runGuarded(dir, script, { HEARTH_EGRESS_LOG: path.join(dir, 'same.jsonl') })) as Record<string, unknown>;
    const plain = JSON.parse(await runGuarded(dir, script, {})) as Record<string, unknown>;
    assert.deepEqual(guarded.looked, { address: '127.0.0.1', family: 4 });
    assert.deepEqual({ ...guarded, fetchWrapped: undefined }, { ...plain, fetchWrapped: undefined });
    assert.equal(guarded.fetchWrapped, true);
    assert.equal(plain.fetchWrapped, false, 'without HEARTH_EGRESS_LOG the guard installs nothing');
  });

  it('calls the same hosts loopback as egressLog.ts does', async () => {
    const hosts = ['127.0.0.1', '127.8.9.10', 'localhost', 'LOCALHOST.', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '10.0.0.1', '0.0.0.0', '::', 'example.com', 'localhost.example.com', '128.0.0.1', '2001:4860:4860::8888'];
    const stdout = await runGuarded(dir, `console.log(JSON.stringify(${JSON.stringify(hosts)}.map((host) => require(${JSON.stringify(GUARD)}).isLoopback(host))));`, {});
    const expected = [true, true, true, true, true, true, true, true, false, false, false, false, false, false, false, false];
    assert.deepEqual(JSON.parse(stdout) as boolean[], expected);
    assert.deepEqual(hosts.map(isLoopbackHost), expected);
  });
});

describe('egress logs', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-egress-log-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads a missing guard log as no attempts, and rejects a corrupt line', async () => {
    assert.deepEqual(await readEgressLog(path.join(dir, 'none.jsonl')), []);
    const bad = path.join(dir, 'bad.jsonl');
    const good: EgressAttempt = { time: 't', pid: 1, ppid: 0, threadId: 0, process: 'node x', kind: 'dns', host: 'a', port: null, loopback: false };
    await fs.writeFile(bad, `${JSON.stringify(good)}\n{"kind":"carrier-pigeon"}\n`);
    await assert.rejects(readEgressLog(bad), /unknown kind/);
  });

  it('reads hosts from a Chromium NetLog, also one cut off by a killed browser', async () => {
    const constants = { logEventTypes: { URL_REQUEST_START_JOB: 1, HOST_RESOLVER_MANAGER_REQUEST: 2, UDP_CONNECT: 3, TCP_CONNECT_ATTEMPT: 4 } };
    const events = [
      { type: 1, params: { url: 'http://127.0.0.1:8080/?folder=x', initiator: 'not an origin' } },
      { type: 1, params: { url: 'https://content-autofill.googleapis.com/v1/pages/x', initiator: 'not an origin' } },
      { type: 1, params: { url: 'data:text/plain,hi' } },
      { type: 2, params: { host: 'https://accounts.google.com' } },
      { type: 3, params: { address: `[${CHROMIUM_IPV6_PROBE}]:443` } },
      { type: 4, params: { address: '127.0.0.1:8080' } },
    ];
    const file = path.join(dir, 'netlog.json');
    const whole = JSON.stringify({ constants, events });
    await fs.writeFile(file, whole);
    const attempts = await readChromiumNetLog(file);
    assert.deepEqual(
      nonLoopback(attempts).map((attempt) => `${attempt.event} ${attempt.host}:${attempt.port}${attempt.probe ? ' probe' : ''}`),
      ['URL_REQUEST_START_JOB content-autofill.googleapis.com:443', 'HOST_RESOLVER_MANAGER_REQUEST accounts.google.com:443', `UDP_CONNECT ${CHROMIUM_IPV6_PROBE}:443 probe`],
    );
    await fs.writeFile(file, `${whole.slice(0, whole.lastIndexOf(']'))},\n`); // no closing "]}"
    assert.equal((await readChromiumNetLog(file)).length, attempts.length);
  });
});
