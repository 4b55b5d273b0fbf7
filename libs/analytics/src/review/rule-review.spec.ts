import { type RollupRecord, recountRollups } from '../rollups/rollup';
import { buildOptimizerReport } from '../report/optimizer-report';
import { DEFAULT_REVIEW_OPTIONS, differenceOf, reviewRules } from './rule-review';

const T0 = Date.UTC(2026, 10, 2, 0);

/** `n` labelled requests on a rule and model, `good` of them rated a success, each costing `cost`. */
function traffic(
  rule: string,
  model: string,
  n: number,
  good: number,
  cost: number,
  method = rule.startsWith('band ') ? 'difficulty' : 'rule',
  unlabelled = 0,
): RollupRecord[] {
  return Array.from({ length: n + unlabelled }, (_, i) => ({
    tenant: 'acme',
    completedAt: T0 + i * 60_000,
    status: 'succeeded' as const,
    model,
    method,
    ...(rule.startsWith('band ') ? {} : { rule }),
    decision: rule.startsWith('band ') ? { band: rule.slice(5), method } : { rule, method },
    costUsd: cost,
    latency: { totalMs: 100 },
    ...(i < n ? { feedback: { submittedAt: T0, feedbackId: `f${i}`, success: i < good } } : {}),
  }));
}

const rowsOf = (...records: RollupRecord[][]) => [...recountRollups(records.flat()).values()];

describe('rule review', () => {
  it('suggests the model that is surely better on a rule whose own model is under the threshold, with the evidence', () => {
    const rows = rowsOf(
      traffic('code_generation', 'small', 200, 100, 0.001), // 0.50, the rule's own model
      traffic('code_generation', 'large', 40, 36, 0.01, 'explore'), // 0.90 on explored traffic
      traffic('code_generation', 'mid', 5, 5, 0.005, 'explore'), // too few labels to compare
    );
    const review = reviewRules(rows, { version: 'p@1', rules: ['code_generation', 'greeting'], bands: [] });
    expect(review.suggestions).toHaveLength(1);
    const [s] = review.suggestions;
    expect(s).toMatchObject({
      target: { kind: 'rule', name: 'code_generation' },
      reason: 'better',
      currentModel: 'small',
      suggestedModel: 'large',
      targetRequests: 200,
      current: { labelled: 200, requests: 200 },
      suggested: { labelled: 40, requests: 40 },
    });
    expect(s.deltaQuality).toBeCloseTo(0.4, 10);
    expect(s.deltaQualityCi[0]).toBeGreaterThan(0.2);
    expect(s.deltaQualityCi[1]).toBeLessThan(0.6);
    expect(s.deltaCostPerRequestUsd).toBeCloseTo(0.009, 10);
    expect(s.expectedCostChangeUsd).toBeCloseTo(1.8, 8);
    expect(s.summary).toMatch(/code_generation.*large instead of small.*n=200 vs 40/);
    expect(review.unmatchedRules).toEqual(['greeting']);
  });

  it('makes no suggestion when the difference is within its uncertainty, and says why', () => {
    const rows = rowsOf(traffic('r', 'small', 40, 28, 0.001), traffic('r', 'large', 10, 8, 0.01, 'explore'));
    const review = reviewRules(rows);
    expect(review.suggestions).toEqual([]);
    expect(review.targets[0].verdict).toMatch(/no alternative is surely better/);
  });

  it('waits for minSamples labels on the rule before judging it, unlabelled requests not counting', () => {
    const rows = rowsOf(
      traffic('r', 'small', 20, 2, 0.001, 'rule', 500),
      traffic('r', 'large', 40, 40, 0.01, 'explore'),
    );
    const review = reviewRules(rows);
    expect(review.suggestions).toEqual([]);
    expect(review.targets[0]).toMatchObject({ currentModel: 'small', requests: 560, labelled: 60 });
    expect(review.targets[0].verdict).toMatch(/20 labelled requests on small; the review needs 30/);
  });

  it('suggests a cheaper model at equal quality, even above the threshold', () => {
    const rows = rowsOf(
      traffic('band < 0.5', 'large', 300, 270, 0.01),
      traffic('band < 0.5', 'small', 300, 270, 0.001, 'explore'),
    );
    const [s] = reviewRules(rows).suggestions;
    expect(s).toMatchObject({
      target: { kind: 'band', name: 'band < 0.5' },
      reason: 'cheaper',
      suggestedModel: 'small',
    });
    expect(s.deltaCostPerRequestUsd).toBeCloseTo(-0.009, 10);
    expect(s.summary).toMatch(/90% less per request/);
  });

  it("takes the current model from the target's own decisions, not from fallback or exploration volume", () => {
    const rows = rowsOf(traffic('r', 'small', 40, 38, 0.001), traffic('r', 'large', 400, 400, 0.01, 'fallback'));
    expect(reviewRules(rows).targets[0].currentModel).toBe('small');
  });

  it('reports bands that got no traffic', () => {
    const rows = rowsOf(traffic('band < 0.2', 'small', 3, 3, 0.001));
    const review = reviewRules(rows, { version: 'p', rules: [], bands: ['band < 0.2', 'band >= 0.8'] });
    expect(review.unusedBands).toEqual(['band >= 0.8']);
  });

  it('widens the interval of a difference between samples whose labels all agree', () => {
    const all = (n: number, q: number) => ({ ...rowsOf(traffic('r', 'm', n, Math.round(n * q), 0))[0] });
    const [d, lo, hi] = differenceOf(all(10, 1), all(10, 0));
    expect(d).toBe(1);
    expect(hi - lo).toBeGreaterThan(0.1);
    expect(DEFAULT_REVIEW_OPTIONS.minSamples).toBe(30);
  });
});

describe('optimizer report', () => {
  it('sums spend by day and model over every day of the window, zero-filled, and carries the review', () => {
    const rows = rowsOf(traffic('r', 'small', 40, 10, 0.001), traffic('r', 'large', 40, 40, 0.01, 'explore'));
    const window = { from: T0 - 2 * 24 * 3600_000, to: T0 + 24 * 3600_000 };
    const body = buildOptimizerReport({ rows, window });
    expect(body.window.days).toBe(3);
    expect(body.spendByDay).toHaveLength(6);
    const today = body.spendByDay.filter((c) => c.day === '2026-11-02');
    expect(today.map((c) => [c.model, c.requests])).toEqual([
      ['large', 40],
      ['small', 40],
    ]);
    expect(body.spendByDay.filter((c) => c.day === '2026-10-31').every((c) => c.costUsd === 0)).toBe(true);
    expect(body.spendByTenantDay.map((c) => [c.day, c.tenant, c.requests])).toEqual([
      ['2026-10-31', 'acme', 0],
      ['2026-11-01', 'acme', 0],
      ['2026-11-02', 'acme', 80],
    ]);
    expect(body.total.requests).toBe(80);
    expect(body.total.costUsd).toBeCloseTo(0.44, 10);
    expect(body.byModel.map((g) => g.key.model).sort()).toEqual(['large', 'small']);
    expect(body.review.suggestions[0]).toMatchObject({ suggestedModel: 'large', reason: 'better' });
  });
});
