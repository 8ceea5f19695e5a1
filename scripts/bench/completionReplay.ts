// Replays a typing script through CompletionService the way VS Code drives an inline completion
// provider: each keystroke edits the document, fires the change event (extra context and warming),
// cancels the previous request's token and asks again with a fresh CancellationTokenSource. A
// suggestion counts as shown when its request resolves with text before the next keystroke.
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import type { GenerateResult } from '../../src/common/protocol/engineProtocol';
import type { CompletionOutcome, CompletionService, CompletionText } from '../../src/host/completions/completionService';
import { drawPause, seededRandom, type Key, type PauseModel, type ScriptedKey, type TypingDocument } from './typingScript';

/** One request the service sent to the model process, as the process answered it. */
export interface RequestRecord {
  readonly method: 'generate/infill' | 'generate/complete' | 'generate/warm';
  readonly wallMs: number;
  readonly result?: GenerateResult;
  readonly warm?: { readonly promptTokens: number; readonly evaluatedPromptTokens: number; readonly cancelled: boolean; readonly totalMs: number };
  readonly error?: string;
}

/** Passes every request through to the text service and keeps what came back, cancelled requests included. */
export class RecordingBackend implements CompletionText {
  records: RequestRecord[] = [];

  constructor(private readonly inner: CompletionText) {}

  ensureModel: CompletionText['ensureModel'] = (task) => this.inner.ensureModel(task);

  loadedModel: CompletionText['loadedModel'] = (task) => this.inner.loadedModel(task);

  infill: CompletionText['infill'] = (...args) => this.record('generate/infill', () => this.inner.infill(...args), (result) => ({ result }));
  complete: CompletionText['complete'] = (...args) => this.record('generate/complete', () => this.inner.complete(...args), (result) => ({ result }));
  warm: CompletionText['warm'] = (...args) => this.record('generate/warm', () => this.inner.warm(...args), (warm) => ({ warm }));

  private async record<T>(method: RequestRecord['method'], call: () => Promise<T>, fields: (value: T) => Partial<RequestRecord>): Promise<T> {
    const start = performance.now();
    try {
      const value = await call();
      this.records.push({ method, wallMs: performance.now() - start, ...fields(value) });
      return value;
    } catch (error) {
      this.records.push({ method, wallMs: performance.now() - start, error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }
}

export interface KeyRecord {
  /** The user typed a character of the suggestion on screen rather than the file's next character. */
  readonly followed: boolean;
  readonly typo: boolean;
  /** cache/model: a suggestion was shown for this keystroke; none: the service had nothing; superseded: the next key came first. */
  outcome: 'cache' | 'model' | 'none' | 'superseded' | 'error';
  /** Keystroke to suggestion on screen, for shown suggestions. */
  latencyMs?: number;
  /** When the key was pressed, from the start of the replay. */
  readonly atMs: number;
  /** The shown suggestion came from the model process's fast first window. */
  firstWindow?: boolean;
}

export interface ReplayOptions {
  readonly service: CompletionService;
  readonly document: TypingDocument;
  readonly script: readonly ScriptedKey[];
  /** Keystrokes to press in all, followed ones included. */
  readonly keys: number;
  /** Chance that a user seeing a suggestion types along its first line instead of the file's text. */
  readonly followChance: number;
  /** Most characters of a suggestion typed along. */
  readonly followMaxChars: number;
  readonly pauses: PauseModel;
  readonly seed: number;
}

export interface ReplayResult {
  readonly keys: KeyRecord[];
  readonly wallMs: number;
}

export async function replayTyping(options: ReplayOptions): Promise<ReplayResult> {
  const { document } = options;
  const followRandom = seededRandom(options.seed ^ 0x9e3779b9);
  const records: KeyRecord[] = [];
  const settled: Promise<void>[] = [];
  let source: CancellationTokenSource | undefined;
  let shown: { text: string; keyIndex: number } | undefined;
  let following: string[] = [];
  let scriptIndex = 0;
  const current = () => document.snapshot();
  const started = performance.now();
  let due = started;

  for (let index = 0; index < options.keys; index += 1) {
    // The next key is either the user typing along the suggestion on screen, or the file's text.
    const scripted = options.script[scriptIndex];
    if (following.length === 0 && scripted === undefined) break;
    const pauseMs = following.length > 0 ? drawPause(followRandom, options.pauses, false) : (scripted?.pauseMs ?? 0);
    due += pauseMs;
    await sleepUntil(due);

    if (following.length === 0 && shown !== undefined && shown.keyIndex === index - 1 && followRandom() < options.followChance) {
      const firstLine = shown.text.split('\n')[0] ?? '';
      following = [...firstLine].slice(0, options.followMaxChars);
    }
    let key: Key;
    let followed = false;
    let typo = false;
    const next = following.shift();
    if (next !== undefined) {
      key = { kind: 'char', text: next };
      followed = true;
    } else if (scripted !== undefined) {
      key = scripted.key;
      typo = scripted.typo;
      scriptIndex += 1;
    } else {
      break;
    }

    // VS Code: the edit lands, onDidChangeTextDocument fires, the last request is cancelled, a new one starts.
    source?.cancel();
    shown = undefined;
    document.press(key);
    const at = document.snapshot();
    options.service.noteContext(at.document, at.line, current);
    const mine = new CancellationTokenSource();
    source = mine;
    const pressedAt = performance.now();
    const record: KeyRecord = { followed, typo, outcome: 'superseded', atMs: pressedAt - started };
    records.push(record);
    const keyIndex = index;
    settled.push(
      options.service.provide(at.document, at.line, at.character, mine.token).then(
        (outcome: CompletionOutcome | undefined) => {
          if (mine.token.isCancellationRequested) return;
          if (outcome === undefined) {
            record.outcome = 'none';
            return;
          }
          record.outcome = outcome.source;
          record.latencyMs = performance.now() - pressedAt;
          record.firstWindow = outcome.result?.firstWindow === true;
          shown = { text: outcome.text, keyIndex };
        },
        () => {
          if (!mine.token.isCancellationRequested) record.outcome = 'error';
        },
      ),
    );
  }
  // The user stops typing: the last request runs to its end and its suggestion shows.
  await Promise.all(settled);
  source?.dispose();
  return { keys: records, wallMs: performance.now() - started };
}

function sleepUntil(time: number): Promise<void> {
  const wait = time - performance.now();
  return wait <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, wait));
}
