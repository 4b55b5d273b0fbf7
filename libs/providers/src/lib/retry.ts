import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderError } from './provider-error';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per-try time limit. */
  timeoutMs: number;
}

export interface TryRecord {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

/** Milliseconds before try `n` (1-based, n >= 2): exponential with full jitter, at least the provider's retry-after. */
export function backoffMs(
  n: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 2));
  const jittered = Math.round(ceiling * (0.5 + random() / 2));
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.maxDelayMs));
}

/**
 * Calls `fn` until it succeeds, a failure is not retryable, or the tries run out; each try gets its own
 * timeout signal. Every try is recorded in `tries`, success or not. Throws the last ProviderError.
 */
export async function withRetries<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  policy: RetryPolicy,
  tries: TryRecord[],
  random?: () => number,
): Promise<T> {
  for (let n = 1; ; n++) {
    const started = Date.now();
    try {
      const value = await fn(AbortSignal.timeout(policy.timeoutMs));
      tries.push({ ok: true, latencyMs: Date.now() - started });
      return value;
    } catch (err) {
      const error = err instanceof ProviderError ? err : new ProviderError((err as Error).message, false);
      tries.push({ ok: false, latencyMs: Date.now() - started, error: error.message });
      if (!error.retryable || n >= policy.attempts) throw error;
      await sleep(backoffMs(n + 1, policy, error.retryAfterMs, random));
    }
  }
}
