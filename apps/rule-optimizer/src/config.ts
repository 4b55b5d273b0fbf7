import { baseEnvSchema, loadConfig, port } from '@switchyard/runtime';
import { z } from 'zod';

export const SERVICE = 'rule-optimizer';

export const optimizerEnvSchema = baseEnvSchema.extend({
  HTTP_PORT: port(3005),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI')
    .default('mongodb://127.0.0.1:27017/switchyard'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  /** When the scheduled jobs run (cron, server time zone). */
  OPTIMIZER_CRON: z.string().min(9).default('0 3 * * *'),
  /** Look-back window of the scheduled jobs, in days. */
  OPTIMIZER_WINDOW_DAYS: z.coerce.number().int().positive().max(365).default(7),
  /** `on`: the HTTP API (runs, reports, which span tenants) takes an admin key (`switchyard keys create --admin`). */
  AUTH: z.enum(['on', 'off']).default('on'),
  /** How often the keys in force are reloaded (changes announced over NATS reach every replica at once). */
  TENANT_KEYS_REFRESH_SECONDS: z.coerce.number().int().positive().default(30),
  /** BullMQ queue name; tests give each run its own. */
  OPTIMIZER_QUEUE: z.string().min(1).default('switchyard-optimizer'),
});
export type OptimizerConfig = z.infer<typeof optimizerEnvSchema>;

export const OPTIMIZER_CONFIG = Symbol('OPTIMIZER_CONFIG');

export function loadOptimizerConfig(env: NodeJS.ProcessEnv = process.env): OptimizerConfig {
  return loadConfig(SERVICE, optimizerEnvSchema, env);
}
