// The shape of Hearth's model catalog (models/catalog.json), version 2: one entry per model, each
// with several quantized GGUF files. Pure TypeScript and zod, so the host, tools and tests share one
// definition. Loading, error wording and the bundled catalog live in src/host/models/modelCatalog.ts.
//
// Honesty rules the schema enforces (the catalog is hand-edited from public sources):
//  - a sha256 is either 64 lower-case hex digits taken from a source someone actually read, or null;
//    null must be listed in the file's `unverified` array;
//  - every value that could not be confirmed is named in an `unverified` array, with `provenance`
//    saying where the values came from;
//  - URLs are https:// only, unless a caller (tests) explicitly allows http:// to the loopback host.
import { z } from 'zod';

export const MODEL_CATALOG_VERSION = 2;

/** The context size Hearth opens a model with unless told otherwise; RAM figures are for this size. */
export const DEFAULT_CONTEXT_TOKENS = 4096;

/**
 * Flat allowance for what a loaded model needs besides its weights and KV cache: llama.cpp's
 * compute buffers (they grow with the vocabulary: about vocabulary × 512-token batch × 4 bytes,
 * 0.1–0.5 GB for these models) and the Node model process. An estimate, not a measurement.
 */
export const RUNTIME_OVERHEAD_BYTES = 512 * 1024 * 1024;

/** Bytes per cached K or V element: llama.cpp's default KV cache type is f16. */
export const KV_BYTES_PER_ELEMENT = 2;

export const modelRoles = ['completion', 'chat', 'writing', 'starter', 'test'] as const;
export const modelVariants = ['base', 'instruct', 'test', 'unknown'] as const;
export const chatTemplateFamilies = ['chatml', 'llama3', 'llama2', 'gemma', 'phi', 'none', 'unknown'] as const;
export const fimOrders = ['psm', 'spm'] as const;

/** Model fields an `unverified` list may name. */
export const modelFieldNames = [
  'name',
  'family',
  'parameters',
  'variant',
  'description',
  'source',
  'license',
  'license.url',
  'gated',
  'chatTemplate',
  'contextLength',
  'roles',
  'fim',
  'architecture',
] as const;

/** File fields an `unverified` list may name. */
export const fileFieldNames = ['quantization', 'fileName', 'url', 'sizeBytes', 'sha256', 'ramBytes', 'quality'] as const;

export interface CatalogSchemaOptions {
  /**
   * Also accept `http://` URLs whose host is the loopback interface (127.0.0.1, localhost, [::1]).
   * For tests that serve models from a local HTTP server; user catalogs stay https-only.
   */
  readonly allowLoopbackHttp?: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why `value` is not an acceptable model URL under `options`, or undefined when it is. */
export function modelUrlProblem(value: string, options: CatalogSchemaOptions = {}): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && options.allowLoopbackHttp === true) {
    return LOOPBACK_HOSTS.has(url.hostname) ? undefined : 'http:// is allowed only for the loopback host (127.0.0.1, localhost, [::1])';
  }
  return options.allowLoopbackHttp === true
    ? 'must be an https:// URL (or http:// to the loopback host)'
    : 'must be an https:// URL';
}

const nonEmpty = z.string().trim().min(1);
const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');
/** A plain file name, so a catalog cannot make Hearth write outside its models folder. */
const fileNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\.gguf$/, 'must be a plain file name ending in .gguf (no folders)');
const idSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower-case letters, digits, ".", "_" or "-"');
/** A Hugging Face repository id, `owner/name`. */
const repoIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a Hugging Face repository id, "owner/name"');
const positiveInt = z.number().int().positive();
const httpsUrlSchema = z
  .string()
  .refine((value) => modelUrlProblem(value) === undefined, (value) => ({ message: modelUrlProblem(value) ?? 'invalid URL' }));

function urlSchema(options: CatalogSchemaOptions) {
  return z
    .string()
    .refine(
      (value) => modelUrlProblem(value, options) === undefined,
      (value) => ({ message: modelUrlProblem(value, options) ?? 'invalid URL' }),
    );
}

export const fimSchema = z
  .object({
    /** Token text that opens the code before the cursor, e.g. `<|fim_prefix|>`. */
    prefix: z.string().min(1),
    /** Token text that opens the code after the cursor, e.g. `<|fim_suffix|>`. */
    suffix: z.string().min(1),
    /** Token text after which the model writes the missing middle, e.g. `<|fim_middle|>`. */
    middle: z.string().min(1),
    /** The prompt order Hearth uses: prefix-suffix-middle, or suffix-prefix-middle. */
    order: z.enum(fimOrders),
    /** The orders the model was trained with, as its card or paper says. */
    trainedOrders: z.array(z.enum(fimOrders)).min(1),
    /** Which variant of the family fills in the middle best (e.g. the base model, per its card). */
    preferredVariant: z.enum(['base', 'instruct']).optional(),
    note: nonEmpty.optional(),
  })
  .strict()
  .superRefine((fim, ctx) => {
    if (!fim.trainedOrders.includes(fim.order)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['order'], message: `"${fim.order}" is not one of trainedOrders` });
    }
  });

