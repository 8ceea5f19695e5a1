// The download process's plain decisions: web page or model, enough disk or not, what an error is
// called and says, split models, and where a redirect went.
import assert from 'node:assert/strict';
import {
  DownloadFailure,
  classifyDownloadError,
  diskShortage,
  isSplitModelUrl,
  looksLikeHtml,
  notGgufReason,
  redirectedOrigin,
} from '../../src/engine/download/downloadChecks';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const URL_ = 'https://mirror.example/org/repo/resolve/main/model.gguf';

describe('download checks', () => {
  it('tells a web page from a GGUF file by its first bytes', () => {
    for (const page of ['<!DOCTYPE html><html>', '\ufeff  <html lang="en">', '\n\n<!-- portal -->', '<?xml version="1.0"?><html xmlns="x">', '<HEAD><title>Login']) {
      assert.equal(looksLikeHtml(bytes(page)), true, page);
    }
    for (const other of ['GGUF\u0003\u0000', '{"error":"Repository not found"}', 'Not Found', '']) {
      assert.equal(looksLikeHtml(bytes(other)), false, other);
    }
  });

  it('says "the server sent a web page, not a GGUF file" for HTML, and something else for other bytes', () => {
    assert.equal(notGgufReason(bytes('GGUF\u0003\u0000\u0000\u0000')), undefined);
    const page = notGgufReason(bytes('<!doctype html><html><body>Sign in</body></html>'));
    assert.equal(page?.code, 'webPage');
    assert.match(page?.message ?? '', /the server sent a web page, not a GGUF file/);
    const json = notGgufReason(bytes('{"error":"Entry not found"}'));
    assert.equal(json?.code, 'notGguf');
    assert.match(json?.message ?? '', /starts with "\{"error":"Entry not foun…", not "GGUF"/);
    assert.equal(notGgufReason(new Uint8Array())?.code, 'notGguf');
  });

  it('refuses a download the disk cannot take, naming the bytes needed and free', () => {
    assert.equal(diskShortage(1_000, 1_000, '/models'), undefined);
    const refusal = diskShortage(4_683_194_368, 1_048_576, '/models');
    assert.equal(refusal?.code, 'diskSpace');
    assert.match(refusal?.message ?? '', /not enough free disk space in \/models: the download needs 4,683,194,368 bytes \(4\.68 GB\), and only 1,048,576 bytes \(1\.05 MB\) are free/);
  });

  it('names the URL in an HTTP failure and tells 404 from the rest', () => {
    const notFound = classifyDownloadError(Object.assign(new Error('Url: x, Status code: 404'), { statusCode: 404, statusText: 'Not Found' }), URL_);
    assert.equal(notFound.code, 'notFound');
    assert.match(notFound.message, new RegExp(`HTTP 404 Not Found for ${URL_.replace(/[.]/g, '\\.')}`));
    const refused = classifyDownloadError({ statusCode: 401, statusText: 'Unauthorized' }, URL_);
    assert.equal(refused.code, 'http');
    assert.match(refused.message, /sends no credentials/);
    assert.equal(classifyDownloadError({ statusCode: 503 }, URL_).code, 'http');
  });

  it('calls network failures network errors (kept for resuming), a full disk diskSpace, the rest internal', () => {
    const reset = classifyDownloadError(new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }), URL_);
    assert.equal(reset.code, 'network');
    assert.match(reset.message, /could not reach mirror\.example \(read ECONNRESET\)/);
    assert.equal(classifyDownloadError(Object.assign(new Error('no space'), { code: 'ENOSPC' }), URL_).code, 'diskSpace');
    assert.equal(classifyDownloadError(new Error('something odd'), URL_).code, 'internal');
    const own = new DownloadFailure('checksum', 'mismatch');
    assert.equal(classifyDownloadError(own, URL_), own);
  });

  it('recognizes models split into several files', () => {
    assert.equal(isSplitModelUrl('https://h.co/a/b/resolve/main/model-00001-of-00003.gguf'), true);
    assert.equal(isSplitModelUrl('https://h.co/a/b/resolve/main/model.gguf.part1of2'), true);
    assert.equal(isSplitModelUrl(URL_), false);
  });

  it('reads a redirect to another host from the downloader, as an origin without the signed query', () => {
    const downloader = (url: string) => ({ _specificFileDownloaders: [{ file: { parts: [{ downloadURL: url }] } }] });
    assert.equal(redirectedOrigin(downloader('https://cdn-lfs.hf.co/repos/ab/cd?X-Amz-Signature=secret'), URL_), 'https://cdn-lfs.hf.co');
    assert.equal(redirectedOrigin(downloader(URL_), URL_), null);
    assert.equal(redirectedOrigin({}, URL_), null);
  });
});
