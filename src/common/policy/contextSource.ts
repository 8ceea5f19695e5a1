// What a request to a model was built from: the files (and line ranges) whose text it carries.
// Every call to the text service lists them, so the one privacy gate can refuse an excluded file
// and keep a never-send file out of anything that leaves the machine.

export interface ContextSource {
  /** The document's URI as a string (file:, untitled:, …). */
  readonly uri: string;
  /** Workspace-relative path with `/` separators (what the globs match); the URI's path outside a workspace. */
  readonly path: string;
  /** 1-based, inclusive. */
  readonly startLine: number;
  readonly endLine: number;
  /** The exact text taken from the file, so it can be withheld from a cloud payload. */
  readonly text?: string;
  /** From an earlier turn of a conversation: if it is excluded now, its text is left out rather than the request refused. */
  readonly history?: boolean;
}
