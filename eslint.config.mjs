// ESLint (flat config). Two jobs:
//  1. The import layering of src/ (import downward only), as `no-restricted-imports` errors:
//       src/common   pure TypeScript: no vscode, no Node built-ins, none of host/engine/webview/extension
//       src/engine   the model process: no vscode, none of host/webview/extension
//       src/webview  browser code: no vscode, no Node built-ins; of our own code only src/common
//       src/host     the extension host: none of webview/engine/extension (it reaches the engine
//                    through the protocol in src/common)
//  2. @eslint/js and typescript-eslint `recommended` (not the type-checked sets, for speed) on
//     src/, test/ and scripts/.
// test/unit/lintBoundaries.test.ts proves the layer rules catch what they should.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const tsFiles = '*.{ts,tsx,mts,cts}';

// ---------------------------------------------------------------------------------------------
// Layer rules.
//
// A relative import means different things at different depths: from src/host/x.ts
// `../engine/modelEngine` is src/engine (forbidden), while from src/host/completions/x.ts
// `../engine/engineErrors` is src/host/engine (allowed). So each layer gets one config per folder
// depth, whose patterns climb exactly as many `../` as it takes to reach src/. Each file matches
// exactly one of these configs; that matters because a later config's `no-restricted-imports`
// options replace an earlier one's rather than merge with it.
// ---------------------------------------------------------------------------------------------

/** Folders below src/<layer>/ that get their own depth-exact config; deeper files are an error. */
const MAX_DEPTH = 8;

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `../` repeated `depth` times, as a regex. */
const up = (depth) => `(?:\\.\\./){${depth}}`;

/** Regex for a relative import of src/<target> (folder or module) from a file `depth` folders below src/. */
const relativeTo = (target, depth) => `^${up(depth)}${escapeRegex(target)}(?:/|\\.[^/]*$|$)`;

/** Relative imports that leave a file's folder and come back down into src by name, or that are not
 * normalized (`./../`, `/./`, `a/../`): both could reach a forbidden layer past the depth-exact
 * patterns below. */
const normalizedImports = [
  {
    regex: '^(?:\\.\\.?/)+(?:.*/)?src(?:/|$)',
    message: 'Layer rule (all of src/): import other src/ code by its plain relative path, not through a `src/` folder name.',
  },
  {
    regex: '^\\./\\.\\.(?:/|$)|^\\.\\.?/(?:.*/)?\\.(?:/|$)|(?:^|/)(?:[^/.][^/]*|\\.[^/.][^/]*|\\.\\.[^/]+)/\\.\\.(?:/|$)',
    message: 'Layer rule (all of src/): write relative imports normalized (no `./../`, `/./` or `dir/../`) so the layer rules can read them.',
  },
];

const vscodePath = (layer, why) => ({ name: 'vscode', message: `Layer rule (src/${layer}): ${why} must not import 'vscode'.` });

/** `node:*`, every name in `module.builtinModules` (`fs`, `path`, `child_process`, …) and their sub-paths. */
const nodeBuiltinRoots = [...new Set(builtinModules.map((name) => name.split('/')[0]))];
const nodeBuiltins = (layer, why) => ({
  regex: `^(?:node:|(?:${nodeBuiltinRoots.map(escapeRegex).join('|')})(?:/|$))`,
  caseSensitive: true,
  message: `Layer rule (src/${layer}): ${why} must not import Node built-ins.`,
});

/** Forbids relative imports of the named src/ entries (folders or modules) from a file `depth` below src/. */
const forbidSrc = (layer, targets, depth, why) =>
  targets.map((target) => ({
    regex: relativeTo(target, depth),
    message: `Layer rule (src/${layer}): ${why} must not import from src/${target}${target === 'extension' ? '.ts' : ''}.`,
  }));

/** Allows, of src/, only the named entries: anything else at or above src/ is forbidden. */
const onlySrc = (layer, allowed, depth, why) => [
  {
    regex: `^${up(depth - 1)}\\.\\.(?:/(?!(?:${allowed.map(escapeRegex).join('|')})(?:/|\\.[^/]*$|$))|$)`,
    message: `Layer rule (src/${layer}): ${why} may import, of our own code, only ${allowed.map((name) => `src/${name}`).join(', ')}.`,
  },
];

