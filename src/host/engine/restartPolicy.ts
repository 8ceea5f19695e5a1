// When to restart a crashed model process: like the language client, at most 4 restarts in
// 3 minutes, each after a longer pause, so a model that crashes on load cannot spin the CPU.
export interface RestartPolicyOptions {
  readonly maxRestarts: number;
  readonly windowMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const defaultRestartPolicy: RestartPolicyOptions = {
  maxRestarts: 4,
  windowMs: 3 * 60_000,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
};

export type RestartDecision = { readonly restart: true; readonly delayMs: number } | { readonly restart: false; readonly crashes: number };

export class RestartPolicy {
  private crashes: number[] = [];

  constructor(private readonly options: RestartPolicyOptions = defaultRestartPolicy) {}

  /** Records a crash at `now` and says whether, and after how long, to restart. */
  recordCrash(now: number): RestartDecision {
    this.crashes = this.crashes.filter((at) => now - at < this.options.windowMs);
    this.crashes.push(now);
    const count = this.crashes.length;
    if (count > this.options.maxRestarts) return { restart: false, crashes: count };
    return { restart: true, delayMs: Math.min(this.options.baseDelayMs * 2 ** (count - 1), this.options.maxDelayMs) };
  }

  /** A restart the user asked for starts a fresh budget. */
  reset(): void {
    this.crashes = [];
  }
}
