import type { RoutePlan } from '@switchyard/contracts';
import type { CompiledPolicy } from '../policy/compile-policy';
import { planModels } from './execution';

/**
 * The most a plan can cost, priced from the policy: every model it may call, each with the prompt's tokens
 * in and `outputTokens` out (max_tokens, or the policy's expectation). A cascade may climb to its last tier
 * and a consensus asks every voter and, on disagreement, its escalation model: both are counted whole, so
 * a budget hold covers the worst case and the settlement gives the rest back.
 */
export function expectedCostUsd(
  policy: CompiledPolicy,
  plan: RoutePlan,
  inputTokens: number,
  outputTokens: number,
): number {
  let usd = 0;
  for (const id of planModels(plan)) {
    const price = policy.models.get(id)?.priceUsdPerMTok;
    if (price) usd += (inputTokens * price.input + outputTokens * price.output) / 1e6;
  }
  return usd;
}
