// The cloud gateway end to end, with real parts only: the payload builder, secretlint's redaction,
// the OpenAI provider talking to the loopback fake cloud server, and the privacy ledger on a temp
// file. Each test checks what actually reached the server and what the ledger holds afterwards:
// consent (send, local, cancel, or policy), the size cap, a missing API key, a rejected key, a
// never-send file that cannot be taken out, and a cancellation partway through the answer.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { InseparableSourceError, type PayloadMessage } from '../../src/common/policy/cloudPayload';
import type { ContextSource } from '../../src/common/policy/contextSource';
import type { EscalationEntry, LedgerEntry } from '../../src/common/policy/ledgerEntry';
import { DEFAULT_POLICY, type EffectivePolicy, type Endpoint } from '../../src/common/policy/privacyPolicy';
import { PrivacyLedger } from '../../src/host/privacy/privacyLedger';
import { mergeFindings, redactSecrets } from '../../src/host/privacy/secretRedactor';
import { CloudError } from '../../src/host/text/cloud/cloudErrors';
import { createCloudProvider } from '../../src/host/text/cloud/createCloudProvider';
import { CloudGateway, type CloudAnswer, type ConsentAnswer, type ConsentRequest, type Escalation } from '../../src/host/text/cloudGateway';
import { ok, startFakeCloudServer, status, type FakeCloudServer } from '../fixtures/fakeCloudServer';

// Made-up secrets of real shapes, assembled at runtime so that secret scanners (push protection,
// secretlint in CI) do not flag this file.
const concat = (...parts: string[]) => parts.join('');
const API_KEY = concat('sk-hearth-gateway-', '7c1e9a3f5b2d4e6a8c0b-SECRET');
const GITHUB_TOKEN = concat('ghp_', 'Qw3rTy5uIo7pAs9dFg1hJk3lZx5cVb7nM9q1');

const PARSER_PATH = 'src/parser.ts';
const SECRET_PATH = 'config/db.secret';
const NEVER_SEND_REASON = 'neverSend: **/*.secret';

// Non-ASCII on purpose, so a count of characters would not match the count of UTF-8 bytes.
const PARSER_TEXT = 'export function parse(input: string): string[] {\n  return input.split("→").map((part) => part.trim()); // café ✓\n}';
const SECRET_TEXT = 'DB_HOST=db.internal\nDB_SCHEMA=billing_ledger_prod';
const PLACEHOLDER = `[withheld: ${SECRET_PATH} is never sent to a cloud]`;

const SOURCES: readonly ContextSource[] = [
  { uri: 'file:///ws/src/parser.ts', path: PARSER_PATH, startLine: 10, endLine: 12, text: PARSER_TEXT },
  { uri: 'file:///ws/config/db.secret', path: SECRET_PATH, startLine: 1, endLine: 2, text: SECRET_TEXT },
];

const MESSAGES: readonly PayloadMessage[] = [
  { role: 'system', content: 'You explain code in depth, for a reader who is naïve about it.' },
  {
    role: 'user',
    content: `Explain this code.\n\n${PARSER_PATH}:10-12\n${PARSER_TEXT}\n\n${SECRET_PATH}:1-2\n${SECRET_TEXT}\n\nCI uses ${GITHUB_TOKEN} to fetch it.`,
  },
];

/** What the server must receive for MESSAGES: the never-send file and the token replaced. */
const EXPECTED_SENT: readonly PayloadMessage[] = [
  MESSAGES[0]!,
  {
    role: 'user',
    content: `Explain this code.\n\n${PARSER_PATH}:10-12\n${PARSER_TEXT}\n\n${SECRET_PATH}:1-2\n${PLACEHOLDER}\n\nCI uses [REDACTED: GitHub token] to fetch it.`,
  },
];

const LOCAL_RESULT: CloudAnswer = {
  text: 'A local explanation.',
  stopReason: 'eos',
  promptTokens: 40,
  evaluatedPromptTokens: 40,
  generatedTokens: 4,
  ttftMs: 12,
  totalMs: 80,
  tokensPerSec: 50,
  model: 'local-model.gguf',
  backend: 'local',
};

