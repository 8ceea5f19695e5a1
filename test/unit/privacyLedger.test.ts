// The privacy ledger: entries round-trip through JSON Lines on disk, concurrent appends stay whole
// lines, damaged or foreign lines are skipped and counted rather than thrown, and the list
// formatting and filter say what the user needs to audit.
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatLedgerEntry,
  isEscalationEntry,
  ledgerEntrySchema,
  matchesLedgerFilter,
  type DownloadEntry,
  type EscalationEntry,
  type LedgerEntry,
} from '../../src/common/policy/ledgerEntry';
import { PrivacyLedger } from '../../src/host/privacy/privacyLedger';

function entry(overrides: Partial<EscalationEntry> = {}): EscalationEntry {
  return {
    v: 1,
    time: '2025-06-01T12:03:22.000Z',
    command: 'explainInDepth',
    commandTitle: 'Explain in Depth',
    provider: 'openai',
    endpointId: 'work-openai',
    endpointHost: 'api.openai.com',
    model: 'gpt-4.1',
    files: [
      { path: 'src/parser.ts', startLine: 10, endLine: 42 },
      { path: 'untitled:Untitled-1', startLine: 3, endLine: 3 },
    ],
    withheld: [{ path: '.env', reason: 'neverSend: **/.env' }],
    bytes: 12345,
    redactions: [{ kind: 'aws-access-key', count: 2 }],
    consent: 'asked',
    outcome: 'sent',
    ...overrides,
  };
}

/** An escalation's command, or `download` for a download line. */
function commandOf(one: LedgerEntry): string {
  return isEscalationEntry(one) ? one.command : one.kind;
}

function download(overrides: Partial<DownloadEntry> = {}): DownloadEntry {
  return {
    v: 1,
    kind: 'download',
    time: '2025-06-01T12:10:00.000Z',
    url: 'https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf',
    sourceHost: 'huggingface.co',
    redirectHost: 'cas-bridge.xethub.hf.co',
    mirror: false,
    fileName: 'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf',
    bytes: 491400032,
    sizeBytes: 491400032,
    sha256: '74a4da8c9fdbcd15bd1f6d01d621410d31c6fc00986f5eb687824e7b93d7a9db',
    sha256Verified: true,
    outcome: 'downloaded',
    ...overrides,
  };
}

