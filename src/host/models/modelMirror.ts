// The `hearth.models.mirror` setting: a base URL that takes the place of https://huggingface.co in
// catalog URLs (a company mirror, a regional one). Empty means Hugging Face itself. Pure.

/** The origins a mirror replaces. */
export const HUGGING_FACE_ORIGINS: readonly string[] = ['https://huggingface.co', 'https://hf.co'];

/** What is wrong with a mirror setting, or undefined when it is usable (empty counts as usable). */
export function mirrorProblem(mirror: string): string | undefined {
  const value = mirror.trim();
  if (value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL (expected e.g. https://mirror.example.com)`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `"${value}" must start with https:// or http://`;
  if (url.username !== '' || url.password !== '') return `"${value}" must not contain a user name or password`;
  if (url.search !== '' || url.hash !== '') return `"${value}" must be a base URL without ?query or #fragment`;
  return undefined;
}

export interface MirroredUrl {
  readonly url: string;
  /** Whether the mirror replaced Hugging Face in this URL. */
  readonly mirrored: boolean;
}

/**
 * `url` with a Hugging Face origin replaced by `mirror` (its path kept after the mirror's own path).
 * Other URLs, and every URL when `mirror` is empty, are returned as they are. Throws when the mirror
 * setting is unusable: falling back to Hugging Face would contact a host the user chose not to use.
 */
export function applyMirror(url: string, mirror: string): MirroredUrl {
  const base = mirror.trim();
  if (base === '') return { url, mirrored: false };
  const problem = mirrorProblem(base);
  if (problem !== undefined) throw new Error(`The setting hearth.models.mirror is not usable: ${problem}`);
  const parsed = new URL(url);
  if (!HUGGING_FACE_ORIGINS.includes(parsed.origin)) return { url, mirrored: false };
  const root = base.replace(/\/+$/, '');
  return { url: `${root}${parsed.pathname}${parsed.search}`, mirrored: true };
}
