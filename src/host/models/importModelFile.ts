// `hearth.models.import`: the air-gapped way to a model. Copies a GGUF file the user picks (from a
// USB stick, a share) into Hearth's models folder, checks that it is a GGUF file first, and offers
// to use it. The model process checks the whole file when it loads it.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as vscode from 'vscode';
import { formatBytes } from '../../common/formatBytes';
import { useModelForBoth } from './modelRoleSettings';

const GGUF_MAGIC = 'GGUF';

export interface ImportOptions {
  /** The file to import; without it the user picks one. */
  readonly source?: string;
  /** Use it as the model right away (tests, scripts); without it the user is asked. */
  readonly use?: boolean;
}

/** The imported file's path, or undefined when the user cancelled. */
export async function importModelFile(modelsDir: string, options: ImportOptions = {}): Promise<string | undefined> {
  const source = options.source ?? (await pickFile());
  if (source === undefined) return undefined;
  await assertGguf(source);
  const size = (await stat(source)).size;
  await mkdir(modelsDir, { recursive: true });
  const target = path.join(modelsDir, path.basename(source));
  if (path.resolve(target) !== path.resolve(source)) {
    // Copied under a temporary name, so a cancelled or failed copy never looks like a model.
    const partial = `${target}.importing`;
    const copied = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Hearth: importing ${path.basename(source)} (${formatBytes(size)})`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const subscription = token.onCancellationRequested(() => abort.abort());
        let done = 0;
        const input = createReadStream(source);
        input.on('data', (chunk) => {
          done += chunk.length;
          progress.report({ increment: (chunk.length / Math.max(1, size)) * 100, message: `${formatBytes(done)} of ${formatBytes(size)}` });
        });
        try {
          await pipeline(input, createWriteStream(partial), { signal: abort.signal });
          return true;
        } catch (error) {
          await rm(partial, { force: true });
          if (abort.signal.aborted) return false;
          throw error;
        } finally {
          subscription.dispose();
        }
      },
    );
    if (!copied) return undefined;
    await rename(partial, target);
  }
  const use = options.use ?? (await vscode.window.showInformationMessage(`Hearth: imported ${path.basename(target)} into the models folder.`, 'Use It Now')) === 'Use It Now';
  if (use) await useModelForBoth(target);
  return target;
}

async function pickFile(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Hearth: Import a GGUF Model File',
    canSelectMany: false,
    canSelectFolders: false,
    openLabel: 'Import',
    filters: { 'GGUF models': ['gguf'] },
  });
  return picked?.[0]?.fsPath;
}

async function assertGguf(file: string): Promise<void> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`${file} cannot be read (${error.code ?? error.message}).`);
  });
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    if (bytesRead < 4 || buffer.toString('latin1') !== GGUF_MAGIC) {
      throw new Error(`${path.basename(file)} is not a GGUF model file (it does not start with "GGUF"). Hearth runs GGUF models, e.g. from a Hugging Face "-GGUF" repository.`);
    }
  } finally {
    await handle.close();
  }
}
