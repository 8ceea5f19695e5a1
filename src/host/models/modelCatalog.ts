// The catalog of models Hearth knows how to fetch: for each model its files (quantizations), where
// each comes from, the sha256 that pins it (or null when no source gave one), the RAM it needs, and
// how to prompt it for fill-in-the-middle. The catalog is a trust boundary (a file people edit by
// hand), so it is validated with zod and every problem names the file, the model and the field.
// The schema itself lives in src/common/models/modelCatalogSchema.ts.
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import {
  createLegacyModelCatalogSchema,
  createModelCatalogSchema,
  migrateLegacyCatalog,
  type CatalogFile,
  type CatalogModel,
  type CatalogSchemaOptions,
  type ModelCatalog,
} from '../../common/models/modelCatalogSchema';
// Bundled into the extension by esbuild, so the default catalog needs no path lookup at run time.
import bundledCatalog from '../../../models/catalog.json';

export type {
  CatalogArchitecture,
  CatalogFile,
  CatalogFim,
  CatalogMemoryEstimate,
  CatalogModel,
  CatalogSchemaOptions,
  ModelCatalog,
} from '../../common/models/modelCatalogSchema';
export {
  DEFAULT_CONTEXT_TOKENS,
  createModelCatalogSchema,
  estimateRamBytes,
  kvCacheBytes,
  modelUrlProblem,
} from '../../common/models/modelCatalogSchema';

/** Where the default catalog lives in the repository, for messages and tools. */
export const BUNDLED_CATALOG_NAME = 'models/catalog.json';

/** The strict (https-only) version 2 catalog schema. */
export const modelCatalogSchema = createModelCatalogSchema();

export type CatalogParseOptions = CatalogSchemaOptions;

export class ModelCatalogError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelCatalogError';
  }
}

/**
 * Validates an already-parsed catalog; `source` names it in error messages. Reads version 2
 * (`{ "version": 2, ... }`) and, converted on the fly, version 1 (no `version`, one file per entry).
 * URLs must be https:// unless `options.allowLoopbackHttp` (tests) also allows http:// to loopback.
 */
export function parseModelCatalog(raw: unknown, source: string, options: CatalogParseOptions = {}): ModelCatalog {
  if (isRecord(raw) && 'version' in raw) {
    return unwrap(createModelCatalogSchema(options).safeParse(raw), raw, source);
  }
  return migrateLegacyCatalog(unwrap(createLegacyModelCatalogSchema(options).safeParse(raw), raw, source));
}

/**
 * Loads and validates a catalog file; without `file`, the catalog bundled with Hearth.
 * Throws ModelCatalogError for an unreadable file, bad JSON, or an entry that fails validation.
 */
export async function loadModelCatalog(file?: string, options: CatalogParseOptions = {}): Promise<ModelCatalog> {
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
  return parseModelCatalog(raw, file, options);
}

/** The catalog bundled with Hearth, validated (https only). */
export function bundledModelCatalog(): ModelCatalog {
  return parseModelCatalog(bundledCatalog, BUNDLED_CATALOG_NAME);
}

/** The model and file a file name belongs to (file names are unique across the catalog). */
export function catalogFileByName(
  catalog: ModelCatalog,
  fileName: string,
): { readonly model: CatalogModel; readonly file: CatalogFile } | undefined {
  for (const model of catalog.models) {
    const file = model.files.find((candidate) => candidate.fileName === fileName);
    if (file !== undefined) return { model, file };
  }
  return undefined;
}

/** The catalog entry whose file a model path names (matched by file name, in any folder). */
export function catalogEntryForPath(catalog: ModelCatalog, modelPath: string): CatalogModel | undefined {
  const fileName = modelPath.split(/[\\/]/).pop() ?? modelPath;
  return catalogFileByName(catalog, fileName)?.model;
}

/**
 * What a download may be checked against: the sha256 and the size, each only when a source
 * confirmed it. An estimated size must not be enforced (the downloader refuses a mismatch); a
 * file without a sha256 can only be checked by size and its GGUF header.
 */
export function verifiedPins(file: CatalogFile): { readonly sha256?: string; readonly sizeBytes?: number } {
  return {
    ...(file.sha256 !== null && !file.unverified.includes('sha256') ? { sha256: file.sha256 } : {}),
    ...(file.unverified.includes('sizeBytes') ? {} : { sizeBytes: file.sizeBytes }),
  };
}

function unwrap<T>(result: z.SafeParseReturnType<unknown, T>, raw: unknown, source: string): T {
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}${describeSubject(raw, issue.path)}`);
  throw new ModelCatalogError(`Model catalog ${source} is invalid:\n  ${problems.join('\n  ')}`);
}

/** ` (model "id", file "name")` for an issue inside a model entry, read from the raw input. */
function describeSubject(raw: unknown, path: ReadonlyArray<string | number>): string {
  if (path[0] !== 'models' || typeof path[1] !== 'number' || !isRecord(raw) || !Array.isArray(raw.models)) return '';
  const model: unknown = raw.models[path[1]];
  if (!isRecord(model)) return '';
  const parts: string[] = [];
  if (typeof model.id === 'string') parts.push(`model "${model.id}"`);
  if (path[2] === 'files' && typeof path[3] === 'number' && Array.isArray(model.files)) {
    const file: unknown = model.files[path[3]];
    if (isRecord(file) && typeof file.fileName === 'string') parts.push(`file "${file.fileName}"`);
  }
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatPath(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return '(top level)';
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
