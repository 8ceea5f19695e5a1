// Waiting on a promise that may not notice an abort soon (an SDK waiting out a retry-after, a
// downloader's retry loop): the wait ends as soon as the signal aborts. AbortSignal is a web
// standard, so this is pure.

export const ABORTED = Symbol('aborted');

/** The promise's value, or ABORTED as soon as `signal` aborts (the promise is left to settle alone). */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => undefined); // settles alone; a late rejection is nobody's
      resolve(ABORTED);
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
