// Summarize and Explain: the selection goes to the local model, and the answer streams into the
// chat panel under a header naming the file and lines. A selection too long for the model's
// context is summarized in chunks (with progress and Cancel), then the parts are combined.
import * as vscode from 'vscode';
import { CHAT_SYSTEM_PROMPT } from '../../common/chat/chatPrompt';
import { maxAnswerTokens, TEMPLATE_TOKENS_PER_MESSAGE } from '../../common/chat/trimHistory';
import type { StoredMessage } from '../../common/chat/conversation';
import { charsForTokens, chunkText, groupByBudget } from '../../common/writing/chunkText';
import { combineExplanationsPrompt, combineSummariesPrompt, explainInDepthPrompt, explainPrompt, summaryPrompt, type SummaryStyle } from '../../common/writing/writingPrompts';
import { selectionLines } from '../chat/chatContext';
import type { ChatArea } from '../chat/registerChat';
import { readChatSettings } from '../chat/registerChat';
import type { Services } from '../services';
import { askOnce } from './askOnce';

export type SelectionTask = 'summarize' | 'explain' | 'explainInDepth';

// Tokens kept beside a request's messages, as the chat session keeps them.
const CONTEXT_MARGIN_TOKENS = 16;
// Rounds of combining summaries in groups before the last combination; each round shrinks the text.
const MAX_COMBINE_ROUNDS = 4;

export interface SelectionTaskResult {
  readonly answer: StoredMessage;
  /** How many parts the selection was split into (1: it fitted at once). */
  readonly parts: number;
}

export async function runSelectionTask(
  task: SelectionTask,
  services: Services,
  chat: ChatArea,
): Promise<SelectionTaskResult | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined || editor.selection.isEmpty) {
    void vscode.window.showInformationMessage(`Hearth: select the text to ${task} first.`);
    return undefined;
  }
  const document = editor.document;
  const text = document.getText(editor.selection);
  const source = services.privacy.gate.sourceOf(document, editor.selection, text);
  const path = source.path;
  const excluded = services.privacy.gate.excludedReason(source);
  if (excluded !== undefined) {
    void vscode.window.showWarningMessage(`Hearth: ${excluded}, so it is not given to the model.`);
    return undefined;
  }
  const where = `${path}, ${selectionLines(editor.selection)}`;
  const settings = readChatSettings(services.log);
  const style: SummaryStyle = settings.summaryStyle;
  const language = document.languageId;
  const header = task === 'summarize' ? `Summary of ${where}` : task === 'explain' ? `Explanation of ${where}` : `In-depth explanation of ${where}`;
  const display = task === 'summarize' ? `Summarize ${where} (${style})` : task === 'explain' ? `Explain ${where}` : `Explain in depth ${where}`;
  await chat.reveal();

  const model = await services.text.ensureModel(task);
  const prompt = task === 'summarize' ? summaryPrompt(text, style, language) : task === 'explain' ? explainPrompt(text, language) : explainInDepthPrompt(text, language);
  const [systemTokens = 0, promptTokens = 0, tokens = 0, instructionTokens = 0] = await services.text.countTokens(
    task,
    [CHAT_SYSTEM_PROMPT, prompt, text, combineSummariesPrompt([], style)],
    { sources: [source] },
  );
  // What one user message may hold: the context less the answer, the system prompt and the template.
  const maxTokens = maxAnswerTokens(settings.maxTokens, model.contextSize);
  const room = model.contextSize - maxTokens - CONTEXT_MARGIN_TOKENS - 2 * TEMPLATE_TOKENS_PER_MESSAGE - systemTokens;
  if (promptTokens <= room) {
    const answer = await chat.session.send(prompt, { display, header, attachments: [], sources: [source], task });
    return { answer, parts: 1 };
  }
  // Each part leaves room for the instruction and the fence around it.
  const budget = Math.max(16, room - instructionTokens - 16);

  // Too long for one request: summarize the parts one by one, then combine them in the chat.
  const chunks = chunkText(text, charsForTokens(text, tokens, budget));
  const partSummaries = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Hearth: ${task === 'summarize' ? 'summarizing' : 'reading'} ${where}`, cancellable: true },
    async (progress, token) => {
      const ask = (content: string, part?: string) =>
        askOnce(services.text, task, content, { maxTokens, temperature: settings.temperature }, token, [{ ...source, text: part }]);
      let parts: string[] = [];
      for (const [index, chunk] of chunks.entries()) {
        progress.report({ message: `part ${index + 1} of ${chunks.length}`, increment: 100 / (chunks.length + 1) });
        const summary = await ask(summaryPrompt(chunk, style, language), chunk);
        if (summary === undefined) return undefined;
        parts.push(summary);
      }
      // The parts' summaries may still be too long to combine at once: combine them in groups first.
      for (let round = 0; round < MAX_COMBINE_ROUNDS && parts.length > 1; round += 1) {
        const [combined = 0] = await services.text.countTokens(task, [combineSummariesPrompt(parts, style)], { token, sources: [{ ...source, text: undefined }] });
        if (combined <= room) break;
        progress.report({ message: `combining ${parts.length} parts in groups` });
        const counts = await services.text.countTokens(task, parts, { token, sources: [{ ...source, text: undefined }] });
        const next: string[] = [];
        const groups = groupByBudget(counts, budget);
        // No group holds two parts: combining cannot shrink them here (the context is too small).
        if (groups.length === parts.length) break;
        for (const group of groups) {
          const members = group.map((index) => parts[index] as string);
          const summary = members.length === 1 ? members[0] : await ask(combineSummariesPrompt(members, style));
          if (summary === undefined) return undefined;
          next.push(summary);
        }
        parts = next;
      }
      progress.report({ message: 'combining the parts' });
      return parts;
    },
  );
  if (partSummaries === undefined) {
    services.log.info(`${task} of ${where} cancelled`);
    return undefined;
  }
  // Groups were combined as summaries; the last step asks for what the user asked.
  const final = task === 'summarize' ? combineSummariesPrompt(partSummaries, style) : combineExplanationsPrompt(partSummaries);
  const answer = await chat.session.send(final, {
    display: `${display} \u2014 ${chunks.length} parts`,
    header,
    attachments: [],
    // Derived from the selection, not its own words: the gate still sees where it came from.
    sources: [{ ...source, text: undefined }],
    task,
  });
  return { answer, parts: chunks.length };
}
