// The text a cloud request carries: every never-send file's exact text replaced by a placeholder,
// what is sent and what was withheld listed, and a request that cannot be separated from a
// never-send file refused. payloadBytes counts UTF-8 bytes.
import assert from 'node:assert/strict';
import { InseparableSourceError, payloadBytes, withholdNeverSend, type PayloadMessage } from '../../src/common/policy/cloudPayload';
import type { ContextSource } from '../../src/common/policy/contextSource';

const source = (path: string, text: string | undefined, startLine = 1, endLine = 1): ContextSource => ({
  uri: `file:///ws/${path}`,
  path,
  startLine,
  endLine,
  ...(text === undefined ? {} : { text }),
});

const placeholder = (path: string) => `[withheld: ${path} is never sent to a cloud]`;

/** A never-send rule that withholds the listed paths, with a reason naming the glob. */
const neverSend =
  (...paths: string[]) =>
  (s: ContextSource) =>
    paths.includes(s.path) ? `matches **/${s.path.split('/').pop()} (default)` : undefined;

// A made-up value, assembled at runtime so that secret scanners do not flag this file.
const SECRET = ['DB_PASSWORD=', 'hunter2-', 'x9Qz'].join('');
const ENV_TEXT = `${SECRET}\nAPI_URL=https://api.example`;
const CODE_TEXT = 'export function add(a: number, b: number) {\n  return a + b;\n}';

describe('withholdNeverSend', () => {
  it('replaces a never-send source\'s exact text with a placeholder in every message', () => {
    const messages: PayloadMessage[] = [
      { role: 'system', content: `Context:\n${ENV_TEXT}\nend` },
      { role: 'user', content: `Why does this fail?\n${ENV_TEXT}\n${CODE_TEXT}` },
      { role: 'assistant', content: 'Earlier answer, no file here.' },
    ];
    const result = withholdNeverSend(messages, [source('src/add.ts', CODE_TEXT, 10, 12), source('.env', ENV_TEXT, 1, 2)], neverSend('.env'));
    assert.deepEqual(result.messages, [
      { role: 'system', content: `Context:\n${placeholder('.env')}\nend` },
      { role: 'user', content: `Why does this fail?\n${placeholder('.env')}\n${CODE_TEXT}` },
      { role: 'assistant', content: 'Earlier answer, no file here.' },
    ]);
    for (const message of result.messages) assert.ok(!message.content.includes(SECRET), `the secret is in ${message.role}`);
    assert.deepEqual(result.files, [{ path: 'src/add.ts', startLine: 10, endLine: 12 }]);
    assert.deepEqual(result.withheld, [{ path: '.env', reason: 'matches **/.env (default)' }]);
  });

  it('replaces every occurrence within one message', () => {
    const result = withholdNeverSend([{ role: 'user', content: `${ENV_TEXT} and again ${ENV_TEXT}` }], [source('.env', ENV_TEXT)], neverSend('.env'));
    assert.equal(result.messages[0]?.content, `${placeholder('.env')} and again ${placeholder('.env')}`);
  });

  it('withholds several never-send sources, each by its own placeholder', () => {
    const key = 'BEGIN-KEY abc123 END-KEY';
    const messages: PayloadMessage[] = [{ role: 'user', content: `a:\n${ENV_TEXT}\nb:\n${key}\nc:\n${CODE_TEXT}` }];
    const result = withholdNeverSend(
      messages,
      [source('config/.env', ENV_TEXT, 1, 2), source('certs/server.key', key, 1, 1), source('src/add.ts', CODE_TEXT, 1, 3)],
      neverSend('config/.env', 'certs/server.key'),
    );
    assert.equal(result.messages[0]?.content, `a:\n${placeholder('config/.env')}\nb:\n${placeholder('certs/server.key')}\nc:\n${CODE_TEXT}`);
    assert.deepEqual(result.files, [{ path: 'src/add.ts', startLine: 1, endLine: 3 }]);
    assert.deepEqual(
      result.withheld.map(({ path }) => path),
      ['config/.env', 'certs/server.key'],
    );
  });

  it('lists every source as sent, with its lines, when none is never-send', () => {
    const messages: PayloadMessage[] = [{ role: 'user', content: CODE_TEXT }];
    const result = withholdNeverSend(messages, [source('src/add.ts', CODE_TEXT, 3, 5), source('README.md', undefined, 1, 40)], () => undefined);
    assert.deepEqual(result.messages, messages);
    assert.deepEqual(result.files, [
      { path: 'src/add.ts', startLine: 3, endLine: 5 },
      { path: 'README.md', startLine: 1, endLine: 40 },
    ]);
    assert.deepEqual(result.withheld, []);
  });

  it('does not change the messages it is given', () => {
    const messages: PayloadMessage[] = [{ role: 'user', content: ENV_TEXT }];
    const copy = structuredClone(messages);
    withholdNeverSend(messages, [source('.env', ENV_TEXT)], neverSend('.env'));
    assert.deepEqual(messages, copy);
  });

  it('leaves the messages alone when there are no sources', () => {
    const messages: PayloadMessage[] = [{ role: 'user', content: 'hello' }];
    assert.deepEqual(withholdNeverSend(messages, [], neverSend('.env')), { messages, files: [], withheld: [] });
  });

  describe('a never-send source it cannot separate', () => {
    it('throws InseparableSourceError when the text is not found verbatim (a feature reshaped it)', () => {
      const messages: PayloadMessage[] = [{ role: 'user', content: `Summary of the file: ${ENV_TEXT.toUpperCase()}` }];
      assert.throws(
        () => withholdNeverSend(messages, [source('.env', ENV_TEXT)], neverSend('.env')),
        (error: unknown) => {
          assert.ok(error instanceof InseparableSourceError);
          assert.equal(error.name, 'InseparableSourceError');
          assert.equal(error.path, '.env');
          assert.ok(error.message.includes('.env') && error.message.includes('nothing was sent'), error.message);
          return true;
        },
      );
    });

    it('throws when the source has no text', () => {
      assert.throws(() => withholdNeverSend([{ role: 'user', content: ENV_TEXT }], [source('.env', undefined)], neverSend('.env')), InseparableSourceError);
    });

    it('throws when the source\'s text is blank', () => {
      assert.throws(() => withholdNeverSend([{ role: 'user', content: `x \n\t y` }], [source('.env', ' \n\t ')], neverSend('.env')), InseparableSourceError);
    });

    it('throws for the second never-send source even when the first was withheld', () => {
      const messages: PayloadMessage[] = [{ role: 'user', content: ENV_TEXT }];
      assert.throws(
        () => withholdNeverSend(messages, [source('.env', ENV_TEXT), source('id_rsa', 'not in the message')], neverSend('.env', 'id_rsa')),
        (error: unknown) => error instanceof InseparableSourceError && error.path === 'id_rsa',
      );
    });
  });
});

