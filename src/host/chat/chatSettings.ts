// The `hearth.chat.*` and `hearth.summaries.*` settings as one zod schema.
import { z } from 'zod';

export const chatSettingsSchema = z.object({
  maxTokens: z.number().int().min(16).max(8192).default(512),
  temperature: z.number().min(0).max(2).default(0.3),
  summaryStyle: z.enum(['brief', 'paragraph', 'bullets']).default('paragraph'),
});

export type ChatSettings = z.infer<typeof chatSettingsSchema>;

export const chatSettingIds: Record<keyof ChatSettings, string> = {
  maxTokens: 'hearth.chat.maxTokens',
  temperature: 'hearth.chat.temperature',
  summaryStyle: 'hearth.summaries.style',
};
