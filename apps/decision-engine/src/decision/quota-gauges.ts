import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DecisionMetrics, METRICS, type PutSample, ServiceMetrics } from '@switchyard/observability';
import { PolicyStore } from '@switchyard/policy-store';
import type { QuotaSettings } from '@switchyard/routing';
import type { RoutingStateStore, TenantLimitsStore } from '@switchyard/routing-state';
import { ROUTING_STATE, TENANT_LIMITS } from './decision.constants';

/** Tenants whose budget one scrape reads at most (two Redis keys each, one MGET). */
const MAX_TENANTS = 200;

/** What a quota sample reads from Redis. */
export interface QuotaReads {
  /** Calls granted to the model today. */
  used(model: string): Promise<number>;
  budgetToday(tenant: string): Promise<{ spentUsd: number; heldUsd: number }>;
}

/**
 * One scrape's quota and budget gauges: every model with a daily quota in the policy, and every tenant the
 * policy gives a budget by name, plus (when a '*' budget applies to the rest) the tenants this replica routed
 * lately, at most MAX_TENANTS in all. Reads run together; the scrape bounds their time (ServiceMetrics.sampled).
 */
export async function sampleQuotas(
  quotas: Pick<QuotaSettings, 'models' | 'tenants'> | undefined,
  recentTenants: readonly string[],
  reads: QuotaReads,
  put: PutSample,
): Promise<void> {
  if (!quotas) return;
  const named = Object.keys(quotas.tenants).filter((t) => t !== '*');
  const wildcard = quotas.tenants['*'];
  const others = wildcard === undefined ? [] : recentTenants.filter((t) => quotas.tenants[t] === undefined).reverse();
  const tenants = [...named, ...others].slice(0, MAX_TENANTS);
  await Promise.all([
    ...Object.entries(quotas.models).map(async ([model, limit]) => {
      put(METRICS.modelQuotaDaily, { model }, limit);
      put(METRICS.modelQuotaRemaining, { model }, Math.max(0, limit - (await reads.used(model))));
    }),
    ...tenants.map(async (tenant) => {
      const budget = quotas.tenants[tenant] ?? (wildcard as number);
      const { spentUsd, heldUsd } = await reads.budgetToday(tenant);
      put(METRICS.tenantBudgetDaily, { tenant }, budget);
      put(METRICS.tenantBudgetRemaining, { tenant }, Math.max(0, budget - spentUsd - heldUsd));
    }),
  ]);
}

/** The quota and budget gauges of decision-engine, read from Redis when Prometheus scrapes. */
@Injectable()
export class QuotaGauges implements OnModuleInit {
  constructor(
    private readonly metrics: ServiceMetrics,
    private readonly decisions: DecisionMetrics,
    private readonly policies: PolicyStore,
    @Inject(ROUTING_STATE) private readonly state: Pick<RoutingStateStore, 'used'>,
    @Inject(TENANT_LIMITS) private readonly limits: Pick<TenantLimitsStore, 'budgetToday'>,
  ) {}

  onModuleInit(): void {
    this.metrics.sampled(
      'quotas',
      [METRICS.modelQuotaRemaining, METRICS.modelQuotaDaily, METRICS.tenantBudgetRemaining, METRICS.tenantBudgetDaily],
      (put) =>
        sampleQuotas(
          this.policies.current().document.quotas,
          this.decisions.tenants.list(),
          { used: (m) => this.state.used(m), budgetToday: (t) => this.limits.budgetToday(t) },
          put,
        ),
    );
  }
}