/** What the KV cache size is computed from (the model's config.json or GGUF header). */
export const architectureSchema = z
  .object({
    layers: positiveInt,
    kvHeads: positiveInt,
    headDim: positiveInt,
  })
  .strict();

function fileSchema(options: CatalogSchemaOptions) {
  return z
    .object({
      /** llama.cpp quantization name as published, e.g. Q4_K_M, Q8_0, F32. */
      quantization: z.string().regex(/^[A-Z0-9_]+$/, 'must be a quantization name such as Q4_K_M'),
      fileName: fileNameSchema,
      url: urlSchema(options),
      sizeBytes: positiveInt,
      /** Content hash (the Git LFS oid on Hugging Face), or null when no read source gave one. */
      sha256: sha256Schema.nullable(),
      /** The commit at which sizeBytes/sha256 were observed, when a source named it. */
      revision: z.string().regex(/^[0-9a-f]{40}$/, 'must be a 40-hex-digit commit').optional(),
      /** RAM needed at DEFAULT_CONTEXT_TOKENS: file + KV cache + RUNTIME_OVERHEAD_BYTES; null when unknown. */
      ramBytes: positiveInt.nullable(),
      /** Plain words: what this quantization trades. */
      quality: nonEmpty,
      unverified: z.array(z.enum(fileFieldNames)),
      /** Where these values came from. */
      provenance: nonEmpty,
    })
    .strict()
    .superRefine((file, ctx) => {
      if (file.sha256 === null && !file.unverified.includes('sha256')) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['unverified'], message: 'must list "sha256" when sha256 is null' });
      }
      if (file.ramBytes === null && !file.unverified.includes('ramBytes')) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['unverified'], message: 'must list "ramBytes" when ramBytes is null' });
      }
      if (file.unverified.includes('sizeBytes') && !file.unverified.includes('ramBytes')) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['unverified'],
          message: 'must list "ramBytes" when "sizeBytes" is unverified (RAM is computed from the size)',
        });
      }
    });
}

function modelSchema(options: CatalogSchemaOptions) {
  return z
    .object({
      /** Stable id used in settings and logs. */
      id: idSchema,
      name: nonEmpty,
      /** Model family, e.g. "Qwen2.5-Coder", "Llama 3.2". */
      family: nonEmpty,
      /** Parameter count as the publisher states it, e.g. "0.5B". */
      parameters: nonEmpty,
      variant: z.enum(modelVariants),
      /** Plain words for people choosing a model. */
      description: nonEmpty,
      source: z
        .object({
          /** The Hugging Face repository the files come from. */
          repository: repoIdSchema.nullable(),
          /** Who made the GGUF files. */
          quantizedBy: nonEmpty,
          /** The original (non-GGUF) model repository, when known. */
          upstream: repoIdSchema.optional(),
        })
        .strict(),
      license: z
        .object({
          /** SPDX id where one exists (Apache-2.0, MIT), else the license's short name. */
          id: nonEmpty,
          name: nonEmpty,
          url: httpsUrlSchema.nullable(),
        })
        .strict(),
      /** Whether the file repository asks for a Hugging Face login and accepted terms. */
      gated: z.boolean(),
      /** Required when gated: what the user must do (their Hugging Face token is needed). */
      gatedNote: nonEmpty.optional(),
      chatTemplate: z.enum(chatTemplateFamilies),
      /** Context length the model was trained for (tokens); null when unknown. */
      contextLength: positiveInt.nullable(),
      roles: z.array(z.enum(modelRoles)),
      /** Fill-in-the-middle prompting; null when the model was not trained for it. */
      fim: fimSchema.nullable(),
      architecture: architectureSchema.nullable(),
      files: z.array(fileSchema(options)).min(1),
      unverified: z.array(z.enum(modelFieldNames)),
      provenance: nonEmpty,
    })
    .strict()
    .superRefine((model, ctx) => {
      if (model.gated && model.gatedNote === undefined) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['gatedNote'],
          message: 'is required when gated is true (say that a Hugging Face token is needed)',
        });
      }
    });
}

const memoryEstimateSchema = z
  .object({
    contextTokens: positiveInt,
    kvBytesPerElement: positiveInt,
    overheadBytes: positiveInt,
    method: nonEmpty,
  })
  .strict();

/** The version 2 catalog schema; `options` decide which URLs are acceptable. */
export function createModelCatalogSchema(options: CatalogSchemaOptions = {}) {
  return z
    .object({
      version: z.literal(MODEL_CATALOG_VERSION, {
        errorMap: () => ({ message: `must be ${MODEL_CATALOG_VERSION} (this Hearth reads catalog versions 1 and 2)` }),
      }),
      memoryEstimate: memoryEstimateSchema,
      models: z.array(modelSchema(options)),
    })
    .strict()
    .superRefine((catalog, ctx) => {
      // Ids and file names are lookup keys; a duplicate would silently shadow an entry.
      const ids = new Set<string>();
      const fileNames = new Set<string>();
      catalog.models.forEach((model, index) => {
        if (ids.has(model.id)) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['models', index, 'id'], message: `duplicate id "${model.id}"` });
        }
        ids.add(model.id);
        model.files.forEach((file, fileIndex) => {
          if (fileNames.has(file.fileName)) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: ['models', index, 'files', fileIndex, 'fileName'],
              message: `duplicate fileName "${file.fileName}"`,
            });
          }
          fileNames.add(file.fileName);
        });
      });
    });
}

