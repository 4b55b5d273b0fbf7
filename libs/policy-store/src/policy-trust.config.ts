import { DEFAULT_POLICY_TRUST, type PolicyTrust } from '@switchyard/routing';
import { z } from 'zod';

/**
 * The environment variables that say what a policy may point at, for every process that loads policies
 * (decision-engine, provider-adapters, `switchyard policy publish`): all of them must agree, or one would
 * route to a model another refuses to call.
 */
export const policyTrustEnvSchema = z.object({
  /** Every model's `apiKeyEnv` starts with this; provider-adapters reads keys from no other variable. */
  POLICY_KEY_ENV_PREFIX: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*_$/, 'must be an environment variable prefix ending in _, e.g. SWITCHYARD_KEY_')
    .default(DEFAULT_POLICY_TRUST.keyEnvPrefix),
  /** Comma-separated hosts a model's `baseUrl` may name: host, host:port, *.domain, or * for any. */
  POLICY_ALLOWED_HOSTS: z.string().default(DEFAULT_POLICY_TRUST.allowedHosts.join(',')),
});

export type PolicyTrustEnv = z.infer<typeof policyTrustEnvSchema>;

export function policyTrustOf(env: PolicyTrustEnv): PolicyTrust {
  return {
    keyEnvPrefix: env.POLICY_KEY_ENV_PREFIX,
    allowedHosts: env.POLICY_ALLOWED_HOSTS.split(',')
      .map((h) => h.trim())
      .filter((h) => h !== ''),
  };
}
