// CompletionService outside VS Code against the real model process on the FIM test model: the
// prompt it lays out, the FIM order it picks, and the cache that answers typing through a
// suggestion. A thin wrapper around the real supervisor records what was sent.
import assert from 'node:assert/strict';
import { basename, resolve } from 'node:path';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import type { ModelInfo } from '../../src/common/protocol/engineProtocol';
import { CompletionService, type CompletionDocument, type CompletionText } from '../../src/host/completions/completionService';
import { EngineClient } from '../../src/host/engine/engineClient';
import { localTextService, type TextService, type LoadedModel } from '../../src/host/text/textService';
import { completionSettingsSchema, type CompletionSettings } from '../../src/host/completions/completionSettings';
import { EngineConnection } from '../../src/host/engine/engineConnection';
import { EngineSupervisor } from '../../src/host/engine/engineSupervisor';
import { catalogEntryForPath, parseModelCatalog } from '../../src/host/models/modelCatalog';
import { applySuggestion } from '../../src/common/completion/applySuggestion';
import { fimTestModelPath } from '../fixtures/testModels';
import type { TaskId } from '../../src/common/text/tasks';

const ENGINE = resolve(__dirname, '../../dist/engine.mjs');

const SOURCE = [
  'export function clamp(value: number, min: number, max: number): number {',
  '  return Math.min(Math.max(value, min), max);',
  '}',
  '',
  'export function lerp(a: number, b: number, t: number): number {',
  '  ',
  '}',
  '',
].join('\n');

/** The text service over the real supervisor, recording each request as the engine client sends it (input and sampling). */
class RecordingBackend implements CompletionText {
  readonly sent: Array<{ method: string; params: Record<string, unknown>; answer?: Promise<unknown> }> = [];
  constructor(
    private readonly inner: TextService,
    /** Stands in for the host's once-per-load FIM order resolution. */
    private readonly fimOrder?: (model: ModelInfo) => 'psm' | 'spm' | undefined,
  ) {}
  private withOrder(model: LoadedModel): LoadedModel {
    return this.fimOrder === undefined ? model : { ...model, fimOrder: this.fimOrder(model) };
  }
  async ensureModel(task: TaskId): Promise<LoadedModel> {
    return this.withOrder(await this.inner.ensureModel(task));
  }
  loadedModel(task: TaskId): LoadedModel | undefined {
    const model = this.inner.loadedModel(task);
    return model === undefined ? undefined : this.withOrder(model);
  }
  infill: CompletionText['infill'] = (task, input, sampling, options) => this.record('generate/infill', { ...sampling, ...input }, this.inner.infill(task, input, sampling, options));
  complete: CompletionText['complete'] = (task, prompt, sampling, options) => this.record('generate/complete', { ...sampling, prompt }, this.inner.complete(task, prompt, sampling, options));
  warm: CompletionText['warm'] = (task, input, options) => this.record('generate/warm', { input }, this.inner.warm(task, input, options));
  private record<T>(method: string, params: Record<string, unknown>, answer: Promise<T>): Promise<T> {
    this.sent.push({ method, params, answer: answer.catch((error: unknown) => error) });
    return answer;
  }
}

