// A stream of text deltas that is also a promise of the final result: features either iterate
// the deltas as they come (chat, summaries) or await `result` alone.

export interface TextStream<R> extends AsyncIterable<string> {
  /** Resolves when the answer is complete (or cancelled); rejects if it failed. */
  readonly result: Promise<R>;
}

/** Wraps a producer that reports text through a callback into a TextStream. */
export function textStream<R>(produce: (onText: (text: string) => void) => Promise<R>): TextStream<R> {
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  const result = produce((text) => {
    queue.push(text);
    wake?.();
  });
  const settle = () => {
    finished = true;
    wake?.();
  };
  result.then(settle, settle);
  return {
    result,
    async *[Symbol.asyncIterator]() {
      for (;;) {
        while (queue.length > 0) yield queue.shift() as string;
        if (finished) {
          // Rethrows a failure to whoever iterates.
          await result;
          return;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    },
  };
}