describe('payloadBytes', () => {
  it('is 0 for no messages or empty ones', () => {
    assert.equal(payloadBytes([]), 0);
    assert.equal(payloadBytes([{ role: 'user', content: '' }]), 0);
  });

  it('counts ASCII one byte a character, over every message', () => {
    assert.equal(payloadBytes([
      { role: 'system', content: 'abc' },
      { role: 'user', content: 'hello' },
    ]), 8);
  });

  it('counts UTF-8 bytes, not UTF-16 code units', () => {
    assert.equal(payloadBytes([{ role: 'user', content: 'é' }]), 2); // U+00E9
    assert.equal(payloadBytes([{ role: 'user', content: '€' }]), 3); // U+20AC
    assert.equal(payloadBytes([{ role: 'user', content: '😀' }]), 4); // a surrogate pair: length 2
    assert.equal('😀'.length, 2);
    assert.equal(payloadBytes([{ role: 'user', content: 'naïve 日本 😀' }]), 6 + 1 + 6 + 1 + 4); // naïve: 4 ASCII + ï (2)
  });

  it('counts only the content, not the role', () => {
    assert.equal(payloadBytes([{ role: 'assistant', content: 'x' }]), 1);
  });

  it('agrees with Buffer.byteLength', () => {
    const content = 'Grüße, мир, 世界, 🙂🙃 — ok';
    assert.equal(payloadBytes([{ role: 'user', content }]), Buffer.byteLength(content, 'utf8'));
  });
});