describe('CompletionService with the real model process (FIM test model)', function () {
  this.timeout(60_000);
  let supervisor: EngineSupervisor;
  let backend: RecordingBackend;
  let text: TextService;
  let modelPath: string;
  const services: CompletionService[] = [];

  before(async () => {
    modelPath = await fimTestModelPath();
    supervisor = new EngineSupervisor({
      spawn: () => EngineConnection.start(ENGINE),
      loadParams: async () => ({ path: modelPath, contextSize: 2048, threads: 1 }),
      idleUnloadMinutes: () => 0,
      log: () => undefined,
    });
    text = localTextService(new EngineClient(supervisor, () => undefined));
    backend = new RecordingBackend(text);
  });

  after(() => {
    for (const service of services) service.dispose();
    supervisor.dispose();
  });

  function service(overrides: Partial<CompletionSettings> = {}, knownOrder?: (model: ModelInfo) => 'psm' | 'spm' | undefined): CompletionService {
    const settings = { ...completionSettingsSchema.parse({}), debounceMs: 0, speculative: false, ...overrides };
    // A service with its own FIM order resolution records into the shared list all the same.
    const recorder = knownOrder === undefined ? backend : Object.assign(new RecordingBackend(text, knownOrder), { sent: backend.sent });
    const created = new CompletionService(recorder, () => settings, () => undefined);
    services.push(created);
    return created;
  }

  const document = (lines: readonly string[]): CompletionDocument => ({ path: 'src/math.ts', languageId: 'typescript', lines });
  const token = () => new CancellationTokenSource().token;
  /** Random weights: the first cursor spot where post-processing leaves a suggestion to show. */
  async function firstSuggestion(completions: CompletionService, lines: readonly string[]): Promise<{ text: string; line: number; character: number }> {
    for (const [line, character] of [[5, 2], [3, 0], [7, 0], [2, 1]] as const) {
      const outcome = await completions.provide(document(lines), line, character, token());
      if (outcome !== undefined && outcome.source === 'model' && outcome.text.length >= 2) return { text: outcome.text, line, character };
    }
    assert.fail('the model gave no suggestion at any of the tried positions');
  }

  const lastInfill = () => [...backend.sent].reverse().find((request) => request.method === 'generate/infill')?.params;

  it('asks generate/infill with the text around the cursor, the prefix ending at the cursor line', async () => {
    const lines = SOURCE.split('\n');
    await service().provide(document(lines), 5, 2, token());
    const params = lastInfill();
    assert.ok(params !== undefined, 'no infill request was sent');
    assert.equal(params.prefix, `${lines.slice(0, 5).join('\n')}\n`);
    assert.equal(params.middlePrefix, '  ');
    assert.equal(params.suffix, ['', ...lines.slice(6)].join('\n'));
    assert.equal(params.order, 'psm', 'auto falls back to psm for a model the catalog does not know');
    assert.equal(params.slot, 'completion');
  });

  it("uses the catalog's order for a model it knows, unless the setting names one", async () => {
    const catalog = parseModelCatalog(
      {
        models: [
          {
            id: 'fim-test',
            fileName: basename(modelPath),
            url: 'https://example.invalid/fim-test.gguf',
            sha256: '0'.repeat(64),
            sizeBytes: 1,
            description: 'the generated FIM test model, said to be trained with suffix first',
            fim: { prefix: '<PRE>', suffix: '<SUF>', middle: '<MID>', order: 'spm' },
          },
        ],
      },
      'test catalog',
    );
    const known = (model: ModelInfo) => catalogEntryForPath(catalog, model.path)?.fim?.order;
    const lines = SOURCE.split('\n');
    await service({}, known).provide(document(lines), 5, 2, token());
    assert.equal(lastInfill()?.order, 'spm');
    await service({ fimOrder: 'psm' }, known).provide(document(lines), 5, 2, token());
    assert.equal(lastInfill()?.order, 'psm');
  });

  it('prepares the next suggestion while one is shown, so accepting it needs no model call of its own', async () => {
    const completions = service({ speculative: true });
    const lines = SOURCE.split('\n');
    const shown = await firstSuggestion(completions, lines);
    const accepted = applySuggestion(lines, shown.line, shown.character, shown.text);
    const { modelCalls } = completions.stats;
    // Accepted at once (Tab): the request waits for the prepared suggestion instead of asking again.
    const next = await completions.provide(document(accepted.lines), accepted.line, accepted.character, token());
    assert.ok(completions.stats.prefetches >= 1, 'nothing was prepared');
    assert.equal(completions.stats.modelCalls, modelCalls, 'the accepted position asked the model itself');
    if (next !== undefined) assert.equal(next.source, 'cache');
  });

  it('cancels the prepared suggestion in the model process when the user types something else', async () => {
    // Long generations, so the prepared one is surely still running at the next keystroke.
    const completions = service({ speculative: true, maxTokens: 1024, generationBudgetMs: 60_000 });
    const lines = SOURCE.split('\n');
    const requests = backend.sent.length;
    await firstSuggestion(completions, lines);
    const prepared = backend.sent.at(-1);
    assert.ok(prepared !== undefined && backend.sent.length > requests, 'no request was sent to prepare the next suggestion');
    // The very next keystroke goes elsewhere, while the prepared suggestion is being generated.
    const elsewhere = [...lines];
    elsewhere[0] = `// ${elsewhere[0]}`;
    const own = completions.provide(document(elsewhere), 0, 1, token());
    const result = (await prepared.answer) as { stopReason?: string; generatedTokens?: number };
    assert.equal(result.stopReason, 'cancelled');
    assert.ok((result.generatedTokens ?? 0) < 1024);
    await own;
    const keystroke = backend.sent.find((request, index) => index > backend.sent.indexOf(prepared) && request.params.middlePrefix === '/');
    assert.ok(keystroke !== undefined, 'the keystroke then asked for its own suggestion');
  });

  it('takes cache and extra-context sizes of 0 as off, and applies size changes without a new service', async () => {
    const settings: CompletionSettings = { ...completionSettingsSchema.parse({}), debounceMs: 0, speculative: false, cacheSize: 0, extraContextChunks: 0 };
    const completions = new CompletionService(backend, () => settings, () => undefined);
    services.push(completions);
    const lines = SOURCE.split('\n');
    completions.noteContext({ path: 'src/other.ts', languageId: 'typescript', lines }, 2, () => undefined);
    assert.deepEqual(completions.extraContextSources(), []);
    const shown = await firstSuggestion(completions, lines);
    const calls = completions.stats.modelCalls;
    await completions.provide(document(lines), shown.line, shown.character, token());
    assert.equal(completions.stats.modelCalls, calls + 1, 'with cacheSize 0 the same position asks the model again');

    settings.cacheSize = 250;
    settings.extraContextChunks = 4;
    await completions.provide(document(lines), shown.line, shown.character, token());
    const again = await completions.provide(document(lines), shown.line, shown.character, token());
    assert.equal(again?.source, 'cache');
    completions.noteContext({ path: 'src/other.ts', languageId: 'typescript', lines }, 2, () => undefined);
    assert.deepEqual(completions.extraContextSources(), ['src/other.ts']);
  });

  it('serves typing through a shown suggestion from the cache, with no model call', async () => {
    const completions = service();
    const lines = SOURCE.split('\n');
    // Random weights: find a cursor spot where post-processing leaves a suggestion of two or more characters.
    let shown: { text: string; line: number; character: number } | undefined;
    for (const [line, character] of [[5, 2], [3, 0], [7, 0], [2, 1]] as const) {
      const outcome = await completions.provide(document(lines), line, character, token());
      if (outcome !== undefined && outcome.text.length >= 2 && !outcome.text.startsWith('\n')) {
        shown = { text: outcome.text, line, character };
        break;
      }
    }
    assert.ok(shown !== undefined, 'the model gave no suggestion at any of the tried positions');
    const typed = [...lines];
    const current = typed[shown.line] ?? '';
    typed[shown.line] = current.slice(0, shown.character) + shown.text.charAt(0) + current.slice(shown.character);
    const requests = backend.sent.length;
    const next = await completions.provide(document(typed), shown.line, shown.character + 1, token());
    assert.deepEqual(next && { text: next.text, source: next.source }, { text: shown.text.slice(1), source: 'cache' });
    assert.equal(backend.sent.length, requests, 'the model was asked');
  });
});
