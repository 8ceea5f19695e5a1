// What a user meets first, for `npm run bench:completions`: a model process that has just loaded
// its model and a file it has never read. The user clicks into the file (the first touch, which
// starts reading it in), looks for a moment, then types the script as in the warm replay. Reported
// against the warm replay of the same run: how long the first suggestion took from its keystroke,
// when it came, and the share of keystrokes in the first 30 s that showed one.
//
// Also the early stop's saving on a real model: tokens generated per shown suggestion with the
// model process stopping once a suggestion is complete, and without (the same replay, with the
// stop taken out of each request).
import { CompletionService, type CompletionText } from '../../src/host/completions/completionService';
import type { CompletionSettings } from '../../src/host/completions/completionSettings';
import type { LogLevel } from '../../src/common/protocol/engineProtocol';
import { RecordingBackend, replayTyping, type KeyRecord, type RequestRecord } from './completionReplay';
import { percentile } from './benchStats';
import { DEFAULT_PAUSES, type ScriptedKey, type TypingDocument } from './typingScript';

/** How long the user looks at the file between clicking into it and typing. */
export const LOOK_BEFORE_TYPING_MS = 1_500;
const HALF_MINUTE_MS = 30_000;

export interface ColdReplayInput {
  readonly text: CompletionText;
  readonly settings: CompletionSettings;
  readonly makeDocument: () => TypingDocument;
  readonly script: readonly ScriptedKey[];
  readonly keys: number;
  readonly seed: number;
  readonly followChance: number;
  readonly log: (level: LogLevel, message: string) => void;
}

export interface ColdFigures {
  /** Keystroke to suggestion on screen, for the first suggestion shown after opening the file. */
  readonly coldFirstMs: number | null;
  /** When that suggestion came, counted from the click into the file. */
  readonly coldFirstAtMs: number | null;
  /** Requests that ran to their end before it and showed nothing (budget ran out, nothing useful). */
  readonly pausesWithoutSuggestionBefore: number;
  /** Whether it came from the fast first window. */
  readonly coldFirstFromWindow: boolean;
  readonly firstHalfMinuteShownShare: number;
  readonly firstHalfMinuteKeys: number;
  /** Model calls answered from the fast first window during the replay. */
  readonly windowAnswers: number;
}

export async function coldReplay(input: ColdReplayInput): Promise<ColdFigures> {
  const recording = new RecordingBackend(input.text);
  const service = new CompletionService(recording, () => input.settings, input.log);
  const document = input.makeDocument();
  const current = () => document.snapshot();
  const clicked = performance.now();
  try {
    // The click that placed the cursor: the first touch of the file.
    service.touched(document.snapshot().document, current);
    await new Promise((resolve) => setTimeout(resolve, LOOK_BEFORE_TYPING_MS));
    const typingStarted = performance.now() - clicked;
    const keys = await typeScript(service, document, input);
    return coldFigures(keys, recording.records, typingStarted);
  } finally {
    service.dispose();
  }
}

function coldFigures(keys: readonly KeyRecord[], records: readonly RequestRecord[], typingStartedMs: number): ColdFigures {
  const firstShown = keys.findIndex((key) => key.latencyMs !== undefined);
  const shownKey = firstShown === -1 ? undefined : keys[firstShown];
  const before = firstShown === -1 ? keys : keys.slice(0, firstShown);
  const halfMinute = keys.filter((key) => typingStartedMs + key.atMs < HALF_MINUTE_MS);
  return {
    coldFirstMs: shownKey?.latencyMs ?? null,
    coldFirstAtMs: shownKey?.latencyMs === undefined ? null : typingStartedMs + shownKey.atMs + shownKey.latencyMs,
    pausesWithoutSuggestionBefore: before.filter((key) => key.outcome === 'none').length,
    coldFirstFromWindow: shownKey?.firstWindow === true,
    firstHalfMinuteShownShare: halfMinute.length === 0 ? 0 : halfMinute.filter((key) => key.latencyMs !== undefined).length / halfMinute.length,
    firstHalfMinuteKeys: halfMinute.length,
    windowAnswers: records.filter((record) => record.result?.firstWindow === true).length,
  };
}

/** The text service with the early stop taken out of every request: the model runs to maxTokens, the time budget or its own end. */
export function withoutEarlyStop(text: CompletionText): CompletionText {
  return {
    ensureModel: (task) => text.ensureModel(task),
    loadedModel: (task) => text.loadedModel(task),
    infill: (task, input, sampling, options) => text.infill(task, input, { ...sampling, suggestion: undefined }, options),
    complete: (task, prompt, sampling, options) => text.complete(task, prompt, { ...sampling, suggestion: undefined }, options),
    warm: (task, input, options) => text.warm(task, input, options),
  };
}

export interface EarlyStopFigures {
  readonly shown: number;
  /** Keystroke to suggestion, median over the suggestions the model served (not the cache). */
  readonly modelP50Ms: number | null;
  readonly generatedTokens: number;
  readonly tokensPerShownSuggestion: number | null;
}

/** Replays typing from a warm start and counts the tokens the model generated per suggestion shown. */
export async function earlyStopReplay(input: ColdReplayInput): Promise<EarlyStopFigures> {
  const recording = new RecordingBackend(input.text);
  const service = new CompletionService(recording, () => input.settings, input.log);
  try {
    const keys = await typeScript(service, input.makeDocument(), input);
    const shown = keys.filter((key) => key.outcome === 'model').length;
    const generatedTokens = recording.records.reduce((sum, record) => sum + (record.result?.generatedTokens ?? 0), 0);
    const latencies = keys.flatMap((key) => (key.outcome === 'model' && key.latencyMs !== undefined ? [key.latencyMs] : []));
    return { shown, modelP50Ms: percentile(latencies, 0.5), generatedTokens, tokensPerShownSuggestion: shown === 0 ? null : generatedTokens / shown };
  } finally {
    service.dispose();
  }
}

/** The script typed as in the warm replay: the same pauses, seed and typing along suggestions. */
async function typeScript(service: CompletionService, document: TypingDocument, input: ColdReplayInput): Promise<KeyRecord[]> {
  const { keys } = await replayTyping({
    service,
    document,
    script: input.script,
    keys: input.keys,
    followChance: input.followChance,
    followMaxChars: 32,
    pauses: DEFAULT_PAUSES,
    seed: input.seed,
  });
  return keys;
}
