// The fake cloud server as its own process (for the integration tests in VS Code's extension host):
// it prints its URL as one JSON line and is steered over its /__control routes.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CloudError } from '../../src/host/text/cloud/cloudErrors';
import { createCloudProvider } from '../../src/host/text/cloud/createCloudProvider';
import { ok, status, type RecordedRequest } from '../fixtures/fakeCloudServer';

const repoRoot = resolve(__dirname, '../..');

describe('fakeCloudServerMain', () => {
  let child: ChildProcessWithoutNullStreams;
  let url: string;

  before(async function () {
    this.timeout(30_000); // tsx compiles the fixture on a busy machine
    child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/fakeCloudServerMain.ts'], { cwd: repoRoot });
    const firstLine = await new Promise<string>((resolveLine, reject) => {
      createInterface({ input: child.stdout }).once('line', resolveLine);
      child.once('exit', (code) => reject(new Error(`the fake server exited (${String(code)})`)));
    });
    const printed: unknown = JSON.parse(firstLine);
    assert.ok(typeof printed === 'object' && printed !== null && 'url' in printed && typeof printed.url === 'string', firstLine);
    url = printed.url;
  });

  after(async () => {
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
    child.kill('SIGTERM');
    await exited;
  });

  const control = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${url}/__control/${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    assert.equal(response.status, 200, await response.clone().text());
    return response.json();
  };

  it('takes a script, records the requests, and resets', async () => {
    await control('POST', 'script', [status(401), ok(['Scripted.'])]);
    const cloud = createCloudProvider({ id: 'fake', provider: 'openai', baseUrl: `${url}/v1`, model: 'gpt-fake', trust: 'external' }, { apiKey: 'sk-main-test-key-000', timeoutMs: 5_000, maxRetries: 0 });
    await assert.rejects(cloud.chat({ messages: [{ role: 'user', content: 'Hi.' }], maxTokens: 8, temperature: 0 }), (error: unknown) => error instanceof CloudError && error.kind === 'auth');
    const result = await cloud.chat({ messages: [{ role: 'user', content: 'Hi.' }], maxTokens: 8, temperature: 0 });
    assert.equal(result.text, 'Scripted.');

    const requests = (await control('GET', 'requests')) as RecordedRequest[];
    assert.equal(requests.length, 2);
    assert.equal(requests[0]?.path, '/v1/chat/completions');
    assert.equal((requests[0]?.body as { model?: unknown }).model, 'gpt-fake');

    await control('POST', 'reset');
    assert.deepEqual(await control('GET', 'requests'), []);
  });

  it('refuses a behaviour it does not know', async () => {
    const response = await fetch(`${url}/__control/script`, { method: 'POST', body: JSON.stringify([{ kind: 'explode' }]) });
    assert.equal(response.status, 400);
  });
});