describe('PrivacyLedger', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-ledger-'));
    // A folder that does not exist yet: append must create it, as global storage may not exist.
    file = join(dir, 'globalStorage', 'privacy-ledger.jsonl');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a missing file as empty', async () => {
    assert.deepEqual(await new PrivacyLedger(file).read(), { entries: [], skipped: 0 });
  });

  it('round-trips entries in append order, one JSON line each', async () => {
    const ledger = new PrivacyLedger(file);
    const first = entry();
    const second = entry({ time: '2025-06-01T12:05:00+02:00', command: 'reviewFile', outcome: 'failed', error: 'HTTP 429', consent: 'policy' });
    await ledger.append(first);
    await ledger.append(second);
    assert.deepEqual(await ledger.read(), { entries: [first, second], skipped: 0 });
    const lines = (await readFile(file, 'utf8')).split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[2], '');
    assert.deepEqual(JSON.parse(lines[0]), first);
  });

  it('keeps 50 concurrent appends as 50 whole lines', async () => {
    const ledger = new PrivacyLedger(file);
    // Large enough lines that interleaved writes would show.
    const sent = Array.from({ length: 50 }, (_, index) => entry({ command: `cmd${index}`, commandTitle: 'x'.repeat(2000 + index) }));
    await Promise.all(sent.map((one) => ledger.append(one)));
    const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line.length > 0);
    assert.equal(lines.length, 50);
    for (const line of lines) assert.ok(ledgerEntrySchema.safeParse(JSON.parse(line)).success);
    const { entries, skipped } = await ledger.read();
    assert.equal(skipped, 0);
    assert.deepEqual(entries.filter(isEscalationEntry).map((one) => one.command).sort(), sent.map((one) => one.command).sort());
  });

  it('keeps lines whole when two ledgers (two windows) append to one file at once', async () => {
    const a = new PrivacyLedger(file);
    const b = new PrivacyLedger(file);
    await Promise.all(Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? a : b).append(entry({ command: `cmd${index}` }))));
    const { entries, skipped } = await a.read();
    assert.equal(skipped, 0);
    assert.equal(entries.length, 40);
  });

  it('skips and counts lines that are not JSON or fail the schema, and appends after a torn line', async () => {
    const ledger = new PrivacyLedger(file);
    await ledger.append(entry({ command: 'first' }));
    await appendFile(file, '{not json\n');
    await appendFile(file, `${JSON.stringify({ ...entry(), v: 2 })}\n`);
    await appendFile(file, `${JSON.stringify({ ...entry(), files: [{ path: 'a.ts', startLine: 9, endLine: 2 }] })}\n`);
    await appendFile(file, '\n   \n');
    // A crash mid-write: no newline at the end.
    await appendFile(file, '{"v":1,"time":"2025');
    await ledger.append(entry({ command: 'last' }));
    const { entries, skipped } = await ledger.read();
    assert.deepEqual(
      entries.map(commandOf),
      ['first', 'last'],
    );
    assert.equal(skipped, 4);
  });

  it('refuses to append an entry that would not read back', async () => {
    const ledger = new PrivacyLedger(file);
    await assert.rejects(ledger.append({ ...entry(), bytes: -1 }), /bytes/);
    await assert.rejects(ledger.append({ ...entry(), time: 'yesterday' }), /time/);
    assert.deepEqual(await ledger.read(), { entries: [], skipped: 0 });
  });

  it('clears to empty, and appends again afterwards', async () => {
    const ledger = new PrivacyLedger(file);
    await ledger.append(entry());
    await ledger.clear();
    assert.deepEqual(await ledger.read(), { entries: [], skipped: 0 });
    await ledger.clear();
    await ledger.append(entry({ command: 'again' }));
    assert.deepEqual(
      (await ledger.read()).entries.map(commandOf),
      ['again'],
    );
  });

  it('exports a byte-for-byte copy, and an empty file for an empty ledger', async () => {
    const ledger = new PrivacyLedger(file);
    const emptyTarget = join(dir, 'empty.jsonl');
    await ledger.exportTo(emptyTarget);
    assert.equal(await readFile(emptyTarget, 'utf8'), '');

    await ledger.append(entry());
    await appendFile(file, 'damaged line kept as it is\n');
    const target = join(dir, 'hearth-privacy-ledger.jsonl');
    await writeFile(target, 'old content');
    await ledger.exportTo(target);
    assert.equal(await readFile(target, 'utf8'), await readFile(file, 'utf8'));
    assert.deepEqual(await new PrivacyLedger(target).read(), { entries: [entry()], skipped: 1 });
  });

  it('tells listeners about each append until disposed, and survives a failing listener', async () => {
    const warnings: string[] = [];
    const ledger = new PrivacyLedger(file, (message) => warnings.push(message));
    const seen: string[] = [];
    const subscription = ledger.onDidAppend((one) => seen.push(commandOf(one)));
    ledger.onDidAppend(() => {
      throw new Error('boom');
    });
    await ledger.append(entry({ command: 'one' }));
    subscription.dispose();
    await ledger.append(entry({ command: 'two' }));
    assert.deepEqual(seen, ['one']);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /boom/);
    assert.equal((await ledger.read()).entries.length, 2);
  });
});

