import { baseEnvSchema, loadConfig, port } from '@switchyard/runtime';
import { z } from 'zod';

export const SERVICE = 'provider-adapters';

export const adaptersEnvSchema = baseEnvSchema.extend({
  HTTP_PORT: port(3003),
  /** The routing policy YAML: its models say which adapter serves each model and at what price. */
  POLICY_FILE: z.string().min(1).default('policies/default.yaml'),
  /** Latency the simulated provider adds to each call. */
  SIMULATED_LATENCY_MS: z.coerce.number().int().nonnegative().default(0),
  /** Tenant spend (budgets) and cooldowns, shared with decision-engine. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  ROUTING_STATE_PREFIX: z.string().min(1).default('sy'),
  /** Longest a provider call may take before it counts as failed. */
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
});
export type AdaptersConfig = z.infer<typeof adaptersEnvSchema>;

export const ADAPTERS_CONFIG = Symbol('ADAPTERS_CONFIG');

export function loadAdaptersConfig(env: NodeJS.ProcessEnv = process.env): AdaptersConfig {
  return loadConfig(SERVICE, adaptersEnvSchema, env);
}
