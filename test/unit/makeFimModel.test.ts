// The FIM fixture generator: deterministic output, and a header rewrite that only adds metadata.
// (Loading the result with node-llama-cpp is in test/engine/fimModel.test.ts.)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gguf } from '@huggingface/gguf';
import {
  FIM_CHAT_TEMPLATE,
  FIM_MODEL_SHA256,
  FIM_SOURCE_FILE_NAME,
  FIM_TOKEN_IDS,
  makeFimModel,
} from '../fixtures/makeFimModel';
import { findTestModel } from '../fixtures/testModels';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('makeFimModel', function () {
  this.timeout(20_000);
  let scratch: string;
  let source: string;
  let output: string;
  let logs: string[];

  before(async () => {
    source = await findTestModel(FIM_SOURCE_FILE_NAME, { env: {} });
    scratch = await mkdtemp(join(tmpdir(), 'hearth-fim-'));
    output = join(scratch, 'out', 'fim.gguf');
    logs = [];
    await makeFimModel({ source, output, log: (line) => logs.push(line) });
  });

  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('writes the pinned bytes, logs their sha256 and leaves no temp file', async () => {
    const bytes = await readFile(output);
    assert.equal(sha256(bytes), FIM_MODEL_SHA256);
    assert.equal(logs.length, 1);
    assert.match(logs[0]!, new RegExp(`sha256 ${FIM_MODEL_SHA256}`));
    assert.deepEqual(await readdir(join(scratch, 'out')), ['fim.gguf']);
  });

  it('is deterministic: a second run gives the same bytes', async () => {
    const second = join(scratch, 'second.gguf');
    const result = await makeFimModel({ source, output: second, log: () => undefined });
    assert.equal(result.sha256, FIM_MODEL_SHA256);
    assert.ok((await readFile(second)).equals(await readFile(output)));
  });

  it('names the FIM tokens under the current and the older llama.cpp keys, and adds the chat template', async () => {
    const { typedMetadata: metadata } = await gguf(output, { allowLocalFile: true, typedMetadata: true });
    assert.equal(metadata['tokenizer.ggml.fim_pre_token_id']?.value, FIM_TOKEN_IDS.prefix);
    assert.equal(metadata['tokenizer.ggml.fim_suf_token_id']?.value, FIM_TOKEN_IDS.suffix);
    assert.equal(metadata['tokenizer.ggml.fim_mid_token_id']?.value, FIM_TOKEN_IDS.middle);
    assert.equal(metadata['tokenizer.ggml.prefix_token_id']?.value, FIM_TOKEN_IDS.prefix);
    assert.equal(metadata['tokenizer.ggml.suffix_token_id']?.value, FIM_TOKEN_IDS.suffix);
    assert.equal(metadata['tokenizer.ggml.middle_token_id']?.value, FIM_TOKEN_IDS.middle);
    assert.equal(metadata['tokenizer.chat_template']?.value, FIM_CHAT_TEMPLATE);
    const tokens = metadata['tokenizer.ggml.tokens']?.value;
    assert.ok(Array.isArray(tokens));
    assert.deepEqual([tokens[4], tokens[5], tokens[6]], ['<0x01>', '<0x02>', '<0x03>']);
    assert.equal(tokens.length, 32_000);
  });

  it('keeps the original metadata bytes, tensor infos and tensor data byte for byte', async () => {
    const before = await readFile(source);
    const after = await readFile(output);
    const original = await gguf(source, { allowLocalFile: true });
    const rewritten = await gguf(output, { allowLocalFile: true });
    const [infoStart, infoEnd] = original.tensorInfoByteRange;
    const [newInfoStart, newInfoEnd] = rewritten.tensorInfoByteRange;

    // Magic, version and tensor count unchanged; the KV count grows by the 7 added keys.
    assert.ok(after.subarray(0, 16).equals(before.subarray(0, 16)));
    assert.equal(after.readBigUInt64LE(16), before.readBigUInt64LE(16) + 7n);
    // Original KVs verbatim (re-serializing them would lose the vocabulary's "\uFEFF" token).
    assert.ok(after.subarray(24, infoStart).equals(before.subarray(24, infoStart)));
    assert.ok(after.subarray(newInfoStart, newInfoEnd).equals(before.subarray(infoStart, infoEnd)));
    // The data section starts aligned, after zero padding, and is identical to the source's.
    assert.equal(rewritten.tensorDataOffset % 32n, 0n);
    assert.ok(after.subarray(newInfoEnd, Number(rewritten.tensorDataOffset)).every((byte) => byte === 0));
    assert.ok(after.subarray(Number(rewritten.tensorDataOffset)).equals(before.subarray(Number(original.tensorDataOffset))));
    assert.deepEqual(rewritten.tensorInfos, original.tensorInfos);
  });

  it('refuses a source that is not the pinned starter model', async () => {
    const tampered = join(scratch, 'tampered.gguf');
    const bytes = Buffer.from(await readFile(source));
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(tampered, bytes);
    await assert.rejects(
      makeFimModel({ source: tampered, output: join(scratch, 'never.gguf'), log: () => undefined }),
      /source .*tampered\.gguf has sha256 [0-9a-f]{64}, expected 81f226c6/,
    );
    assert.ok(!(await readdir(scratch)).includes('never.gguf'));
  });

  it('runs as a script with an output argument', async () => {
    const out = join(scratch, 'cli.gguf');
    const script = resolve(__dirname, '../fixtures/makeFimModel.ts');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, out], {
      cwd: resolve(__dirname, '../..'),
    });
    assert.match(stdout, new RegExp(`wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} .*sha256 ${FIM_MODEL_SHA256}`));
    assert.equal(sha256(await readFile(out)), FIM_MODEL_SHA256);
  });
});
