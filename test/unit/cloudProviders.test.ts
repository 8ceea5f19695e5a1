// Both cloud providers against the fake cloud server, which speaks OpenAI's and Anthropic's real wire
// formats: streaming, what goes on the wire, error kinds and messages (never the key), retries,
// timeouts, malformed streams, cancellation, and the proxy and company-CA transports.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { CloudError, type CloudErrorKind } from '../../src/host/text/cloud/cloudErrors';
import type { CloudChatRequest, CloudConnectionOptions, CloudEndpoint } from '../../src/host/text/cloud/cloudProvider';
import { createCloudProvider } from '../../src/host/text/cloud/createCloudProvider';
import { DEFAULT_CHUNKS, drop, hang, malformed, ok, startFakeCloudServer, status, type FakeCloudServer } from '../fixtures/fakeCloudServer';

const API_KEY = 'sk-hearth-test-5f2c9a7e1d3b4c6a8e0f-SECRET';

const REQUEST: CloudChatRequest = {
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Name a colour.' },
    { role: 'assistant', content: 'Blue.' },
    { role: 'user', content: 'Another one.' },
  ],
  maxTokens: 64,
  temperature: 0.3,
};

/** Generous: the fake answers at once, so only a broken call comes near it. */
const CONNECTION: CloudConnectionOptions = { apiKey: API_KEY, timeoutMs: 5_000, maxRetries: 2 };

type Provider = CloudEndpoint['provider'];

function endpointFor(provider: Provider, baseUrl: string): CloudEndpoint {
  return provider === 'openai'
    ? { id: 'fake-openai', provider, baseUrl: `${baseUrl}/v1`, model: 'gpt-fake', trust: 'external' }
    : { id: 'fake-anthropic', provider, baseUrl, model: 'claude-fake', trust: 'external' };
}

function asRecord(value: unknown): Record<string, unknown> {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `expected an object, got ${inspect(value)}`);
  return value as Record<string, unknown>;
}

