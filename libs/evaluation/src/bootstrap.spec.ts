import { prepareSweep } from '@switchyard/routing';
import { bootstrapRatio, pairedBootstrap, quantile, verdict } from './bootstrap';

/**
 * Two models, cheap (cost 1) and best (cost 10), on `n` rows: the first half easy (both score 1), the rest
 * hard (cheap 0, best 1). A router that knows which is which, and one that predicts the same for every row.
 */
function twoRouters(n: number) {
  const easy = (r: number) => r < n / 2;
  const cost = [1, 10];
  const score = (r: number, k: number) => (k === 1 || easy(r) ? 1 : 0);
  const outcome = (r: number, k: number) => ({ score: score(r, k), costUsd: cost[k] });
  const fallback = () => ({ score: 0, costUsd: 0 });
  const rows = Array.from({ length: n }, (_, r) => r);
  const knowing = prepareSweep(
    rows.map((r) => ({ quality: [easy(r) ? 1 : 0, 1], costUsd: cost })),
    outcome,
    fallback,
  );
  const blind = prepareSweep(
    rows.map(() => ({ quality: [0.5, 1], costUsd: cost })),
    outcome,
    fallback,
  );
  const models = ['cheap', 'best'].map((model, k) => ({
    model,
    score: rows.map((r) => score(r, k)),
    costUsd: rows.map(() => cost[k]),
  }));
  return { knowing, blind, models };
}

describe('pairedBootstrap', () => {
  it('gives the hand-computed differences on the test part, and tells a clear lead from luck', () => {
    const { knowing, blind, models } = twoRouters(40);
    const v = pairedBootstrap({
      router: knowing,
      baseline: blind,
      models,
      cheapest: 'cheap',
      best: 'best',
      seed: 1,
      resamples: 400,
    });
    // The knowing router serves quality 1 at cost 5.5 (0.45 saved at 100%); at 95% the hull from the cheap
    // model (0.5, 1) to it costs 1 + 0.9 × 4.5 = 5.05 (0.495 saved). The blind one mixes the two models:
    // nothing saved at 100%, 1 + 0.9 × 9 = 9.1 at 95% (0.09 saved).
    expect(v.resamples).toBe(400);
    expect(v.saving100.difference).toBeCloseTo(0.45, 12);
    expect(v.saving95.difference).toBeCloseTo(0.405, 12);
    // On a resample with a share e of easy rows the lead at 100% is 0.9 e: e's 95% range on 40 rows is about
    // 0.5 ± 0.155, so the lead stays well above zero.
    expect(v.saving100.low).toBeGreaterThan(0.2);
    expect(v.saving100.high).toBeLessThan(0.7);
    expect(v.saving100.low).toBeLessThan(0.45);
    expect(v.saving100.high).toBeGreaterThan(0.45);
    expect(verdict(v.saving100)).toBe('ahead');
    expect(verdict(v.saving95)).toBe('ahead');
    expect(v.apgr && verdict(v.apgr)).toBe('ahead');

    // Swapped, every difference changes sign.
    const swapped = pairedBootstrap({
      router: blind,
      baseline: knowing,
      models,
      cheapest: 'cheap',
      best: 'best',
      seed: 1,
      resamples: 400,
    });
    expect(swapped.saving100.difference).toBeCloseTo(-0.45, 12);
    expect(swapped.saving100.low).toBeCloseTo(-v.saving100.high, 12);
    expect(verdict(swapped.saving95)).toBe('behind');
  });

  it('finds no difference between a router and itself', () => {
    const { knowing, models } = twoRouters(20);
    const v = pairedBootstrap({ router: knowing, baseline: knowing, models, cheapest: 'cheap', best: 'best', seed: 3 });
    for (const d of [v.apgr, v.saving95, v.saving100]) {
      expect(d).toEqual({ difference: 0, low: 0, high: 0 });
      expect(verdict(d as NonNullable<typeof d>)).toBe('level');
    }
  });

  it('draws the same resamples for the same seed, other ones for another', () => {
    const { knowing, blind, models } = twoRouters(30);
    const run = (seed: number) =>
      pairedBootstrap({
        router: knowing,
        baseline: blind,
        models,
        cheapest: 'cheap',
        best: 'best',
        seed,
        resamples: 50,
      });
    expect(run(5)).toEqual(run(5));
    expect(run(6).saving100).not.toEqual(run(5).saving100);
  });

  it('refuses curves over different rows, unknown models and a resample count that is not a positive integer', () => {
    const { knowing, blind, models } = twoRouters(10);
    const other = twoRouters(12);
    const base = { router: knowing, baseline: blind, models, cheapest: 'cheap', best: 'best', seed: 0 };
    expect(() => pairedBootstrap({ ...base, baseline: other.blind })).toThrow(/same 10 rows/);
    expect(() => pairedBootstrap({ ...base, best: 'gpt-9' })).toThrow(/no outcomes for "gpt-9"/);
    expect(() => pairedBootstrap({ ...base, resamples: 0 })).toThrow(/positive integer, got 0/);
    expect(() => pairedBootstrap({ ...base, resamples: 2.5 })).toThrow(/positive integer/);
  });
});

describe('quantile', () => {
  it('interpolates between the sorted values around the rank', () => {
    expect(quantile([0, 10], 0.25)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5], 1)).toBe(5);
    expect(quantile([7], 0.975)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('bootstrapRatio', () => {
  it('brackets the ratio of the two sums, narrowing with more rows, and is the ratio itself when every row agrees', () => {
    // 9 rows in 10 served as well as the best model, 1 in 10 worse: the ratio is 0.9.
    const rows = (n: number) => Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 0 : 1));
    const ones = (n: number) => Array.from({ length: n }, () => 1);
    const small = bootstrapRatio(rows(50), ones(50), 1, 500);
    const large = bootstrapRatio(rows(5000), ones(5000), 1, 500);
    expect(small.low).toBeLessThan(0.9);
    expect(small.high).toBeGreaterThan(0.9);
    expect(large.low).toBeGreaterThan(small.low);
    expect(large.high).toBeLessThan(small.high);
    expect(large.low).toBeGreaterThan(0.88);
    expect(large.high).toBeLessThan(0.92);
    expect(bootstrapRatio([0.5, 0.5], [1, 1], 2, 50)).toEqual({ low: 0.5, high: 0.5 });
  });

  it('refuses sides of different rows and a bad resample count', () => {
    expect(() => bootstrapRatio([1], [1, 1], 0)).toThrow(/same rows on both sides, got 1 and 2/);
    expect(() => bootstrapRatio([], [], 0)).toThrow(/same rows/);
    expect(() => bootstrapRatio([1], [1], 0, 0)).toThrow(/positive integer, got 0/);
  });
});
