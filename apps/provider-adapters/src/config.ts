import { policyTrustEnvSchema } from '@switchyard/policy-store';
import { baseEnvSchema, loadConfig, port } from '@switchyard/runtime';
import { z } from 'zod';

export const SERVICE = 'provider-adapters';

export const adaptersEnvSchema = baseEnvSchema.extend(policyTrustEnvSchema.shape).extend({
  HTTP_PORT: port(3003),
  /** The routing policy YAML: its models say which adapter serves each model and at what price. */
  POLICY_FILE: z.string().min(1).default('policies/default.yaml'),
  /** Follow policies published on router.policy.updated.v1, which supersede the file; `false` pins the file's (switchyard eval --live). */
  POLICY_WATCH: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** A routing dataset (docs/datasets.md) the `replay` provider answers from. */
  REPLAY_DATASET: z.string().min(1).optional(),
  /** Latency the simulated provider adds to each call. */
  SIMULATED_LATENCY_MS: z.coerce.number().int().nonnegative().default(0),
  /** Tenant spend (budgets) and cooldowns, shared with decision-engine. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  ROUTING_STATE_PREFIX: z.string().min(1).default('sy'),
  /** Longest one try of a provider call may take. */
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  /** Tries per call (the first included) on retryable failures: 429, 5xx, timeouts, dropped or garbled answers. */
  PROVIDER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** Exponential backoff with jitter between tries, never shorter than the provider's retry-after. */
  PROVIDER_RETRY_BASE_MS: z.coerce.number().int().nonnegative().default(200),
  PROVIDER_RETRY_MAX_MS: z.coerce.number().int().positive().default(5_000),
  /** Other models tried (policy fallback order) when a single-model plan's model fails every try; 0 turns it off. */
  PROVIDER_MAX_FALLBACKS: z.coerce.number().int().min(0).max(10).default(1),
  /** How long decision-engine skips a model after a call to it failed every try. */
  PROVIDER_COOLDOWN_MS: z.coerce.number().int().positive().default(30_000),
  /**
   * Gradings by the policy's judge running at once on this replica; an answer sampled while they are all busy
   * is not graded (counted `busy`): the judge never queues work behind the replies.
   */
  JUDGE_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(1000).default(4),
  /** Longest a judge's grading call may take (one try: a grading that fails is skipped, not retried). */
  JUDGE_TIMEOUT_MS: z.coerce.number().int().positive().max(600_000).default(30_000),
});
export type AdaptersConfig = z.infer<typeof adaptersEnvSchema>;

export const ADAPTERS_CONFIG = Symbol('ADAPTERS_CONFIG');

export function loadAdaptersConfig(env: NodeJS.ProcessEnv = process.env): AdaptersConfig {
  return loadConfig(SERVICE, adaptersEnvSchema, env);
}
