import type { LoadSample } from './closed-loop';
import { addedLatency, ratio, reportedMedians, summarizeLoad } from './gateway-stats';

function sample(latencies: number[], elapsedMs: number, errors = 0): LoadSample {
  return {
    connections: 4,
    elapsedMs,
    completed: latencies.length + errors,
    ok: latencies.length,
    latenciesMs: Float64Array.from(latencies),
    errors,
    errorSamples: [],
    models: {},
    reported: [],
  };
}

describe(summarizeLoad.name, () => {
  it('takes nearest-rank percentiles of the good answers, whatever their order', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1 ms
    const sut = summarizeLoad(sample(latencies, 2000));
    expect([sut.p50Ms, sut.p90Ms, sut.p99Ms, sut.maxMs]).toEqual([50, 90, 99, 100]);
    expect(sut.meanMs).toBe(50.5);
  });

  it('counts good answers per second of the window, not errors', () => {
    const sut = summarizeLoad(sample([1, 1, 1, 1], 2000, 6));
    expect(sut.rps).toBe(2);
    expect([sut.completed, sut.ok, sut.errors]).toEqual([10, 4, 6]);
  });

  it("adds the medians of the target's own account only when its answers gave one", () => {
    expect(summarizeLoad(sample([1], 1000)).reported).toBeUndefined();
    const withReported = { ...sample([1, 2, 3], 1000), reported: [{ totalMs: 3, routingMs: 1, providerMs: 1 }] };
    expect(summarizeLoad(withReported).reported).toEqual({ totalMs: 3, routingMs: 1, providerMs: 1 });
  });

  it('has no latency and no throughput when nothing was answered well', () => {
    const sut = summarizeLoad(sample([], 0, 3));
    expect(sut.rps).toBe(0);
    expect(sut.p50Ms).toBeNaN();
    expect(sut.meanMs).toBeNaN();
  });
});

describe(addedLatency.name, () => {
  const upstream = { p50Ms: 0.2, p99Ms: 0.5 };

  it("subtracts the upstream's percentiles and sets them against the reference gateway's", () => {
    const sut = addedLatency({ p50Ms: 2.2, p99Ms: 4.5 }, upstream, { p50Ms: 1.2, p99Ms: 2.5 });
    expect(sut.p50Ms).toBeCloseTo(2);
    expect(sut.p99Ms).toBeCloseTo(4);
    expect(sut.p50Ratio).toBeCloseTo(2);
    expect(sut.p99Ratio).toBeCloseTo(2);
  });

  it('has no ratio without a reference', () => {
    const sut = addedLatency({ p50Ms: 1, p99Ms: 2 }, upstream);
    expect(sut.p50Ratio).toBeNaN();
    expect(sut.p99Ratio).toBeNaN();
  });
});

describe(ratio.name, () => {
  it('is undefined (NaN) when either side added nothing', () => {
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(-0.1, 1)).toBeNaN();
    expect(ratio(3, 1.5)).toBe(2);
  });
});

describe(reportedMedians.name, () => {
  it('takes the median of each part on its own', () => {
    const sut = reportedMedians([
      { totalMs: 9, routingMs: 1, providerMs: 5 },
      { totalMs: 3, routingMs: 2, providerMs: 0.5 },
      { totalMs: 5, routingMs: 7, providerMs: 1 },
    ]);
    expect(sut).toEqual({ totalMs: 5, routingMs: 2, providerMs: 1 });
  });
});