/** Awaits a rejection with a CloudError of `kind` whose every rendering is free of the API key. */
async function cloudFailure(call: Promise<unknown>, kind: CloudErrorKind): Promise<CloudError> {
  let caught: unknown;
  try {
    await call;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof CloudError, `expected a CloudError, got ${inspect(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  for (const rendering of [caught.message, String(caught.stack), inspect(caught, { depth: 10 }), JSON.stringify(caught), String(caught)]) {
    assert.ok(!rendering.includes(API_KEY), `the API key leaked into: ${rendering}`);
  }
  return caught;
}

for (const provider of ['openai', 'anthropic'] as const) {
  describe(`cloud provider: ${provider}`, () => {
    let server: FakeCloudServer;
    let endpoint: CloudEndpoint;
    const host = () => new URL(server.url).host;
    const make = (options: Partial<CloudConnectionOptions> = {}) => createCloudProvider(endpoint, { ...CONNECTION, ...options });

    before(async () => {
      server = await startFakeCloudServer();
      endpoint = endpointFor(provider, server.url);
    });
    afterEach(() => server.reset());
    after(async () => server.close());

    it('streams the deltas in order and returns the joined text and usage', async () => {
      server.script(ok(['Red', ', green', ' and blue.'], { inputTokens: 31 }));
      const deltas: string[] = [];
      const result = await make().chat(REQUEST, { onText: (delta) => deltas.push(delta) });
      assert.deepEqual(deltas, ['Red', ', green', ' and blue.']);
      assert.deepEqual(result, { text: 'Red, green and blue.', stopReason: 'stop', inputTokens: 31, outputTokens: 3 });
      assert.equal(server.requests.length, 1);
    });

    it('answers with the fixed text when nothing is scripted', async () => {
      const result = await make().chat(REQUEST);
      assert.equal(result.text, DEFAULT_CHUNKS.join(''));
    });

    it('reports an answer cut off by max tokens as stopReason length', async () => {
      server.script(ok(['Once upon'], { finish: 'length' }));
      const result = await make().chat(REQUEST);
      assert.equal(result.stopReason, 'length');
      assert.equal(result.text, 'Once upon');
    });

    it('sends the model, the messages, max tokens, temperature and the API key', async () => {
      await make().chat(REQUEST);
      assert.equal(server.requests.length, 1);
      const [sent] = server.requests;
      assert.ok(sent !== undefined);
      assert.equal(sent.method, 'POST');
      const body = asRecord(sent.body);
      if (provider === 'openai') {
        assert.equal(sent.path, '/v1/chat/completions');
        assert.deepEqual(body, {
          model: 'gpt-fake',
          messages: REQUEST.messages,
          max_tokens: 64,
          temperature: 0.3,
          stream: true,
          stream_options: { include_usage: true },
        });
        assert.equal(sent.headers.authorization, `Bearer ${API_KEY}`);
      } else {
        assert.equal(sent.path, '/v1/messages');
        assert.deepEqual(body, {
          model: 'claude-fake',
          system: 'You are terse.',
          messages: REQUEST.messages.slice(1),
          max_tokens: 64,
          temperature: 0.3,
          stream: true,
        });
        // @anthropic-ai/sdk 1.x sends an API key as a Bearer token (0.x sent x-api-key): either carries it.
        assert.ok(sent.headers.authorization === `Bearer ${API_KEY}` || sent.headers['x-api-key'] === API_KEY, inspect(sent.headers));
        assert.ok(sent.headers['anthropic-version'] !== undefined, 'the SDK names the API version');
      }
      // Nothing about this machine beyond what the SDK's user agent says.
      for (const name of ['x-stainless-os', 'x-stainless-arch', 'x-stainless-runtime', 'x-stainless-runtime-version']) {
        assert.equal(sent.headers[name], undefined, name);
      }
    });

    it('sends no key when none is set, and a 401 then says to set one', async () => {
      server.script(status(401));
      const failure = await cloudFailure(make({ apiKey: '' }).chat(REQUEST), 'auth');
      assert.equal(server.requests[0]?.headers.authorization, undefined);
      assert.equal(server.requests[0]?.headers['x-api-key'], undefined);
      assert.match(failure.message, /none is set/);
    });

    it('401: kind auth, an actionable message naming the host, no retry', async () => {
      server.script(status(401), ok());
      const failure = await cloudFailure(make().chat(REQUEST), 'auth');
      assert.equal(failure.message, `${host()} rejected the API key (401). Set a new key with "Hearth: Set Cloud API Key…".`);
      assert.equal(failure.status, 401);
      assert.equal(failure.endpointHost, host());
      assert.equal(server.requests.length, 1);
    });

    it('403: kind forbidden, naming the model', async () => {
      server.script(status(403));
      const failure = await cloudFailure(make().chat(REQUEST), 'forbidden');
      assert.ok(failure.message.startsWith(`${host()} refused access to the model "${endpoint.model}" (403)`), failure.message);
      assert.equal(server.requests.length, 1);
    });

    it('404: kind notFound, naming the model and the URL path', async () => {
      server.script(status(404));
      const failure = await cloudFailure(make().chat(REQUEST), 'notFound');
      const path = provider === 'openai' ? '/v1/chat/completions' : '/v1/messages';
      assert.ok(failure.message.includes(`"${endpoint.model}"`) && failure.message.includes(path), failure.message);
      assert.equal(server.requests.length, 1);
    });

    it('429 then success: succeeds after one retry', async () => {
      server.script(status(429, 0.01), ok(['Fine.']));
      const result = await make().chat(REQUEST);
      assert.equal(result.text, 'Fine.');
      assert.equal(server.requests.length, 2);
    });

    it('429 every time: kind rateLimited after maxRetries + 1 requests', async () => {
      server.script(status(429, 0.01), status(429, 0.01), status(429, 0.01));
      const failure = await cloudFailure(make({ maxRetries: 2 }).chat(REQUEST), 'rateLimited');
      assert.match(failure.message, /rate limiting requests \(429, still after 2 retries\)/);
      assert.equal(server.requests.length, 3);
    });

    it('500 every time: kind server after maxRetries + 1 requests', async () => {
      server.script(status(500, 0.01), status(500, 0.01), status(500, 0.01), ok());
      const failure = await cloudFailure(make({ maxRetries: 2 }).chat(REQUEST), 'server');
      assert.equal(failure.status, 500);
      assert.ok(failure.message.startsWith(`${host()} had a server error (500, still after 2 retries)`), failure.message);
      assert.equal(server.requests.length, 3);
    });

    it('scrubs the key from a server reason that echoes it', async () => {
      server.script(status(400, undefined, `The header "Authorization: Bearer ${API_KEY}" is not allowed here.`));
      const failure = await cloudFailure(make().chat(REQUEST), 'badRequest');
      assert.match(failure.message, /\[API key\]/);
    });

    it('no answer at all: kind timeout, after the retries', async () => {
      server.script(hang(), hang());
      const failure = await cloudFailure(make({ timeoutMs: 500, maxRetries: 1 }).chat(REQUEST), 'timeout');
      assert.match(failure.message, new RegExp(`^${host().replace(/\./g, '\\.')} did not answer within 0\\.5 s`));
      assert.equal(server.requests.length, 2);
    });

    it('a stream that stops mid-answer: kind timeout from the idle timer', async () => {
      server.script(hang({ headers: true, chunks: ['Half an'] }));
      const deltas: string[] = [];
      const failure = await cloudFailure(make({ timeoutMs: 500 }).chat(REQUEST, { onText: (delta) => deltas.push(delta) }), 'timeout');
      assert.match(failure.message, /stopped mid-stream/);
      assert.deepEqual(deltas, ['Half an']);
      assert.equal(server.requests.length, 1);
    });

    it('a connection reset mid-answer: kind network', async () => {
      server.script(drop(['Half an']));
      const failure = await cloudFailure(make().chat(REQUEST), 'network');
      assert.ok(failure.message.startsWith(`Hearth could not reach ${host()}, or lost the connection (`), failure.message);
      assert.equal(server.requests.length, 1);
    });

    it('a malformed stream: kind malformed', async () => {
      server.script(malformed());
      const failure = await cloudFailure(make().chat(REQUEST), 'malformed');
      assert.ok(failure.message.startsWith(`${host()} sent a response Hearth could not read (`), failure.message);
    });

    it('abort mid-stream: resolves cancelled with the text so far', async () => {
      server.script(ok(['First', ' second', ' third', ' fourth'], { delayMs: 150 }));
      const controller = new AbortController();
      const deltas: string[] = [];
      const result = await make().chat(REQUEST, {
        signal: controller.signal,
        onText: (delta) => {
          deltas.push(delta);
          controller.abort();
        },
      });
      assert.equal(result.stopReason, 'cancelled');
      assert.equal(result.text, 'First');
      assert.deepEqual(deltas, ['First']);
    });

    it('abort while waiting out a retry-after: resolves cancelled without waiting', async () => {
      // Kept short: the openai SDK's retry sleep cannot be aborted and holds the process open until it ends.
      server.script(status(429, 3));
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 50);
      const result = await make().chat(REQUEST, { signal: controller.signal });
      assert.deepEqual(result, { text: '', stopReason: 'cancelled' });
      assert.ok(Date.now() - started < 2_500, 'cancelling waited for the retry');
      assert.equal(server.requests.length, 1);
    });

    it('an already-aborted signal sends nothing', async () => {
      const result = await make().chat(REQUEST, { signal: AbortSignal.abort() });
      assert.deepEqual(result, { text: '', stopReason: 'cancelled' });
      assert.equal(server.requests.length, 0);
    });

    it('nothing listening: kind network', async () => {
      const closed = await startFakeCloudServer();
      await closed.close();
      const provider_ = createCloudProvider(endpointFor(provider, closed.url), { ...CONNECTION, maxRetries: 0 });
      const failure = await cloudFailure(provider_.chat(REQUEST), 'network');
      assert.match(failure.message, /ECONNREFUSED/);
    });
  });
}

/** A CONNECT proxy that tunnels to 127.0.0.1 only, and counts the tunnels it opened. */
async function startConnectProxy(): Promise<{ url: string; connects: string[]; close(): Promise<void> }> {
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (data: Buffer) => {
      head = Buffer.concat([head, data]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.off('data', onData);
      const match = /^CONNECT (127\.0\.0\.1):(\d+) HTTP\/1\.[01]\r\n/.exec(head.subarray(0, end).toString('latin1'));
      if (match === null) {
        client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      connects.push(`${match[1]}:${match[2]}`);
      const upstream = connect(Number(match[2]), match[1], () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head.subarray(end + 4));
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  assert.ok(address !== null && typeof address === 'object');
  return {
    url: `http://127.0.0.1:${address.port}`,
    connects,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        proxy.close(() => resolve());
      }),
  };
}

