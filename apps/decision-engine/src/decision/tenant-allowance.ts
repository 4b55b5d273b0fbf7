import { Inject, Injectable } from '@nestjs/common';
import { type RequestAnalyzed, type RoutePlan, RouterError } from '@switchyard/contracts';
import { type CompiledPolicy, expectedCostUsd } from '@switchyard/routing';
import { type TenantLimitsStore, budgetHoldId } from '@switchyard/routing-state';
import { DECISION_CONFIG, TENANT_LIMITS } from './decision.constants';

/**
 * What a tenant may still spend and send, enforced before any model is called: requests and tokens per
 * minute, and the daily budget, from which each request's most expensive outcome is held until
 * provider-adapters settles it at its real cost (so concurrent requests cannot overshoot it together).
 */
@Injectable()
export class TenantAllowance {
  constructor(
    @Inject(TENANT_LIMITS) private readonly limits: Pick<TenantLimitsStore, 'takeRate' | 'hold'>,
    @Inject(DECISION_CONFIG) private readonly config: { BUDGET_HOLD_SECONDS: number },
  ) {}

  /** Counts the request against the tenant's per-minute limits; a RouterError `rate_limited` when over. */
  async takeRate(policy: CompiledPolicy, event: RequestAnalyzed): Promise<void> {
    const quotas = policy.document.quotas;
    const limits = quotas?.rates[event.tenant] ?? quotas?.rates['*'];
    if (!limits) return;
    const tokens =
      event.features.tokenEstimate + (event.request.params?.maxTokens ?? quotas?.expectedOutputTokens ?? 0);
    if (limits.tokensPerMinute !== undefined && tokens > limits.tokensPerMinute)
      throw new RouterError(
        'rate_limited',
        `this request needs about ${tokens} tokens (prompt + max output); tenant "${event.tenant}" may use ${limits.tokensPerMinute} per minute`,
        'params.maxTokens',
      );
    const verdict = await this.limits.takeRate(event.tenant, limits, tokens);
    if (!verdict.ok) {
      const limit =
        verdict.limit === 'requests' ? `${limits.requestsPerMinute} requests` : `${limits.tokensPerMinute} tokens`;
      throw new RouterError(
        'rate_limited',
        `tenant "${event.tenant}" is over its ${limit} per minute`,
        undefined,
        verdict.retryAfterSeconds,
      );
    }
  }

  /**
   * Holds the plan's most expensive outcome from the tenant's daily budget; undefined when held (or no
   * budget applies), else why not.
   */
  async holdBudget(
    policy: CompiledPolicy,
    plan: RoutePlan,
    event: RequestAnalyzed,
    maxTokens?: number,
  ): Promise<string | undefined> {
    const quotas = policy.document.quotas;
    const budget = quotas?.tenants[event.tenant] ?? quotas?.tenants['*'];
    if (budget === undefined) return undefined;
    const outputTokens = maxTokens ?? quotas?.expectedOutputTokens ?? 0;
    const amount = expectedCostUsd(policy, plan, event.features.tokenEstimate, outputTokens);
    const verdict = await this.limits.hold(
      event.tenant,
      budgetHoldId(event.tenant, event.requestId, event.receivedAt),
      amount,
      budget,
      this.config.BUDGET_HOLD_SECONDS * 1000,
      new Date(event.receivedAt),
    );
    if (verdict.ok) return undefined;
    return `over the tenant budget (needs up to $${amount.toFixed(6)}; $${verdict.spentUsd.toFixed(4)} spent and $${verdict.heldUsd.toFixed(4)} held of $${budget} today)`;
  }
}
