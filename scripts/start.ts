// `npm start`: build Hearth, make sure a model is there (the starter model goes into models/
// through the same fixture helper the tests use), and run it in a real VS Code (code-server)
// with a sample workspace. Prints the address to open; Ctrl+C stops everything.
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { REPO_ROOT, startCodeServer } from '../test/integration/codeServerHost';
import { findTestModel, STORY_TEST_MODEL } from '../test/fixtures/testModels';

async function ensureStarterModel(): Promise<string> {
  const modelsDir = join(REPO_ROOT, 'models');
  const existing = (await readdir(modelsDir).catch(() => [] as string[])).find((name) => name.toLowerCase().endsWith('.gguf'));
  if (existing !== undefined) return join(modelsDir, existing);
  // The story model writes readable text (it is a real, if tiny, pretrained model); where it is not
  // at hand, the starter model from the catalog (random weights) still shows the mechanics.
  const found = await findTestModel(STORY_TEST_MODEL).catch(() => findTestModel());
  if (resolve(dirname(found)) === resolve(modelsDir)) return found;
  await mkdir(modelsDir, { recursive: true });
  const target = join(modelsDir, basename(found));
  await copyFile(found, target);
  return target;
}

async function main(): Promise<void> {
  const build = spawnSync(process.execPath, [join(REPO_ROOT, 'esbuild.mjs')], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('The build failed; see above.');
  const model = await ensureStarterModel();
  console.log(`Model: ${model} (set "hearth.model.path" to use another GGUF file)`);

  const server = await startCodeServer({
    name: 'start',
    workspace: join(REPO_ROOT, 'test', 'fixtures', 'sampleWorkspace'),
    // Suggestions stay on for people; the test profile turns them off only so ghost text is visible.
    settings: {
      'editor.quickSuggestions': { other: true, comments: false, strings: false },
      'editor.wordBasedSuggestions': 'matchingDocuments',
      // The sample workspace sits inside this repository: no "a git repository was found in the parent folders" prompt.
      'git.openRepositoryInParentFolders': 'never',
    },
  });
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  console.log('\nHearth is running in VS Code (code-server). Open this address in a browser on this machine:\n');
  console.log(`  ${server.workbenchUrl({ extensionDevelopmentPath: REPO_ROOT })}\n`);
  console.log(
    'Then open the Hearth view in the activity bar to chat, select text and use "Summarize Selection" or "Rewrite Selection…" ' +
      "from the editor's context menu, or pause at the end of story.md for inline completions (Tab accepts). Press Ctrl+C to stop.",
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
