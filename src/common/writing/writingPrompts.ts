// The instructions behind the writing commands. Each builds the user message the model gets;
// the text itself goes in a fence so the model can tell instruction from material.
import { fence } from '../chat/chatPrompt';

export type SummaryStyle = 'brief' | 'paragraph' | 'bullets';

const STYLE_INSTRUCTIONS: Record<SummaryStyle, string> = {
  brief: 'Summarize the following in one or two sentences.',
  paragraph: 'Summarize the following in one paragraph.',
  bullets: 'Summarize the following as a short bulleted list of the main points.',
};

export function summaryPrompt(text: string, style: SummaryStyle, language: string): string {
  return `${STYLE_INSTRUCTIONS[style]}\n\n${fence(text, language)}`;
}

/** Combines the summaries of a long text's parts into one summary. */
export function combineSummariesPrompt(partSummaries: readonly string[], style: SummaryStyle): string {
  const parts = partSummaries.map((summary, index) => `Part ${index + 1}:\n${summary.trim()}`).join('\n\n');
  return `These are summaries of consecutive parts of one text. ${STYLE_INSTRUCTIONS[style].replace('the following', 'the whole text')}\n\n${parts}`;
}

/** Explains a piece of code too long to read at once, from summaries of its consecutive parts. */
export function combineExplanationsPrompt(partSummaries: readonly string[]): string {
  const parts = partSummaries.map((summary, index) => `Part ${index + 1}:\n${summary.trim()}`).join('\n\n');
  return `These are summaries of consecutive parts of one piece of code. Explain what the whole code does, step by step.\n\n${parts}`;
}

export function explainPrompt(code: string, language: string): string {
  return `Explain what the following code does, step by step, and point out anything surprising.\n\n${fence(code, language)}`;
}

/** Explain in Depth (a complex command: the cloud model where the policy allows). */
export function explainInDepthPrompt(code: string, language: string): string {
  return (
    'Explain the following code in depth: its purpose, how it works step by step, the design choices behind it, ' +
    `edge cases and possible bugs, and how it could be improved.\n\n${fence(code, language)}`
  );
}

/** Generate Tests: unit tests for the selection, in the same language. */
export function generateTestsPrompt(code: string, language: string): string {
  return (
    `Write unit tests for the following ${language || 'code'}. Cover normal cases, edge cases and errors. ` +
    `Answer with the test code only, in one fenced block.\n\n${fence(code, language)}`
  );
}

export const REWRITE_PRESETS = {
  proofread: { label: 'Proofread', instruction: 'Correct spelling, grammar and punctuation. Change nothing else.' },
  shorter: { label: 'Shorter', instruction: 'Make it shorter, keeping the meaning.' },
  clearer: { label: 'Clearer', instruction: 'Make it clearer and easier to read.' },
  formal: { label: 'More formal', instruction: 'Make the tone more formal.' },
  friendlier: { label: 'Friendlier', instruction: 'Make the tone friendlier.' },
} as const;

export type RewritePreset = keyof typeof REWRITE_PRESETS;

export function rewritePrompt(text: string, instruction: string): string {
  return `Rewrite the following text. ${instruction.trim()}\nReply with the rewritten text only, without quotes or comments.\n\n${fence(text, '')}`;
}

/** The model's rewrite without a fence it may have wrapped it in, keeping the original's trailing newline. */
export function cleanRewrite(answer: string, original: string): string {
  let text = answer.trim();
  const fenced = /^(`{3,})[^\n]*\n([\s\S]*?)\n\1$/.exec(text);
  if (fenced !== null) text = fenced[2] ?? text;
  const trailing = /\s*$/.exec(original)?.[0] ?? '';
  return text + trailing;
}
