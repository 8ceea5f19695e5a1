// What the models `npm start` and the tests fall back to can and cannot do, said plainly wherever
// the model is named (the status bar's tooltip), so a newcomer never mistakes them for real help.
import * as path from 'node:path';

const STARTER_NOTES: Readonly<Record<string, string>> = {
  'stories260k.gguf':
    "Starter model: a tiny real model (stories260K) that writes children's stories. It cannot chat, summarize, explain or write code: choose a real instruct or code model for that.",
  'llama-2-tiny-random.gguf': 'Test model with random weights: its output is gibberish. It only shows the mechanics: choose a real model.',
};

/** The note for a starter or test model file, or undefined for any other model. */
export function starterNote(modelPath: string): string | undefined {
  return STARTER_NOTES[path.basename(modelPath).toLowerCase()];
}
