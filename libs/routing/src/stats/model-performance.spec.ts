import { computeModelPerformance } from './model-performance';

describe(computeModelPerformance.name, () => {
  it('computes the seed statistics per model and per rule', () => {
    const sut = computeModelPerformance([
      {
        model: 'a',
        rule: 'greeting',
        status: 'succeeded',
        costUsd: 0.01,
        latency: { totalMs: 10 },
        feedback: { rating: 5, success: true },
      },
      {
        model: 'a',
        rule: 'greeting',
        status: 'succeeded',
        costUsd: 0.03,
        latency: { totalMs: 30 },
        feedback: { rating: 2, success: false },
      },
      { model: 'a', status: 'succeeded', costUsd: 0.02, latency: { totalMs: 20 } },
      { model: 'b', rule: 'greeting', status: 'failed', feedback: { success: true } },
    ]);
    expect(sut.totalRequests).toBe(4);
    expect(sut.totalCostUsd).toBeCloseTo(0.06, 10);
    expect(sut.byModel['a']).toEqual({
      requests: 3,
      succeeded: 3,
      failed: 0,
      totalCostUsd: 0.06,
      avgCostUsd: 0.02,
      avgLatencyMs: 20,
      sampleSize: 2,
      avgRating: 3.5,
      successRate: 0.5,
    });
    expect(sut.byModel['b']).toMatchObject({
      requests: 1,
      failed: 1,
      avgLatencyMs: null,
      sampleSize: 1,
      avgRating: null,
      successRate: 1,
    });
    expect(Object.keys(sut.byRule)).toEqual(['(none)', 'greeting']);
    expect(sut.byRule['greeting']).toMatchObject({ requests: 3, sampleSize: 3, successRate: 2 / 3 });
  });

  it('returns empty groups for no records', () => {
    expect(computeModelPerformance([])).toEqual({ totalRequests: 0, totalCostUsd: 0, byModel: {}, byRule: {} });
  });
});
