import { z } from 'zod';

export const DEAD_LETTER_REASONS = ['invalid', 'failing', 'unknown-request'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/**
 * `router.event.deadlettered.v1`: an event a durable consumer gave up on, whole (its bytes and headers), with
 * why, so it can be read and replayed to its subject once the cause is fixed.
 */
export const deadLetterSchema = z.object({
  /** Subject the event was published on; a replay publishes it there again. */
  subject: z.string().min(1),
  stream: z.string().min(1),
  /** Its sequence in `stream`. */
  streamSeq: z.number().int().positive(),
  consumer: z.string().min(1),
  /**
   * `invalid`: not JSON or not of its schema (no retry can fix it); `failing`: its handler failed on every
   * delivery; `unknown-request`: feedback whose request never got a record within the hold time.
   */
  reason: z.enum(DEAD_LETTER_REASONS),
  /** The last error, for a person. */
  error: z.string(),
  deliveries: z.number().int().nonnegative(),
  deadLetteredAt: z.number().int().nonnegative(),
  /** The event's headers (traceparent, Nats-Msg-Id, ...). */
  headers: z.record(z.string(), z.string()),
  /** The event's bytes, base64. */
  dataBase64: z.string(),
});

export type DeadLetter = z.infer<typeof deadLetterSchema>;
