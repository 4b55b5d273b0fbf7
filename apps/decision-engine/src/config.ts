import { policyTrustEnvSchema } from '@switchyard/policy-store';
import { baseEnvSchema, loadConfig, port } from '@switchyard/runtime';
import { z } from 'zod';

export const SERVICE = 'decision-engine';

export const decisionEnvSchema = baseEnvSchema.extend(policyTrustEnvSchema.shape).extend({
  HTTP_PORT: port(3002),
  /** The routing policy YAML. */
  POLICY_FILE: z.string().min(1).default('policies/default.yaml'),
  /** Follow policies published on router.policy.updated.v1, which supersede the file; `false` pins the file's (switchyard eval --live). */
  POLICY_WATCH: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /**
   * The model store: learned routers that published policies name by version (`learned.model`) are read from
   * it when such a policy arrives; nothing else here touches MongoDB, and the hot path never does.
   */
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI')
    .default('mongodb://127.0.0.1:27017/switchyard'),
  /** Quotas, budgets and cooldowns, shared by every replica. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  /**
   * How long a request's budget hold lasts when provider-adapters never settles it (a replica died): longer
   * than any request can take (REQUEST_TIMEOUT_MS, provider retries and cascades included).
   */
  BUDGET_HOLD_SECONDS: z.coerce.number().int().positive().default(300),
  /**
   * How long a model without a daily quota, once seen not cooling down, is routed to without asking Redis
   * again (0: ask on every request). A cooldown provider-adapters starts after failures is seen up to this
   * late by each replica; cooldowns last PROVIDER_COOLDOWN_MS (30 s by default).
   */
  COOLDOWN_CHECK_CACHE_MS: z.coerce.number().int().min(0).max(5_000).default(100),
  /** Prefix of the quota, spend and cooldown keys; tests give each run its own. */
  ROUTING_STATE_PREFIX: z.string().min(1).default('sy'),
});
export type DecisionConfig = z.infer<typeof decisionEnvSchema>;

export function loadDecisionConfig(env: NodeJS.ProcessEnv = process.env): DecisionConfig {
  return loadConfig(SERVICE, decisionEnvSchema, env);
}
