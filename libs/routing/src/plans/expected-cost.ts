import type { RoutePlan } from '@switchyard/contracts';
import type { CompiledPolicy } from '../policy/compile-policy';
import { planModels } from './execution';

/**
 * The most a plan can cost, priced from the policy: every model it may call, each with the prompt's tokens
 * in and `outputTokens` out (max_tokens, or the policy's expectation). A cascade may climb to its last tier
 * and a consensus asks every voter and, on disagreement, its escalation model: both are counted whole, so
 * a budget hold covers the worst case and the settlement gives the rest back. A cascade accepting by grade
 * adds its judge's gradings.
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
  // A cascade accepting by grade asks the judge about each tier but the last: it reads the question and an
  // answer (its grading prompt adds a few hundred tokens) and writes a grade.
  const judge = plan.kind === 'cascade' && plan.acceptGrade !== undefined ? policy.document.judge : undefined;
  const judgePrice = judge ? policy.models.get(judge.model)?.priceUsdPerMTok : undefined;
  if (plan.kind === 'cascade' && judgePrice)
    usd +=
      ((plan.models.length - 1) *
        ((inputTokens + outputTokens + GRADING_PROMPT_TOKENS) * judgePrice.input +
          GRADING_REPLY_TOKENS * judgePrice.output)) /
      1e6;
  return usd;
}

/** What the grading prompt adds to the question and the answer, and what a grade takes, in tokens (bounds). */
const GRADING_PROMPT_TOKENS = 300;
const GRADING_REPLY_TOKENS = 20;
