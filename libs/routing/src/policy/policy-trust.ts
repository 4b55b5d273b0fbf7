import type { ModelSpec } from '@switchyard/contracts';
import type { CompiledPolicy } from './compile-policy';

/**
 * What a policy may point at. A policy travels over NATS and comes from whoever may publish it: without
 * these limits one naming `apiKeyEnv: MONGODB_URI` and an attacker's `baseUrl` made provider-adapters send
 * the database password and a tenant's prompt to that host.
 */
export interface PolicyTrust {
  /** Every `apiKeyEnv` starts with this (provider-adapters reads no other variable as a key). */
  keyEnvPrefix: string;
  /**
   * Hosts a `baseUrl` may name: `host`, `host:port`, `*.domain` (any subdomain), or `*` (any: opt-out).
   * Models without a `baseUrl` use their provider's own address and need no entry.
   */
  allowedHosts: readonly string[];
}

export const DEFAULT_POLICY_TRUST: PolicyTrust = {
  keyEnvPrefix: 'SWITCHYARD_KEY_',
  allowedHosts: ['api.openai.com', 'api.anthropic.com'],
};

/** Whether `url`'s host (and port) is on the list. */
export function hostAllowed(url: string, allowedHosts: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const host = parsed.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const hostPort = parsed.port ? `${host}:${parsed.port}` : host;
  return allowedHosts.some((raw) => {
    const entry = raw.trim().toLowerCase();
    if (entry === '*') return true;
    if (entry.startsWith('*.')) return host.endsWith(entry.slice(1)) && host.length > entry.length - 1;
    return entry === host || entry === hostPort;
  });
}

/** Each model field that points outside what `trust` allows, named as PolicyError problems are. */
export function policyTrustProblems(
  policy: CompiledPolicy,
  trust: PolicyTrust,
): Array<{ field: string; message: string }> {
  return modelTrustProblems(policy.document.models, trust, 'models');
}

/**
 * The same check on any list of model specs (a decided plan's, which arrives over NATS and is checked
 * again by provider-adapters before it sends a key or a prompt anywhere); fields are `<at>.<i>.<name>`.
 */
export function modelTrustProblems(
  models: ReadonlyArray<Pick<ModelSpec, 'apiKeyEnv' | 'baseUrl'>>,
  trust: PolicyTrust,
  at: string,
): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  models.forEach((model, i) => {
    if (model.apiKeyEnv !== undefined && !model.apiKeyEnv.startsWith(trust.keyEnvPrefix))
      problems.push({
        field: `${at}.${i}.apiKeyEnv`,
        message: `"${model.apiKeyEnv}" does not start with "${trust.keyEnvPrefix}" (POLICY_KEY_ENV_PREFIX): provider keys are read only from such variables`,
      });
    if (model.baseUrl !== undefined && !hostAllowed(model.baseUrl, trust.allowedHosts))
      problems.push({
        field: `${at}.${i}.baseUrl`,
        message: `the host of ${model.baseUrl} is not in POLICY_ALLOWED_HOSTS (${trust.allowedHosts.join(', ') || 'empty'})`,
      });
  });
  return problems;
}
