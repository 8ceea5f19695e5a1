// The catalog of models Hearth knows how to fetch: where each file comes from, the sha256 that pins
// it, and how to prompt it for fill-in-the-middle. The catalog is a trust boundary (a file people
// edit by hand), so it is validated with zod and every problem names the file and the field.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
// Bundled into the extension by esbuild, so the default catalog needs no path lookup at run time.
import bundledCatalog from '../../../models/catalog.json';

/** Where the default catalog lives in the repository, for messages and tools. */
export const BUNDLED_CATALOG_NAME = 'models/catalog.json';

const fimSchema = z
  .object({
    /** Token text that opens the code before the cursor, e.g. `<|fim_prefix|>`. */
    prefix: z.string().min(1),
    /** Token text that opens the code after the cursor, e.g. `<|fim_suffix|>`. */
    suffix: z.string().min(1),
    /** Token text after which the model writes the missing middle, e.g. `<|fim_middle|>`. */
    middle: z.string().min(1),
    /** Prompt order: prefix-suffix-middle, or suffix-prefix-middle (some models were trained on both). */
    order: z.enum(['psm', 'spm']),
  })
  .strict();

export const catalogModelSchema = z
  .object({
    /** Stable id used in settings and logs. */
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower-case letters, digits, ".", "_" or "-"'),
    /** File name under the models folder; a plain name so a catalog cannot write elsewhere. */
    fileName: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\.gguf$/, 'must be a plain file name ending in .gguf (no folders)'),
    url: z
      .string()
      .url()
      .refine((value) => value.startsWith('https://'), 'must be an https:// URL'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
    sizeBytes: z.number().int().positive(),
    description: z.string().min(1),
    fim: fimSchema.nullable(),
  })
  .strict();

export const modelCatalogSchema = z
  .object({
    models: z.array(catalogModelSchema),
  })
  .strict()
  .superRefine((catalog, ctx) => {
    // Ids and file names are lookup keys; a duplicate would silently shadow an entry.
    for (const key of ['id', 'fileName'] as const) {
      const seen = new Set<string>();
      catalog.models.forEach((model, index) => {
        if (seen.has(model[key])) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['models', index, key], message: `duplicate ${key} "${model[key]}"` });
        }
        seen.add(model[key]);
      });
    }
  });

export type CatalogModel = z.infer<typeof catalogModelSchema>;
export type CatalogFim = z.infer<typeof fimSchema>;
export type ModelCatalog = z.infer<typeof modelCatalogSchema>;

export class ModelCatalogError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelCatalogError';
  }
}

/** Validates an already-parsed catalog; `source` names it in error messages. */
export function parseModelCatalog(raw: unknown, source: string): ModelCatalog {
  const result = modelCatalogSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    throw new ModelCatalogError(`Model catalog ${source} is invalid:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

/**
 * Loads and validates a catalog file; without `file`, the catalog bundled with Hearth.
 * Throws ModelCatalogError for an unreadable file, bad JSON, or an entry that fails validation.
 */
export async function loadModelCatalog(file?: string): Promise<ModelCatalog> {
  if (file === undefined) return bundledModelCatalog();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ModelCatalogError(`Cannot read model catalog ${file}: ${errorMessage(error)}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ModelCatalogError(`Model catalog ${file} is not valid JSON: ${errorMessage(error)}`, { cause: error });
  }
  return parseModelCatalog(raw, file);
}

/** The catalog bundled with Hearth, validated. */
export function bundledModelCatalog(): ModelCatalog {
  return parseModelCatalog(bundledCatalog, BUNDLED_CATALOG_NAME);
}

/** The catalog entry whose file a model path names (matched by file name, in any folder). */
export function catalogEntryForPath(catalog: ModelCatalog, modelPath: string): CatalogModel | undefined {
  const fileName = modelPath.split(/[\\/]/).pop() ?? modelPath;
  return catalog.models.find((model) => model.fileName === fileName);
}

function formatPath(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return '(top level)';
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
