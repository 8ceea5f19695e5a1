// The download process's messages (both directions) and the environment it is started with: what
// the schemas accept and refuse, and that no Hugging Face token or endpoint variable gets through.
import assert from 'node:assert/strict';
import {
  downloadProcessEnv,
  downloadStartMessage,
  downloadToHostMessage,
  hostToDownloadMessage,
  isHuggingFaceEnvName,
  partialFileName,
} from '../../src/common/protocol/downloadProtocol';

const SHA = '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d';
const start = {
  type: 'start',
  url: 'https://huggingface.co/org/repo/resolve/main/model.gguf',
  directory: '/home/me/.config/Code/User/globalStorage/hearth.hearth/models',
  fileName: 'model.gguf',
  sha256: SHA,
};

describe('download protocol', () => {
  it('accepts a start message and fills in the defaults', () => {
    const parsed = downloadStartMessage.parse(start);
    assert.equal(parsed.parallelConnections, 4);
    assert.equal(parsed.stallTimeoutMs, 60_000);
    assert.equal(parsed.expectedSizeBytes, undefined);
    assert.equal(downloadStartMessage.parse({ ...start, sha256: SHA.toUpperCase() }).sha256, SHA);
    assert.equal(downloadStartMessage.parse({ ...start, sha256: null }).sha256, null);
  });

  it('refuses what the download process must never be asked', () => {
    const refused: Array<[string, Record<string, unknown>]> = [
      ['a file URL', { url: 'file:///etc/passwd' }],
      ['an hf: URI (the library would call the Hugging Face API)', { url: 'hf:org/repo:Q4_K_M' }],
      ['credentials in the URL', { url: 'https://user:secret@mirror.example/model.gguf' }],
      ['a file name with a folder', { fileName: '../model.gguf' }],
      ['a hidden file name', { fileName: '.model.gguf' }],
      ['a file name that is not .gguf', { fileName: 'model.bin' }],
      ['a control character', { fileName: 'mo\u0001del.gguf' }],
      ['a short sha256', { sha256: 'abc' }],
      ['no sha256 field at all', { sha256: undefined }],
      ['zero connections', { parallelConnections: 0 }],
      ['a negative size', { expectedSizeBytes: -1 }],
    ];
    for (const [what, change] of refused) {
      assert.equal(downloadStartMessage.safeParse({ ...start, ...change }).success, false, what);
    }
  });

  it('parses both directions as discriminated unions and drops unknown types', () => {
    assert.equal(hostToDownloadMessage.parse({ type: 'cancel' }).type, 'cancel');
    assert.equal(hostToDownloadMessage.safeParse({ type: 'pause' }).success, false);
    const progress = downloadToHostMessage.parse({ type: 'progress', phase: 'downloading', receivedBytes: 10, totalBytes: null });
    assert.deepEqual(progress, { type: 'progress', phase: 'downloading', receivedBytes: 10, totalBytes: null, resumedFromBytes: 0, redirectedTo: null });
    const failed = downloadToHostMessage.safeParse({
      type: 'failed',
      code: 'teapot',
      message: 'x',
      contacted: false,
      receivedBytes: 0,
      partialKept: false,
      redirectedTo: null,
    });
    assert.equal(failed.success, false);
    const done = downloadToHostMessage.parse({
      type: 'done',
      path: '/m/model.gguf',
      sizeBytes: 5,
      sha256: SHA,
      sha256Verified: true,
      receivedBytes: 5,
      resumedFromBytes: 0,
      alreadyPresent: false,
      redirectedTo: 'https://cdn-lfs.hf.co',
    });
    assert.equal(done.type, 'done');
  });

  it('names partial files so that none ends in .gguf', () => {
    assert.equal(partialFileName('model.gguf'), 'model.gguf.partial');
    assert.ok(!partialFileName('model.gguf').endsWith('.gguf'));
  });

  it('starts the download process without any Hugging Face token or endpoint variable', () => {
    const env = {
      PATH: '/usr/bin',
      HOME: '/home/me',
      NODE_OPTIONS: '--require guard.cjs',
      HF_TOKEN: 'hf_secret',
      HUGGING_FACE_HUB_TOKEN: 'hf_secret',
      HF_ENDPOINT: 'https://mirror.example',
      MODEL_ENDPOINT: 'https://mirror.example',
      HF_HOME: '/home/me/.hf',
      HF_TOKEN_PATH: '/home/me/token',
      huggingface_hub_cache: '/x',
    };
    assert.deepEqual(downloadProcessEnv(env), { PATH: '/usr/bin', HOME: '/home/me', NODE_OPTIONS: '--require guard.cjs' });
    assert.equal(isHuggingFaceEnvName('hf_token'), true);
    assert.equal(isHuggingFaceEnvName('SHELF_LIFE'), false);
  });
});
