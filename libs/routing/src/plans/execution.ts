import type { Execution, PlannedModel, RoutePlan } from '@switchyard/contracts';
import type { CompiledPolicy } from '../policy/compile-policy';

/** The most fallbacks a single-model plan carries (provider-adapters tries PROVIDER_MAX_FALLBACKS of them, at most 10). */
export const MAX_PLAN_FALLBACKS = 10;

/** Every model a plan may call, lead first: a single model, a cascade's tiers, a consensus's voters and its escalation. */
export function planModels(plan: RoutePlan): string[] {
  return plan.kind === 'single' ? [plan.model] : [...new Set([...plan.models, plan.model])];
}

/** Per policy, what every plan of it repeats: each model's planned spec, each model's fallbacks. */
interface PolicyPlanning {
  planned: Map<string, PlannedModel>;
  fallbacks: Map<string, string[]>;
}

// Derived from a compiled policy once, not on every request; dropped with the policy.
const planning = new WeakMap<CompiledPolicy, PolicyPlanning>();

function planningOf(policy: CompiledPolicy): PolicyPlanning {
  let p = planning.get(policy);
  if (!p) {
    p = { planned: new Map(), fallbacks: new Map() };
    planning.set(policy, p);
  }
  return p;
}

/** A model's spec with its daily quota, as a plan carries it. */
function plannedModel(policy: CompiledPolicy, id: string): PlannedModel {
  const p = planningOf(policy);
  let model = p.planned.get(id);
  if (!model) {
    const spec = policy.models.get(id);
    if (!spec) throw new Error(`policy ${policy.version} has no model "${id}" for its plan`);
    const limit = policy.document.quotas?.models[id];
    model = limit === undefined ? spec : { ...spec, dailyQuota: limit };
    p.planned.set(id, model);
  }
  return model;
}

/** The policy's fallback order after `model`, then wrapping round, at most MAX_PLAN_FALLBACKS. */
function fallbacksOf(policy: CompiledPolicy, model: string): string[] {
  const p = planningOf(policy);
  let fallbacks = p.fallbacks.get(model);
  if (!fallbacks) {
    const order = policy.fallbackOrder;
    const at = order.indexOf(model);
    fallbacks = [...order.slice(at + 1), ...order.slice(0, Math.max(at, 0))]
      .filter((m) => m !== model)
      .slice(0, MAX_PLAN_FALLBACKS);
    p.fallbacks.set(model, fallbacks);
  }
  return fallbacks;
}

/**
 * What provider-adapters needs to run `plan` without the policy that decided it: the spec and daily quota of
 * every model it may call, the single model's fallbacks (the policy's fallback order after it, then wrapping
 * round), the policy's choice when the quota store is unreachable, and its judge (whose spec rides along).
 */
export function executionOf(policy: CompiledPolicy, plan: RoutePlan): Execution {
  const fallbacks = plan.kind === 'single' ? [...fallbacksOf(policy, plan.model)] : [];
  const judge = policy.document.judge;
  const ids = [...planModels(plan), ...fallbacks, ...(judge ? [judge.model] : [])];
  const models = [...new Set(ids)].map((id) => plannedModel(policy, id));
  const execution: Execution = { models, fallbacks, onStoreDown: policy.document.quotas?.onStoreDown ?? 'open' };
  if (judge)
    execution.judge = {
      model: judge.model,
      sampleRate: judge.sampleRate,
      maxPromptChars: judge.maxPromptChars,
      maxAnswerChars: judge.maxAnswerChars,
    };
  return execution;
}
