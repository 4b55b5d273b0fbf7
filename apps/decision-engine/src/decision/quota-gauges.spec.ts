import { METRICS, type MetricDefinition } from '@switchyard/observability';
import { type QuotaReads, sampleQuotas } from './quota-gauges';

/** Redis as RoutingStateStore.used and TenantLimitsStore.budgetToday read it; fails on anything not set up. */
function reads(used: Record<string, number>, budgets: Record<string, { spentUsd: number; heldUsd: number }>) {
  const asked: string[] = [];
  const fake: QuotaReads = {
    used: async (model) => {
      asked.push(`used ${model}`);
      if (!(model in used)) throw new Error(`unexpected used(${model})`);
      return used[model];
    },
    budgetToday: async (tenant) => {
      asked.push(`budget ${tenant}`);
      const b = budgets[tenant];
      if (!b) throw new Error(`unexpected budgetToday(${tenant})`);
      return b;
    },
  };
  return { fake, asked };
}

function collect() {
  const out: Record<string, Record<string, number>> = {};
  const put = <L extends string>(m: MetricDefinition<L>, labels: Partial<Record<L, string>>, value: number) => {
    (out[m.name] ??= {})[Object.values(labels).join(',')] = value;
  };
  return { out, put };
}

describe(sampleQuotas.name, () => {
  it('puts each quota model with what is left of it today, never below zero', async () => {
    const { fake } = reads({ a: 30, b: 120 }, {});
    const { out, put } = collect();
    await sampleQuotas({ models: { a: 100, b: 100 }, tenants: {} }, [], fake, put);
    expect(out[METRICS.modelQuotaRemaining.name]).toEqual({ a: 70, b: 0 });
    expect(out[METRICS.modelQuotaDaily.name]).toEqual({ a: 100, b: 100 });
  });

  it("reads the named tenants' budgets, and the recent tenants' only when a '*' budget applies to them", async () => {
    const { fake, asked } = reads(
      {},
      { acme: { spentUsd: 1, heldUsd: 0.5 }, zed: { spentUsd: 0, heldUsd: 0 }, beta: { spentUsd: 9, heldUsd: 0 } },
    );
    const { out, put } = collect();
    await sampleQuotas({ models: {}, tenants: { acme: 5, '*': 2 } }, ['beta', 'acme', 'zed'], fake, put);
    expect(out[METRICS.tenantBudgetRemaining.name]).toEqual({ acme: 3.5, zed: 2, beta: 0 });
    expect(out[METRICS.tenantBudgetDaily.name]).toEqual({ acme: 5, zed: 2, beta: 2 });
    expect(asked.sort()).toEqual(['budget acme', 'budget beta', 'budget zed']);

    const none = reads({}, { acme: { spentUsd: 0, heldUsd: 0 } });
    await sampleQuotas({ models: {}, tenants: { acme: 5 } }, ['beta'], none.fake, collect().put);
    expect(none.asked).toEqual(['budget acme']);
  });

  it('reads nothing when the policy has no quotas', async () => {
    const { fake, asked } = reads({}, {});
    await sampleQuotas(undefined, ['acme'], fake, collect().put);
    expect(asked).toEqual([]);
  });
});
