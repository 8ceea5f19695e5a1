// Small helpers the browser-driven suites share: wait for a condition without fixed sleeps, fail
// with a message, and shorten text for one.

/** Calls `condition` every `intervalMs` until it holds (true) or `timeoutMs` passes (false). */
export async function poll(timeoutMs: number, condition: () => Promise<boolean>, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export function preview(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
