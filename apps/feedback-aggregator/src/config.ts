import { DURABLE_CONSUMERS } from '@switchyard/contracts';
import { baseEnvSchema, loadConfig, port } from '@switchyard/runtime';
import { z } from 'zod';

export const SERVICE = 'feedback-aggregator';

export const aggregatorEnvSchema = baseEnvSchema.extend({
  HTTP_PORT: port(3004),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI')
    .default('mongodb://127.0.0.1:27017/switchyard'),
  /** Durable consumer name on the events stream; replicas sharing it share the work. */
  DURABLE_NAME: z.string().min(1).default(DURABLE_CONSUMERS.records),
  /** Where a durable that does not exist yet starts reading: the whole stream, or only new events. */
  CONSUMER_START: z.enum(['all', 'new']).default('all'),
  /** An event not acked this long (its replica died mid-write) is delivered again. */
  CONSUMER_ACK_WAIT_MS: z.coerce.number().int().min(1000).default(30_000),
  /**
   * Events one replica handles at once: the more in hand, the larger each grouped write (a backlog of 6,000
   * events with feedback on 20% drained at 350-452/s with 32, 590-620/s with 128:
   * `node tools/probes/aggregator-drain.cjs`, docs/benchmarks.md).
   */
  CONSUMER_CONCURRENCY: z.coerce.number().int().positive().max(1000).default(128),
  /**
   * Deliveries of an event that keeps failing before it goes to the dead-letter stream (switchyard dlq). An
   * unreachable MongoDB is waited out without limit and never counts.
   */
  CONSUMER_MAX_DELIVER: z.coerce.number().int().min(1).max(1000).default(10),
  /** `on`: stats queries take a key; a tenant's key reads its own tenant's stats, an admin key any tenant's. */
  AUTH: z.enum(['on', 'off']).default('on'),
  /** How often the keys in force are reloaded (changes announced over NATS reach every replica at once). */
  TENANT_KEYS_REFRESH_SECONDS: z.coerce.number().int().positive().default(30),
  /**
   * Days of hourly rollup rows rule-optimizer keeps (its ROLLUP_HOURLY_DAYS): a stats window reaching
   * further back must be whole UTC days (it is then read from the daily rows).
   */
  ROLLUP_HOURLY_DAYS: z.coerce.number().int().min(3).max(3660).default(35),
  /** Rollup increments are merged per row for this long, then written together. */
  ROLLUP_FLUSH_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  /**
   * How long a record's write waits for others to share its bulk write when records come one at a time: the
   * event is already durable in JetStream (acked only once stored), so this delays when a record can be read,
   * never an answer. 0 writes each at once when nothing else is being written. 200 ms: one at a time, about
   * 50 records share a write at 250 requests/s, and a serial request through the co-located process took
   * 0.6-1.2 ms less at p50 than with 20 ms (FerretDB's CPU per record halved; docs/benchmarks.md).
   */
  RECORD_WRITE_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(200),
  /** How long feedback waits for its request's record (still on its way) before it is dead-lettered as unknown. */
  FEEDBACK_HOLD_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(10 * 60 * 1000),
});
export type AggregatorConfig = z.infer<typeof aggregatorEnvSchema>;

export const AGGREGATOR_CONFIG = Symbol('AGGREGATOR_CONFIG');

export function loadAggregatorConfig(env: NodeJS.ProcessEnv = process.env): AggregatorConfig {
  return loadConfig(SERVICE, aggregatorEnvSchema, env);
}
