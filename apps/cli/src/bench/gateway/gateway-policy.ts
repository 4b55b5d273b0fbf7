import { parse, stringify } from 'yaml';

/** The variable the rewritten policy names for the upstream's key (the prefix is the one policies must use). */
export const UPSTREAM_KEY_ENV_PREFIX = 'SWITCHYARD_KEY_';
export const UPSTREAM_KEY_ENV = `${UPSTREAM_KEY_ENV_PREFIX}BENCH_UPSTREAM`;

/**
 * A policy with every model served by the instant upstream as an OpenAI-compatible provider: its rules,
 * difficulty bands, tiers and prices as they are, so each request is routed exactly as it would be, and
 * only the call at the end goes to the upstream. The version says so (records of the run name it).
 */
export function policyOnUpstream(text: string, upstreamBaseUrl: string): string {
  const doc = parse(text) as { version?: unknown; models?: unknown };
  if (!Array.isArray(doc.models) || doc.models.length === 0) throw new Error('the policy has no models to rewrite');
  const rewritten = {
    ...doc,
    version: `${String(doc.version)}+bench-gateway`,
    models: (doc.models as Array<Record<string, unknown>>).map((model) => ({
      ...model,
      provider: 'openai-compatible',
      baseUrl: upstreamBaseUrl,
      apiKeyEnv: UPSTREAM_KEY_ENV,
    })),
  };
  return `# Written by switchyard bench gateway: the seed policy, every model on the instant upstream.\n${stringify(rewritten)}`;
}

/**
 * The services' environment that lets that policy through the policy trust check (decision-engine and
 * provider-adapters both apply it): the upstream's host:port allowed, the key variable under the prefix,
 * and a key in it, sent to the upstream as a real provider's would be.
 */
export function upstreamTrustEnv(upstreamBaseUrl: string): Record<string, string> {
  return {
    POLICY_KEY_ENV_PREFIX: UPSTREAM_KEY_ENV_PREFIX,
    POLICY_ALLOWED_HOSTS: new URL(upstreamBaseUrl).host,
    [UPSTREAM_KEY_ENV]: 'bench-upstream-key',
  };
}
