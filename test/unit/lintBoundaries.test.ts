// The import layering in eslint.config.mjs: each layer rule fires on what it forbids (as
// `no-restricted-imports`), stays quiet on what is allowed, and the real src/ tree lints clean.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { ESLint, type Linter } from 'eslint';

const repoRoot = resolve(__dirname, '../..');

describe('lint: import layer boundaries', () => {
  let eslint: ESLint;

  before(async function () {
    this.timeout(30_000); // loading the config and the TypeScript parser, on a busy machine
    eslint = new ESLint({ cwd: repoRoot });
    await eslint.lintText('export {};\n', { filePath: resolve(repoRoot, 'src/common/warmup.ts') });
  });

  async function lint(file: string, source: string): Promise<Linter.LintMessage[]> {
    const code = `import * as imported from '${source}';\nexport const value = imported;\n`;
    const [result] = await eslint.lintText(code, { filePath: resolve(repoRoot, file) });
    assert.ok(result !== undefined, `no lint result for ${file}`);
    const fatal = result.messages.filter((message) => message.fatal === true);
    assert.deepEqual(fatal, [], `${file} did not parse`);
    return result.messages;
  }

  const boundaryErrors = (messages: Linter.LintMessage[]) =>
    messages.filter((message) => message.ruleId === 'no-restricted-imports' && message.severity === 2);

  const forbidden: [file: string, source: string][] = [
    ['src/common/x.ts', 'vscode'],
    ['src/common/x.ts', 'node:fs'],
    ['src/common/x.ts', 'fs'],
    ['src/common/x.ts', 'fs/promises'],
    ['src/common/x.ts', 'child_process'],
    ['src/common/x.ts', '../host/engine/engineClient'],
    ['src/common/x.ts', '../engine/modelEngine'],
    ['src/common/x.ts', '../webview/main'],
    ['src/common/x.ts', '../extension'],
    ['src/common/protocol/x.ts', '../../host/services'],
    ['src/common/protocol/x.ts', '../../engine/modelEngine'],
    ['src/engine/x.ts', 'vscode'],
    ['src/engine/x.ts', '../host/services'],
    ['src/engine/x.ts', '../webview/main'],
    ['src/engine/x.ts', '../extension'],
    ['src/engine/sub/x.ts', '../../host/services'],
    ['src/webview/x.ts', 'vscode'],
    ['src/webview/x.ts', 'node:path'],
    ['src/webview/x.ts', 'path'],
    ['src/webview/x.ts', '../host/services'],
    ['src/webview/x.ts', '../engine/modelEngine'],
    ['src/webview/x.ts', '../extension'],
    ['src/webview/ui/x.ts', '../../host/services'],
    ['src/host/x.ts', '../webview/main'],
    ['src/host/x.ts', '../engine/modelEngine'],
    ['src/host/x.ts', '../extension'],
    ['src/host/completions/x.ts', '../../engine/modelEngine'],
    ['src/host/completions/x.ts', '../../webview/main'],
    // Paths that would slip past depth-exact patterns if they were allowed.
    ['src/common/x.ts', './../host/services'],
    ['src/common/x.ts', '../common/../host/services'],
    ['src/common/x.ts', '../../src/host/services'],
  ];

  for (const [file, source] of forbidden) {
    it(`${file} may not import '${source}'`, async () => {
      const messages = await lint(file, source);
      const errors = boundaryErrors(messages);
      assert.equal(errors.length, 1, `expected one no-restricted-imports error, got ${JSON.stringify(messages, null, 2)}`);
      const layer = file.split('/')[1];
      assert.match(errors[0]!.message, new RegExp(`Layer rule \\((src/${layer}|all of src/)\\)`), errors[0]!.message);
    });
  }

  // "No other way out": network clients only in the cloud providers, behind the privacy gate.
  const network: [file: string, source: string][] = [
    ['src/host/x.ts', 'node:https'],
    ['src/host/chat/x.ts', 'http'],
    ['src/host/models/x.ts', 'undici'],
    ['src/host/text/x.ts', 'openai'],
    ['src/host/privacy/x.ts', '@anthropic-ai/sdk'],
    ['src/host/engine/x.ts', 'node:net'],
    ['src/engine/x.ts', 'node:tls'],
    ['src/engine/x.ts', 'dns'],
    ['src/engine/download/x.ts', 'undici'],
    ['src/engine/download/x.ts', 'node:https'],
  ];
  for (const [file, source] of network) {
    it(`${file} may not import the network client '${source}'`, async () => {
      const errors = boundaryErrors(await lint(file, source));
      assert.ok(errors.some((error) => /Privacy rule/.test(error.message)), JSON.stringify(errors));
    });
  }

  it('lets only the cloud providers use the global fetch (downloads go through the download process)', async () => {
    const code = "export const go = () => fetch('https://example.com');\n";
    const globalErrors = async (file: string) =>
      ((await eslint.lintText(code, { filePath: resolve(repoRoot, file) }))[0]?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-globals');
    assert.equal((await globalErrors('src/host/chat/x.ts')).length, 1);
    assert.equal((await globalErrors('src/webview/x.ts')).length, 1);
    assert.equal((await globalErrors('src/engine/x.ts')).length, 1);
    assert.equal((await globalErrors('src/host/text/cloud/x.ts')).length, 0);
    assert.equal((await globalErrors('src/host/models/modelDownloader.ts')).length, 1);
    assert.equal((await globalErrors('src/host/models/downloadService.ts')).length, 1);
    assert.equal((await globalErrors('src/engine/download/runDownload.ts')).length, 1);
  });

  const allowed: [file: string, source: string][] = [
    ['src/host/text/cloud/x.ts', 'openai'],
    ['src/host/text/cloud/x.ts', 'undici'],
    ['src/host/text/cloud/x.ts', '@anthropic-ai/sdk'],
    ['src/common/x.ts', 'zod'],
    ['src/common/x.ts', 'picomatch'],
    ['src/common/protocol/x.ts', '../text/tasks'],
    ['src/common/protocol/x.ts', '../host/notAHostImport'], // src/common/host, still common
    ['src/webview/x.ts', '../common/protocol/webviewProtocol'],
    ['src/webview/x.ts', 'markdown-it'],
    ['src/webview/x.ts', 'dompurify'],
    ['src/webview/x.ts', 'highlight.js'],
    ['src/webview/x.ts', 'zod'],
    ['src/host/x.ts', 'vscode'],
    ['src/host/x.ts', 'node:child_process'],
    ['src/host/x.ts', '../common/text/tasks'],
    ['src/host/completions/x.ts', '../engine/engineErrors'], // src/host/engine, not src/engine
    ['src/host/completions/x.ts', '../../common/protocol/engineProtocol'],
    ['src/engine/x.ts', 'node-llama-cpp'],
    ['src/engine/x.ts', 'vscode-jsonrpc/node'],
    ['src/engine/x.ts', 'node:fs/promises'],
    ['src/engine/x.ts', '../common/protocol/engineProtocol'],
    ['src/engine/download/x.ts', 'node-llama-cpp'],
    ['src/engine/download/x.ts', '../../common/protocol/downloadProtocol'],
  ];

  for (const [file, source] of allowed) {
    it(`${file} may import '${source}'`, async () => {
      const messages = await lint(file, source);
      assert.deepEqual(boundaryErrors(messages), []);
    });
  }

  it('finds no errors in the real src/ tree', async function () {
    this.timeout(60_000);
    const results = await eslint.lintFiles(['src']);
    assert.ok(results.length > 10, `linted only ${results.length} files under src/`);
    const errors = results.flatMap((result) =>
      result.messages
        .filter((message) => message.severity === 2)
        .map((message) => `${result.filePath.slice(repoRoot.length + 1)}:${message.line} ${message.ruleId ?? 'fatal'}: ${message.message}`),
    );
    assert.deepEqual(errors, []);
  });
});
