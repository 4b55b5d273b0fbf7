import type { Execution, PlannedModel, RoutePlan } from '@switchyard/contracts';
import type { CompiledPolicy } from '../policy/compile-policy';

/** The most fallbacks a single-model plan carries (provider-adapters tries PROVIDER_MAX_FALLBACKS of them, at most 10). */
export const MAX_PLAN_FALLBACKS = 10;

/** Every model a plan may call, lead first: a single model, a cascade's tiers, a consensus's voters and its escalation. */
export function planModels(plan: RoutePlan): string[] {
  return plan.kind === 'single' ? [plan.model] : [...new Set([...plan.models, plan.model])];
}

/**
 * What provider-adapters needs to run `plan` without the policy that decided it: the spec and daily quota of
 * every model it may call, the single model's fallbacks (the policy's fallback order after it, then wrapping
 * round), and the policy's choice when the quota store is unreachable.
 */
export function executionOf(policy: CompiledPolicy, plan: RoutePlan): Execution {
  const order = policy.fallbackOrder;
  let fallbacks: string[] = [];
  if (plan.kind === 'single') {
    const at = order.indexOf(plan.model);
    fallbacks = [...order.slice(at + 1), ...order.slice(0, Math.max(at, 0))]
      .filter((m) => m !== plan.model)
      .slice(0, MAX_PLAN_FALLBACKS);
  }
  const quotas = policy.document.quotas;
  const models = [...new Set([...planModels(plan), ...fallbacks])].map((id): PlannedModel => {
    const spec = policy.models.get(id);
    if (!spec) throw new Error(`policy ${policy.version} has no model "${id}" for its plan`);
    const limit = quotas?.models[id];
    return limit === undefined ? spec : { ...spec, dailyQuota: limit };
  });
  return { models, fallbacks, onStoreDown: quotas?.onStoreDown ?? 'open' };
}