describe('cloud providers through a proxy', () => {
  let server: FakeCloudServer;
  let proxy: Awaited<ReturnType<typeof startConnectProxy>>;

  before(async () => {
    server = await startFakeCloudServer();
    proxy = await startConnectProxy();
  });
  after(async () => {
    await proxy.close();
    await server.close();
  });

  for (const provider of ['openai', 'anthropic'] as const) {
    it(`${provider}: the request goes through the proxy's tunnel and succeeds`, async () => {
      proxy.connects.length = 0;
      server.reset();
      const cloud = createCloudProvider(endpointFor(provider, server.url), { ...CONNECTION, proxyUrl: proxy.url });
      const result = await cloud.chat(REQUEST);
      assert.equal(result.text, DEFAULT_CHUNKS.join(''));
      assert.deepEqual(proxy.connects, [new URL(server.url).host]);
      assert.equal(server.requests.length, 1);
    });
  }
});

describe('cloud providers with a company CA', () => {
  // A self-signed certificate for 127.0.0.1 (test/fixtures/tls, valid until 2126) stands in for one
  // signed by a company CA; committed, so the test needs no openssl and never skips.
  const tls = join(__dirname, '..', 'fixtures', 'tls');
  const cert = readFileSync(join(tls, 'loopback-cert.pem'), 'utf8');
  let server: FakeCloudServer;

  before(async () => {
    server = await startFakeCloudServer({ tls: { key: readFileSync(join(tls, 'loopback-key.pem'), 'utf8'), cert } });
  });
  after(async () => {
    await server?.close();
  });

  it('without the CA the certificate is refused: kind network, saying to add the CA', async () => {
    const cloud = createCloudProvider(endpointFor('openai', server.url), { ...CONNECTION, maxRetries: 0 });
    const failure = await cloudFailure(cloud.chat(REQUEST), 'network');
    assert.match(failure.message, /could not verify the certificate/);
  });

  for (const provider of ['openai', 'anthropic'] as const) {
    it(`${provider}: with the CA the call succeeds`, async () => {
      const cloud = createCloudProvider(endpointFor(provider, server.url), { ...CONNECTION, caCertificates: [cert] });
      const result = await cloud.chat(REQUEST);
      assert.equal(result.text, DEFAULT_CHUNKS.join(''));
    });
  }
});

describe('createCloudProvider', () => {
  it('refuses a base URL that is not http(s), as kind notFound', () => {
    assert.throws(
      () => createCloudProvider({ id: 'broken', provider: 'openai', baseUrl: 'not a url', model: 'm', trust: 'external' }, CONNECTION),
      (error: unknown) => error instanceof CloudError && error.kind === 'notFound' && error.message.includes('"broken"'),
    );
  });

  it('takes an Anthropic base URL written with /v1', async () => {
    const server = await startFakeCloudServer();
    try {
      const cloud = createCloudProvider({ id: 'a', provider: 'anthropic', baseUrl: `${server.url}/v1`, model: 'claude-fake', trust: 'external' }, CONNECTION);
      await cloud.chat(REQUEST);
      assert.equal(server.requests[0]?.path, '/v1/messages');
    } finally {
      await server.close();
    }
  });
});
