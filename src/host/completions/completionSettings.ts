// The `hearth.completions.*` settings as one zod schema (what may be read is the privacy policy's
// business, not these settings'); defaults
// follow llama.vscode's where it has one (prefix 256 lines, suffix 64, 128 tokens, 500 ms
// budgets, 250 cached suggestions, 16 chunks of 64 lines).
import { z } from 'zod';

export const completionSettingsSchema = z.object({
  enabled: z.boolean().default(true),
  languages: z.record(z.string(), z.boolean()).default({ '*': true }),
  debounceMs: z.number().int().min(0).max(5_000).default(100),
  prefixLines: z.number().int().min(1).max(10_000).default(256),
  suffixLines: z.number().int().min(0).max(10_000).default(64),
  maxTokens: z.number().int().min(1).max(1_024).default(128),
  maxLines: z.number().int().min(1).max(200).default(16),
  promptBudgetMs: z.number().int().min(10).max(60_000).default(500),
  generationBudgetMs: z.number().int().min(10).max(60_000).default(500),
  cacheSize: z.number().int().min(0).max(10_000).default(250),
  /** Prepare the next suggestion while one is shown, so accepting it shows the next at once. */
  speculative: z.boolean().default(true),
  extraContextChunks: z.number().int().min(0).max(64).default(16),
  extraContextLines: z.number().int().min(4).max(1_000).default(64),
  /** auto: the catalog's order for a known model, else psm; psm: prefix-suffix-middle (every FIM model); spm: suffix first. */
  fimOrder: z.enum(['auto', 'psm', 'spm']).default('auto'),
});

export type CompletionSettings = z.infer<typeof completionSettingsSchema>;

/** The setting id each field is read from. */
export const completionSettingIds: Record<keyof CompletionSettings, string> = {
  enabled: 'hearth.completions.enabled',
  languages: 'hearth.completions.languages',
  debounceMs: 'hearth.completions.debounceMs',
  prefixLines: 'hearth.completions.prefixLines',
  suffixLines: 'hearth.completions.suffixLines',
  maxTokens: 'hearth.completions.maxTokens',
  maxLines: 'hearth.completions.maxLines',
  promptBudgetMs: 'hearth.completions.promptBudgetMs',
  generationBudgetMs: 'hearth.completions.generationBudgetMs',
  cacheSize: 'hearth.completions.cacheSize',
  speculative: 'hearth.completions.speculative',
  extraContextChunks: 'hearth.completions.extraContext.chunks',
  extraContextLines: 'hearth.completions.extraContext.chunkLines',
  fimOrder: 'hearth.completions.fimOrder',
};
