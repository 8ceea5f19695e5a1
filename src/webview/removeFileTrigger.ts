// `#file` typed at the start of the box or after whitespace means "attach a file": the composer
// removes the five characters and asks the host for a file picker.

const TRIGGER = '#file';

/** The text without a `#file` that ends just before `cursor`, or undefined when there is none. */
export function removeFileTrigger(value: string, cursor: number): { value: string; cursor: number } | undefined {
  const before = value.slice(0, cursor);
  if (!before.endsWith(TRIGGER)) return undefined;
  const start = before.length - TRIGGER.length;
  if (start > 0 && !/\s/.test(before[start - 1]!)) return undefined;
  return { value: value.slice(0, start) + value.slice(cursor), cursor: start };
}
