// Builds the three runtimes Hearth has: the extension host bundle (CJS, `vscode` external),
// the model and download processes (ESM, node-llama-cpp external because it ships native binaries
// and is ESM-only), and the chat webview (browser). `--watch` rebuilds on change.
// `--production --outdir=DIR` (npm run package) builds only those runtimes, minified and without
// source maps, into DIR, leaving dist/ and the test bundles alone.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const outdir = process.argv.find((arg) => arg.startsWith('--outdir='))?.slice('--outdir='.length) ?? 'dist';

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  // jsonc-parser's default (UMD) build loads its parts with a require() esbuild cannot follow;
  // its ESM build bundles cleanly.
  alias: { 'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js' },
};

const runtimeBuilds = [
  {
    ...common,
    // cloud.js: the providers and the secret scanner, loaded on the first escalation (src/host/loadCloudModules.ts).
    entryPoints: { extension: 'src/extension.ts', cloud: 'src/host/cloudModules.ts' },
    outdir,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    // download.mjs: the short-lived process that downloads one model file (src/engine/download/).
    entryPoints: { engine: 'src/engine/main.ts', download: 'src/engine/download/downloadMain.ts' },
    outdir,
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['node-llama-cpp'],
    // vscode-jsonrpc is CJS; bundling it into ESM needs a real `require` for its Node built-ins.
    banner: { js: "import { createRequire as __hearthCreateRequire } from 'node:module'; const require = __hearthCreateRequire(import.meta.url);" },
  },
  {
    ...common,
    entryPoints: { webview: 'src/webview/main.ts' },
    outdir,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

const testBuilds = [
  {
    // The integration suite runs inside the VS Code extension host, so it is bundled like the extension:
    // suite/index.ts (the mocha entry, `extensionTestsPath`) and each suite/*.test.ts, one bundle each,
    // to dist/test/integration/<name>.js, where index.js finds the tests. (esbuild expands the glob.)
    ...common,
    entryPoints: ['test/integration/suite/index.ts', 'test/integration/suite/*.test.ts'],
    outbase: 'test/integration/suite',
    outdir: 'dist/test/integration',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
  },
  {
    // `npm run bench:engine` measures activation in VS Code with the same mocha entry and one test.
    ...common,
    entryPoints: { index: 'test/integration/suite/index.ts', 'activation.test': 'scripts/bench/activation/activation.test.ts' },
    outdir: 'dist/bench/activation',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
  },
];

const builds = production ? runtimeBuilds : [...runtimeBuilds, ...testBuilds];

// The chat webview's icons: the codicon font and its stylesheet, served from dist/codicons/.
async function copyCodicons() {
  await mkdir(`${outdir}/codicons`, { recursive: true });
  await Promise.all(
    ['codicon.css', 'codicon.ttf'].map((file) => copyFile(`node_modules/@vscode/codicons/dist/${file}`, `${outdir}/codicons/${file}`)),
  );
}

if (watch) {
  await copyCodicons();
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  // A clean output folder: a deleted test file must not leave a stale bundle that the suite still loads.
  await rm(outdir, { recursive: true, force: true });
  await Promise.all([...builds.map((options) => esbuild.build(options)), copyCodicons()]);
}