function asRecord(value: unknown): Record<string, unknown> {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `expected an object, got ${inspect(value)}`);
  return value as Record<string, unknown>;
}

/** The messages of the request the server recorded. */
function sentMessages(body: unknown): PayloadMessage[] {
  const messages = asRecord(body).messages;
  assert.ok(Array.isArray(messages), `expected messages, got ${inspect(body)}`);
  return messages as PayloadMessage[];
}

const utf8Bytes = (messages: readonly PayloadMessage[]) => messages.reduce((sum, message) => sum + Buffer.byteLength(message.content, 'utf8'), 0);

/** Awaits a rejection and returns what it rejected with. */
async function rejection(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to reject');
}

describe('CloudGateway', () => {
  let server: FakeCloudServer;
  let dir: string;
  let ledgerFile: string;
  let ledger: PrivacyLedger;
  let endpoint: Endpoint;
  let policy: EffectivePolicy;
  let apiKey: string;
  let answer: ConsentAnswer;
  let consentRequests: ConsentRequest[];
  let localCalls: number;
  let logLines: string[];
  let gateway: CloudGateway;
  /** Runs on each apiKey() call, before it answers (to cancel at that moment). */
  let onApiKey: () => void;

  const host = () => new URL(server.url).host;

  const escalation = (overrides: Partial<Escalation> = {}): Escalation => ({
    task: 'explainInDepth',
    endpoint,
    consent: 'ask',
    messages: MESSAGES,
    sources: SOURCES,
    maxTokens: 32,
    temperature: 0,
    onText: () => undefined,
    runLocal: () => {
      localCalls += 1;
      return Promise.resolve(LOCAL_RESULT);
    },
    ...overrides,
  });

  const ledgerEntries = async (): Promise<LedgerEntry[]> => {
    const { entries, skipped } = await ledger.read();
    assert.equal(skipped, 0);
    return entries;
  };

  /** What every entry for a request built from MESSAGES and SOURCES says, whatever the outcome. */
  const expectedEntry = (overrides: Partial<EscalationEntry>, time: string): EscalationEntry => ({
    v: 1,
    time,
    command: 'explainInDepth',
    commandTitle: 'Explain in Depth',
    provider: 'openai',
    endpointId: endpoint.id,
    endpointHost: host(),
    model: endpoint.model,
    files: [{ path: PARSER_PATH, startLine: 10, endLine: 12 }],
    withheld: [{ path: SECRET_PATH, reason: NEVER_SEND_REASON }],
    bytes: utf8Bytes(EXPECTED_SENT),
    redactions: [{ kind: 'GitHub token', count: 1 }],
    consent: 'asked',
    outcome: 'sent',
    ...overrides,
  });

  before(async () => {
    server = await startFakeCloudServer();
  });
  after(async () => server.close());

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-gateway-'));
    ledgerFile = join(dir, 'globalStorage', 'privacy-ledger.jsonl');
    ledger = new PrivacyLedger(ledgerFile);
    endpoint = { id: 'loopback', provider: 'openai', baseUrl: `${server.url}/v1`, model: 'gpt-loopback', trust: 'external' };
    policy = { ...DEFAULT_POLICY, mode: 'ask', endpoints: [endpoint] };
    apiKey = API_KEY;
    answer = 'send';
    consentRequests = [];
    localCalls = 0;
    logLines = [];
    onApiKey = () => undefined;
    gateway = new CloudGateway({
      policy: () => policy,
      neverSendReason: (source) => (source.path.endsWith('.secret') ? NEVER_SEND_REASON : undefined),
      askConsent: (request) => {
        consentRequests.push(request);
        return Promise.resolve(answer);
      },
      apiKey: () => {
        onApiKey();
        return Promise.resolve(apiKey);
      },
      connection: () => ({ timeoutMs: 5_000, maxRetries: 0 }),
      createProvider: createCloudProvider,
      redact: async (texts) => {
        const results = await Promise.all(texts.map((text) => redactSecrets(text)));
        return { texts: results.map((result) => result.text), findings: mergeFindings(results.map((result) => result.findings)) };
      },
      ledger,
      log: (line) => logLines.push(line),
    });
  });

  afterEach(async () => {
    server.reset();
    await rm(dir, { recursive: true, force: true });
  });

  it('asks with exactly what will be sent, sends it on "send", streams the answer and records it', async () => {
    server.script(ok(['The parser', ' splits on arrows', ' and trims.'], { inputTokens: 88 }));
    const deltas: string[] = [];
    const result = await gateway.run(escalation({ onText: (text) => deltas.push(text) }));

    // What reached the server.
    assert.equal(server.requests.length, 1);
    const [request] = server.requests;
    assert.equal(request!.method, 'POST');
    assert.equal(request!.path, '/v1/chat/completions');
    assert.equal(request!.headers.authorization, `Bearer ${API_KEY}`);
    const body = asRecord(request!.body);
    assert.equal(body.model, 'gpt-loopback');
    assert.equal(body.max_tokens, 32);
    assert.equal(body.temperature, 0);
    assert.equal(body.stream, true);
    const sent = sentMessages(body);
    assert.deepEqual(sent, EXPECTED_SENT);
    const wire = JSON.stringify(body);
    assert.ok(!wire.includes(SECRET_TEXT), 'the never-send file reached the server');
    assert.ok(!wire.includes(GITHUB_TOKEN), 'the GitHub token reached the server');

    // What the user was asked.
    assert.equal(consentRequests.length, 1);
    const consent = consentRequests[0]!;
    assert.equal(consent.task, 'explainInDepth');
    assert.equal(consent.title, 'Explain in Depth');
    assert.deepEqual(consent.endpoint, endpoint);
    assert.deepEqual(consent.files, [{ path: PARSER_PATH, startLine: 10, endLine: 12 }]);
    assert.deepEqual(consent.withheld, [{ path: SECRET_PATH, reason: NEVER_SEND_REASON }]);
    assert.equal(consent.bytes, utf8Bytes(sent));
    assert.notEqual(consent.bytes, sent.reduce((sum, message) => sum + message.content.length, 0), 'the test text must tell bytes from characters');
    assert.deepEqual(consent.redactions, [{ kind: 'GitHub token', count: 1 }]);
    assert.deepEqual(consent.messages, sent);
    assert.equal(localCalls, 0);

    // What came back.
    assert.deepEqual(deltas, ['The parser', ' splits on arrows', ' and trims.']);
    assert.equal(result.text, 'The parser splits on arrows and trims.');
    assert.equal(result.stopReason, 'eos');
    assert.equal(result.promptTokens, 88);
    assert.equal(result.generatedTokens, 3);
    assert.equal(result.model, 'gpt-loopback (loopback)');
    assert.equal(result.backend, 'cloud');

    // What was recorded.
    const entries = await ledgerEntries();
    assert.equal(entries.length, 1);
    const entry = entries[0]!;
    assert.ok(!Number.isNaN(Date.parse(entry.time)), `not a time: ${entry.time}`);
    assert.deepEqual(entry, expectedEntry({ consent: 'asked', outcome: 'sent' }, entry.time));
    assert.equal(entry.bytes, utf8Bytes(sent));
    const onDisk = await readFile(ledgerFile, 'utf8');
    assert.ok(!onDisk.includes(API_KEY), 'the API key is in the ledger file');
    assert.ok(!onDisk.includes(GITHUB_TOKEN), 'the GitHub token is in the ledger file');
    assert.ok(!onDisk.includes(SECRET_TEXT), 'the never-send text is in the ledger file');
    assert.ok(!logLines.join('\n').includes(API_KEY), 'the API key is in the log');
  });

  it('answers on the local model on "local": nothing is sent or recorded', async () => {
    answer = 'local';
    const result = await gateway.run(escalation());
    assert.equal(consentRequests.length, 1);
    assert.equal(localCalls, 1);
    assert.deepEqual(result, LOCAL_RESULT);
    assert.equal(server.requests.length, 0);
    assert.deepEqual(await ledgerEntries(), []);
  });

  it('stops on "cancel": nothing is sent, run locally or recorded', async () => {
    answer = 'cancel';
    const result = await gateway.run(escalation());
    assert.equal(consentRequests.length, 1);
    assert.equal(result.stopReason, 'cancelled');
    assert.equal(result.text, '');
    assert.equal(localCalls, 0);
    assert.equal(server.requests.length, 0);
    assert.deepEqual(await ledgerEntries(), []);
  });

  it('sends without asking when the policy allows it (mode cloud) and records consent "policy"', async () => {
    policy = { ...DEFAULT_POLICY, mode: 'cloud', endpoints: [endpoint] };
    server.script(ok(['Policy', ' answer.']));
    const deltas: string[] = [];
    const result = await gateway.run(escalation({ consent: 'policy', onText: (text) => deltas.push(text) }));
    assert.equal(consentRequests.length, 0);
    assert.equal(server.requests.length, 1);
    assert.deepEqual(sentMessages(server.requests[0]!.body), EXPECTED_SENT);
    assert.deepEqual(deltas, ['Policy', ' answer.']);
    assert.equal(result.text, 'Policy answer.');
    const entries = await ledgerEntries();
    assert.equal(entries.length, 1);
    assert.deepEqual(entries[0], expectedEntry({ consent: 'policy', outcome: 'sent' }, entries[0]!.time));
  });

  it('refuses a payload over maxBytesPerRequest, naming the bytes and the limit, before asking', async () => {
    policy = { ...DEFAULT_POLICY, mode: 'ask', endpoints: [endpoint], maxBytesPerRequest: 1_000 };
    const messages: PayloadMessage[] = [
      { role: 'system', content: 'Explain.' },
      { role: 'user', content: 'x'.repeat(1_492) },
    ];
    const bytes = utf8Bytes(messages);
    assert.equal(bytes, 1_500);
    const error = await rejection(gateway.run(escalation({ messages, sources: [] })));
    assert.ok(error instanceof Error, inspect(error));
    assert.match(error.message, /1,500 bytes/);
    assert.match(error.message, /1,000 per request/);
    assert.match(error.message, /nothing was sent/);
    assert.ok(error.message.includes(host()), error.message);
    assert.equal(consentRequests.length, 0);
    assert.equal(server.requests.length, 0);
    assert.deepEqual(await ledgerEntries(), []);
  });

  it('refuses an external endpoint without an API key, telling the user how to set one', async () => {
    policy = { ...DEFAULT_POLICY, mode: 'cloud', endpoints: [endpoint] };
    apiKey = '';
    const error = await rejection(gateway.run(escalation({ consent: 'policy' })));
    assert.ok(error instanceof Error, inspect(error));
    assert.ok(error.message.includes('"Hearth: Set Cloud API Key…"'), error.message);
    assert.ok(error.message.includes('nothing was sent'), error.message);
    assert.equal(server.requests.length, 0);
    assert.deepEqual(await ledgerEntries(), []);
  });

  it('under "ask", tells the user the key is missing before showing a payload that cannot be sent', async () => {
    policy = { ...DEFAULT_POLICY, mode: 'ask', endpoints: [endpoint] };
    apiKey = '';
    const error = await rejection(gateway.run(escalation({ consent: 'ask' })));
    assert.ok(error instanceof Error && error.message.includes('Set Cloud API Key'), inspect(error));
    assert.equal(consentRequests.length, 0, 'the consent dialog was shown for a request that could not be sent');
    assert.equal(server.requests.length, 0);
  });

  it('sends to an internal endpoint without an API key (a keyless company server), with no Authorization header', async () => {
    endpoint = { ...endpoint, id: 'company-vllm', trust: 'internal' };
    policy = { ...DEFAULT_POLICY, mode: 'cloud', endpoints: [endpoint] };
    apiKey = '';
    server.script(ok(['Internal', ' answer.']));
    const result = await gateway.run(escalation({ endpoint, consent: 'policy' }));
    assert.equal(result.text, 'Internal answer.');
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]!.headers.authorization, undefined);
    assert.deepEqual(sentMessages(server.requests[0]!.body), EXPECTED_SENT);
    const entries = await ledgerEntries();
    assert.equal(entries.length, 1);
    assert.deepEqual(entries[0], expectedEntry({ endpointId: 'company-vllm', consent: 'policy', outcome: 'sent' }, entries[0]!.time));
  });

  it('rejects on a 401 with an actionable message and records the failure', async () => {
    server.script(status(401));
    const deltas: string[] = [];
    const error = await rejection(gateway.run(escalation({ onText: (text) => deltas.push(text) })));
    assert.ok(error instanceof CloudError, inspect(error));
    assert.equal(error.kind, 'auth');
    assert.ok(error.message.includes('401'), error.message);
    assert.ok(error.message.includes('"Hearth: Set Cloud API Key…"'), error.message);
    assert.ok(!error.message.includes(API_KEY), error.message);
    assert.deepEqual(deltas, []);
    assert.equal(server.requests.length, 1);
    assert.deepEqual(sentMessages(server.requests[0]!.body), EXPECTED_SENT);
    const entries = await ledgerEntries();
    assert.equal(entries.length, 1);
    assert.deepEqual(entries[0], expectedEntry({ consent: 'asked', outcome: 'failed', error: error.message }, entries[0]!.time));
    assert.ok(!(await readFile(ledgerFile, 'utf8')).includes(API_KEY), 'the API key is in the ledger file');
  });

  it('refuses a request a never-send file cannot be taken out of: nothing asked, sent or recorded', async () => {
    // The file's text was reshaped (here: re-indented) on its way into the prompt.
    const messages: PayloadMessage[] = [{ role: 'user', content: `Explain:\n${SECRET_TEXT.replace(/^/gm, '    ')}` }];
    const sources: ContextSource[] = [{ uri: 'file:///ws/config/db.secret', path: SECRET_PATH, startLine: 1, endLine: 2, text: SECRET_TEXT }];
    const error = await rejection(gateway.run(escalation({ messages, sources })));
    assert.ok(error instanceof InseparableSourceError, inspect(error));
    assert.equal(error.path, SECRET_PATH);
    assert.equal(consentRequests.length, 0);
    assert.equal(server.requests.length, 0);
    assert.deepEqual(await ledgerEntries(), []);
  });

  it('stops mid-stream on cancellation, returning the text so far, and records "cancelled"', async () => {
    server.script(ok(['First part.', ' Second part.', ' Third part.', ' Fourth part.'], { delayMs: 200 }));
    const source = new CancellationTokenSource();
    const deltas: string[] = [];
    try {
      const result = await gateway.run(
        escalation({
          token: source.token,
          onText: (text) => {
            deltas.push(text);
            source.cancel();
          },
        }),
      );
      assert.equal(result.stopReason, 'cancelled');
      assert.deepEqual(deltas, ['First part.']);
      assert.equal(result.text, 'First part.');
      assert.equal(result.backend, 'cloud');
    } finally {
      source.dispose();
    }
    assert.equal(server.requests.length, 1);
    const entries = await ledgerEntries();
    assert.equal(entries.length, 1);
    assert.deepEqual(entries[0], expectedEntry({ consent: 'asked', outcome: 'cancelled' }, entries[0]!.time));
  });

  it('sends nothing when cancelled while the API key is being read', async () => {
    const source = new CancellationTokenSource();
    onApiKey = () => source.cancel();
    try {
      const result = await gateway.run(escalation({ token: source.token }));
      assert.equal(result.stopReason, 'cancelled');
      assert.equal(result.text, '');
    } finally {
      source.dispose();
    }
    // Let a request that slipped out arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(server.requests.length, 0);
    assert.deepEqual(await ledgerEntries(), []);
  });
});
