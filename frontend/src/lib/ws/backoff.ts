/** Bounds of the reconnect delay in milliseconds. */
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
}

export const defaultBackoff: BackoffOptions = { minMs: 500, maxMs: 20_000 };

/**
 * Full-jitter exponential backoff (AWS architecture blog, "Exponential Backoff And Jitter"):
 * a uniformly random delay between 0 and min(maxMs, minMs·2^attempt). `attempt` counts the
 * failed attempts since the last successful welcome, starting at 0.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const cap = backoffCap(attempt, opts);
  return Math.floor(random() * cap);
}

/** The upper bound of the delay for an attempt. */
export function backoffCap(attempt: number, opts: BackoffOptions): number {
  const exp = Math.min(Math.max(attempt, 0), 30);
  return Math.min(opts.maxMs, opts.minMs * 2 ** exp);
}