describe('formatLedgerEntry', () => {
  it('puts time, command title and endpoint host in the label', () => {
    const { label } = formatLedgerEntry(entry());
    assert.match(label, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} {2}Explain in Depth → api\.openai\.com$/);
    const local = new Date('2025-06-01T12:03:22.000Z');
    const two = (n: number) => String(n).padStart(2, '0');
    assert.ok(label.startsWith(`${local.getFullYear()}-${two(local.getMonth() + 1)}-${two(local.getDate())} ${two(local.getHours())}:${two(local.getMinutes())}:22`), label);
    assert.match(formatLedgerEntry(entry({ commandTitle: '' })).label, /explainInDepth → api\.openai\.com$/);
  });

  it('says bytes, consent, model and any failure in the description', () => {
    assert.equal(formatLedgerEntry(entry()).description, '12,345 bytes · you clicked Send · gpt-4.1');
    assert.equal(
      formatLedgerEntry(entry({ bytes: 1, consent: 'policy', outcome: 'failed', error: 'HTTP 429' })).description,
      '1 byte · allowed by policy (cloud mode) · gpt-4.1 · failed: HTTP 429',
    );
    assert.match(formatLedgerEntry(entry({ outcome: 'cancelled' })).description, / · cancelled$/);
  });

  it('lists files with line ranges, redactions and withheld files in the detail', () => {
    assert.equal(
      formatLedgerEntry(entry()).detail,
      'src/parser.ts:10–42, untitled:Untitled-1:3 · redacted 2 aws-access-key · withheld .env',
    );
    assert.equal(formatLedgerEntry(entry({ files: [], redactions: [], withheld: [] })).detail, 'no files · no redactions');
  });
});

describe('matchesLedgerFilter', () => {
  it('matches command, title, host, model and file paths, case-insensitively', () => {
    const one = entry();
    for (const text of ['', '  ', 'EXPLAININDEPTH', 'explain in', 'OpenAI.com', 'gpt-4', 'parser.ts', 'untitled:', 'parser openai']) {
      assert.ok(matchesLedgerFilter(one, text), text);
    }
  });

  it('rejects text that is in none of them, and needs every word', () => {
    const one = entry();
    for (const text of ['anthropic.com', 'claude', 'readme.md', 'parser claude', '.env']) {
      assert.equal(matchesLedgerFilter(one, text), false, text);
    }
  });
});

describe('download lines in the ledger', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-ledger-'));
    file = join(dir, 'privacy-ledger.jsonl');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps escalation lines written before downloads were recorded (no kind) valid, next to download lines', async () => {
    const old = entry();
    await writeFile(file, `${JSON.stringify(old)}\n`);
    const ledger = new PrivacyLedger(file);
    const fetched = download();
    await ledger.append(fetched);
    await ledger.append(entry({ kind: 'escalation', command: 'reviewFile' }));
    const { entries, skipped } = await ledger.read();
    assert.equal(skipped, 0);
    assert.deepEqual(entries.map(commandOf), ['explainInDepth', 'download', 'reviewFile']);
    assert.deepEqual(entries[0], old);
    assert.deepEqual(entries[1], fetched);
  });

  it('refuses a download line without what the user audits, naming the field', async () => {
    const ledger = new PrivacyLedger(file);
    await assert.rejects(ledger.append({ ...download(), bytes: -5 }), /bytes/);
    await assert.rejects(ledger.append({ ...download(), sourceHost: '' }), /sourceHost/);
    await assert.rejects(ledger.append({ ...download(), outcome: 'sent' } as unknown as DownloadEntry), /outcome/);
    assert.deepEqual(await ledger.read(), { entries: [], skipped: 0 });
  });

  it('formats source host, file name, bytes and outcome', () => {
    const done = formatLedgerEntry(download());
    assert.match(done.label, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} {2}Model download ← huggingface\.co$/);
    assert.equal(done.description, 'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf · 491,400,032 bytes · downloaded');
    assert.equal(
      done.detail,
      'https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf · redirected to cas-bridge.xethub.hf.co · sha256 74a4da8c9fdb… verified',
    );
    const failed = formatLedgerEntry(download({ outcome: 'failed', error: 'HTTP 404', bytes: 0, resumedFromBytes: 1000, mirror: true, redirectHost: undefined, sha256: undefined }));
    assert.equal(failed.description, 'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf · 0 bytes · resumed at 1,000 bytes · failed: HTTP 404');
    assert.match(failed.detail, / · mirror \(hearth\.models\.mirror\)$/);
    assert.match(formatLedgerEntry(download({ outcome: 'cancelled' })).description, / · cancelled$/);
  });

  it('finds downloads by host, file name and the word download', () => {
    const one = download();
    for (const text of ['download', 'huggingface.co', 'xethub', 'q4_k_m', 'qwen download']) assert.ok(matchesLedgerFilter(one, text), text);
    for (const text of ['openai', 'explain', 'gpt-4']) assert.equal(matchesLedgerFilter(one, text), false, text);
  });
});
