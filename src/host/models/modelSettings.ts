// The `hearth.models.*` settings as one zod schema.
import { z } from 'zod';

export const modelSettingsSchema = z.object({
  /**
   * Base URL that replaces https://huggingface.co in catalog URLs; empty: Hugging Face. Checked
   * where it is used (modelMirror.ts), which refuses a bad one rather than fall back to Hugging Face.
   */
  mirror: z.string().default(''),
});

export type ModelSettings = z.infer<typeof modelSettingsSchema>;

export const modelSettingIds: Record<keyof ModelSettings, string> = {
  mirror: 'hearth.models.mirror',
};
