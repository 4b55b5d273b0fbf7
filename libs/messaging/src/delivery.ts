import { type DeadLetterReason, RouterError } from '@switchyard/contracts';

/**
 * Thrown by a stream handler that cannot store its event yet but expects to (feedback whose request has no
 * record yet): the event is redelivered with backoff until `until` (epoch ms), then dead-lettered with
 * `reason`. Holding never counts as failing.
 */
export class HoldMessageError extends Error {
  constructor(
    message: string,
    readonly until: number,
    readonly reason: DeadLetterReason,
  ) {
    super(message);
    this.name = 'HoldMessageError';
  }
}

export type DeliveryVerdict =
  { action: 'retry'; delayMs: number } | { action: 'dead-letter'; reason: DeadLetterReason; error: string };

export interface DeliveryRules {
  /** Deliveries after which an event whose handler keeps failing goes to the dead-letter stream. */
  maxDeliver: number;
  /** Failures that say a dependency is away (the database), not that the event is bad: retried for as long as it takes. */
  isTransient?: (err: unknown) => boolean;
}

/** Backoff between deliveries: 0.5 s, 1 s, 2 s … at most 30 s. */
export function redeliveryDelayMs(deliveryCount: number): number {
  return Math.min(500 * 2 ** Math.max(0, deliveryCount - 1), 30_000);
}

/**
 * Backoff for a held event: what it waits for (a record in the same stream, a moment behind) usually comes
 * within a second, so it is asked again soon, and never less often than every 5 s.
 */
export function holdDelayMs(deliveryCount: number): number {
  return Math.min(250 * 2 ** Math.max(0, deliveryCount - 1), 5_000);
}

/**
 * What to do with an event whose handler threw, on its `deliveryCount`-th delivery. Bad input cannot get
 * better: dead-lettered at once. A held event waits until its time is up. A dependency that is away is
 * waited out. Anything else is retried `maxDeliver` times in all, then dead-lettered: the stream keeps
 * flowing and the event is kept, with its error, for `switchyard dlq`.
 */
export function failureVerdict(
  err: unknown,
  deliveryCount: number,
  now: number,
  rules: DeliveryRules,
): DeliveryVerdict {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof RouterError && (err.code === 'invalid_json' || err.code === 'invalid_request'))
    return { action: 'dead-letter', reason: 'invalid', error: message };
  if (err instanceof HoldMessageError)
    return now < err.until
      ? { action: 'retry', delayMs: Math.min(holdDelayMs(deliveryCount), Math.max(err.until - now, 100)) }
      : { action: 'dead-letter', reason: err.reason, error: message };
  if (rules.isTransient?.(err)) return { action: 'retry', delayMs: redeliveryDelayMs(deliveryCount) };
  if (deliveryCount >= rules.maxDeliver)
    return {
      action: 'dead-letter',
      reason: 'failing',
      error: `${message} (delivery ${deliveryCount} of ${rules.maxDeliver})`,
    };
  return { action: 'retry', delayMs: redeliveryDelayMs(deliveryCount) };
}