// ---------------------------------------------------------------------------------------------
// Version 1: one file per entry, no version field. Still read (and converted) so catalogs written
// for older Hearth builds keep loading; every field v1 did not have is marked unknown/unverified.
// ---------------------------------------------------------------------------------------------

const legacyFimSchema = z
  .object({
    prefix: z.string().min(1),
    suffix: z.string().min(1),
    middle: z.string().min(1),
    order: z.enum(fimOrders),
  })
  .strict();

export function createLegacyModelCatalogSchema(options: CatalogSchemaOptions = {}) {
  const legacyModel = z
    .object({
      id: idSchema,
      fileName: fileNameSchema,
      url: urlSchema(options),
      sha256: sha256Schema,
      sizeBytes: positiveInt,
      description: z.string().min(1),
      fim: legacyFimSchema.nullable(),
    })
    .strict();
  return z
    .object({ models: z.array(legacyModel) })
    .strict()
    .superRefine((catalog, ctx) => {
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
}

export type ModelCatalog = z.infer<ReturnType<typeof createModelCatalogSchema>>;
export type CatalogModel = ModelCatalog['models'][number];
export type CatalogFile = CatalogModel['files'][number];
export type CatalogFim = z.infer<typeof fimSchema>;
export type CatalogArchitecture = z.infer<typeof architectureSchema>;
export type CatalogMemoryEstimate = z.infer<typeof memoryEstimateSchema>;
export type LegacyModelCatalog = z.infer<ReturnType<typeof createLegacyModelCatalogSchema>>;

export const DEFAULT_MEMORY_ESTIMATE: CatalogMemoryEstimate = {
  contextTokens: DEFAULT_CONTEXT_TOKENS,
  kvBytesPerElement: KV_BYTES_PER_ELEMENT,
  overheadBytes: RUNTIME_OVERHEAD_BYTES,
  method:
    'ramBytes = sizeBytes + KV cache + overheadBytes, where KV cache = 2 (K and V) × layers × kvHeads × headDim × kvBytesPerElement × contextTokens (f16 cache, full attention, one sequence). overheadBytes is a flat estimate for llama.cpp compute buffers and the model process, not a measurement.',
};

/** Converts a validated version 1 catalog to version 2. */
export function migrateLegacyCatalog(legacy: LegacyModelCatalog): ModelCatalog {
  return {
    version: MODEL_CATALOG_VERSION,
    memoryEstimate: { ...DEFAULT_MEMORY_ESTIMATE },
    models: legacy.models.map((entry) => ({
      id: entry.id,
      name: entry.id,
      family: 'unknown',
      parameters: 'unknown',
      variant: 'unknown',
      description: entry.description,
      source: { repository: null, quantizedBy: 'unknown' },
      license: { id: 'unknown', name: 'unknown', url: null },
      gated: false,
      chatTemplate: 'unknown',
      contextLength: null,
      roles: [],
      fim: entry.fim === null ? null : { ...entry.fim, trainedOrders: [entry.fim.order] },
      architecture: null,
      files: [
        {
          quantization: 'UNKNOWN',
          fileName: entry.fileName,
          url: entry.url,
          sizeBytes: entry.sizeBytes,
          sha256: entry.sha256,
          ramBytes: null,
          quality: 'unknown',
          unverified: ['quantization', 'ramBytes', 'quality'],
          provenance: 'converted from a version 1 catalog entry',
        },
      ],
      unverified: ['name', 'family', 'parameters', 'variant', 'source', 'license', 'gated', 'chatTemplate', 'contextLength', 'roles', 'architecture'],
      provenance: 'converted from a version 1 catalog entry',
    })),
  };
}

/** KV cache bytes for `tokens` tokens of context (full attention, one sequence). */
export function kvCacheBytes(
  architecture: CatalogArchitecture,
  tokens: number = DEFAULT_CONTEXT_TOKENS,
  bytesPerElement: number = KV_BYTES_PER_ELEMENT,
): number {
  return 2 * architecture.layers * architecture.kvHeads * architecture.headDim * bytesPerElement * tokens;
}

/** RAM a file needs when loaded with the catalog's memory estimate (see DEFAULT_MEMORY_ESTIMATE.method). */
export function estimateRamBytes(
  sizeBytes: number,
  architecture: CatalogArchitecture,
  estimate: CatalogMemoryEstimate = DEFAULT_MEMORY_ESTIMATE,
): number {
  return sizeBytes + kvCacheBytes(architecture, estimate.contextTokens, estimate.kvBytesPerElement) + estimate.overheadBytes;
}
