// The baseline the model process is measured against: node-llama-cpp called in this process with
// the same model, context settings and prompt tokens (laid out by the engine's own promptLayout),
// the sequence's KV cache reused the way the library does it by itself.
import type { Llama, LlamaCompletion, LlamaContext, LlamaModel, Token } from 'node-llama-cpp';
import { infillTokens, promptRoomFor, segmentTokenizer, type InfillLayout, type Vocabulary } from '../../src/engine/promptLayout';

// As in src/engine/modelEngine.ts: two shared sequences and one for completions, same context size.
const SEQUENCES = 3;
const MIN_GENERATION_ROOM = 16;

export interface InProcessRun {
  readonly ms: number;
  readonly generatedTokens: number;
  readonly promptTokens: number;
}

export class InProcessModel {
  private constructor(
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly completion: LlamaCompletion,
    private readonly vocabulary: Vocabulary,
  ) {}

  static async load(modelPath: string, contextSize: number, threads: number): Promise<InProcessModel> {
    // node-llama-cpp is ESM-only; this script runs as CJS under tsx, so it is imported dynamically.
    const { getLlama, LlamaCompletion, LlamaLogLevel } = await import('node-llama-cpp');
    const llama = await getLlama({ build: 'never', maxThreads: 0, logLevel: LlamaLogLevel.error });
    const model = await llama.loadModel({ modelPath });
    const context = await model.createContext({ contextSize: Math.min(contextSize, model.trainContextSize), sequences: SEQUENCES, threads });
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    const { prefix, suffix, middle } = model.tokens.infill;
    // The same segment tokenizer as the model process, without its memory of recent segments:
    // what calling node-llama-cpp directly costs.
    const vocabulary: Vocabulary = {
      tokenize: segmentTokenizer(model),
      fim: prefix !== null && suffix !== null && middle !== null ? { prefix, suffix, middle } : null,
    };
    return new InProcessModel(llama, model, context, completion, vocabulary);
  }

  /** The same tokens the model process builds for this layout. */
  tokens(layout: InfillLayout, maxTokens: number): Token[] {
    const room = promptRoomFor(this.context.contextSize, Math.max(maxTokens, MIN_GENERATION_ROOM));
    return infillTokens(layout, this.vocabulary, room);
  }

  /** Lays out the prompt and generates greedily, reusing whatever the sequence already holds. */
  async complete(layout: InfillLayout, maxTokens: number, stop: readonly string[]): Promise<InProcessRun> {
    const start = performance.now();
    const tokens = this.tokens(layout, maxTokens);
    let generatedTokens = 0;
    await this.completion.generateCompletionWithMeta(tokens, {
      maxTokens,
      temperature: 0,
      ...(stop.length === 0 ? {} : { customStopTriggers: [...stop] }),
      onToken: (chunk) => void (generatedTokens += chunk.length),
    });
    return { ms: performance.now() - start, generatedTokens, promptTokens: tokens.length };
  }

  async dispose(): Promise<void> {
    this.completion.dispose();
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }
}