const layers = {
  common: (depth) => {
    const why = 'common is pure TypeScript and';
    return {
      paths: [vscodePath('common', why)],
      patterns: [nodeBuiltins('common', why), ...forbidSrc('common', ['host', 'engine', 'webview', 'extension'], depth, why)],
    };
  },
  engine: (depth) => {
    const why = 'the engine runs outside VS Code and';
    return {
      paths: [vscodePath('engine', why)],
      patterns: [...forbidSrc('engine', ['host', 'webview', 'extension'], depth, why), networkModules('engine')],
    };
  },
  webview: (depth) => {
    const why = 'webview code runs in the browser and';
    return {
      paths: [vscodePath('webview', why)],
      patterns: [nodeBuiltins('webview', why), ...onlySrc('webview', ['common'], depth, why)],
    };
  },
  host: (depth, options = {}) => {
    const why = 'the host talks to the engine and webview only through the protocols in src/common and';
    return {
      paths: [],
      patterns: [...forbidSrc('host', ['webview', 'engine', 'extension'], depth, why), ...(options.network ? [] : [networkModules('host')])],
    };
  },
};

/**
 * "No other way out": only the cloud providers (src/host/text/cloud/, behind the router and the
 * privacy gate) may import a network client, and only they may use the global fetch (next rule).
 * Model downloads go through node-llama-cpp's downloader in the download process
 * (src/engine/download/), which the host starts only after the privacy gate allowed it
 * (src/host/models/downloadService.ts).
 */
const NETWORK_MODULES = ['http', 'https', 'http2', 'net', 'tls', 'dgram', 'dns', 'undici', 'openai', '@anthropic-ai/sdk', 'node-fetch', 'axios', 'ws'];
const networkModules = (layer) => ({
  regex: `^(?:node:)?(?:${NETWORK_MODULES.map(escapeRegex).join('|')})(?:/|$)`,
  message: `Privacy rule (src/${layer}): only src/host/text/cloud/ (behind the privacy gate) may open network connections.`,
});
const NETWORK_GLOBALS = ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource'].map((name) => ({
  name,
  message: 'Privacy rule: only src/host/text/cloud/ (behind the privacy gate) may use the network; model downloads go through src/host/models/downloadService.ts.',
}));

const layerConfigs = Object.entries(layers).flatMap(([layer, restrictionsAt]) => {
  const configs = [];
  for (let depth = 1; depth <= MAX_DEPTH; depth += 1) {
    const { paths, patterns } = restrictionsAt(depth);
    configs.push({
      name: `hearth/layers/${layer}/depth-${depth}`,
      files: [`src/${layer}/${'*/'.repeat(depth - 1)}${tsFiles}`],
      rules: {
        'no-restricted-imports': ['error', { paths, patterns: [...patterns, ...normalizedImports] }],
      },
    });
  }
  configs.push({
    name: `hearth/layers/${layer}/too-deep`,
    files: [`src/${layer}/${'*/'.repeat(MAX_DEPTH)}**/${tsFiles}`],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'Program', message: `Layer rule (src/${layer}): this file is nested deeper than the layer rules in eslint.config.mjs reach; raise MAX_DEPTH there.` },
      ],
    },
  });
  return configs;
});

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', '.vscode-test/', '.test-output/', 'test/fixtures/generated/', 'models/']),
  {
    name: 'hearth/recommended',
    files: [`src/**/${tsFiles}`, `test/**/${tsFiles}`, `scripts/**/${tsFiles}`],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    rules: {
      // tsc already reports unused locals and parameters (noUnusedLocals, noUnusedParameters).
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
  ...layerConfigs,
  {
    // The cloud providers: the host's layer rules without the network rule.
    name: 'hearth/layers/host/cloud-providers',
    files: [`src/host/text/cloud/${tsFiles}`],
    rules: { 'no-restricted-imports': ['error', { paths: [], patterns: [...layers.host(3, { network: true }).patterns, ...normalizedImports] }] },
  },
  {
    name: 'hearth/privacy/network-globals',
    files: [`src/**/${tsFiles}`],
    ignores: [`src/host/text/cloud/${tsFiles}`],
    rules: { 'no-restricted-globals': ['error', ...NETWORK_GLOBALS] },
  },
);
