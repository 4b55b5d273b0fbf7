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
  /** Events written to MongoDB at once by one replica. */
  /** An event not acked this long (its replica died mid-write) is delivered again. */
  CONSUMER_ACK_WAIT_MS: z.coerce.number().int().min(1000).default(30_000),
  CONSUMER_CONCURRENCY: z.coerce.number().int().positive().max(1000).default(32),
});
export type AggregatorConfig = z.infer<typeof aggregatorEnvSchema>;

export function loadAggregatorConfig(env: NodeJS.ProcessEnv = process.env): AggregatorConfig {
  return loadConfig(SERVICE, aggregatorEnvSchema, env);
}
