import {
  DEFAULT_SEARCH,
  type RateOutcome,
  type StepSample,
  evaluateTargets,
  highestSustained,
  nextSaturationRate,
  percentile,
  sendsDue,
  summarizeStep,
  targetChecks,
  unsustainedReason,
} from './overhead-stats';

function sample(overrides: Partial<StepSample> = {}): StepSample {
  return {
    offeredRps: 100,
    seconds: 1,
    sent: 100,
    ok: 100,
    failed: 0,
    lost: 0,
    latenciesMs: Array.from({ length: 100 }, (_, i) => 100 - i), // 100..1, unsorted on purpose
    elapsedMs: 990,
    ...overrides,
  };
}

describe(percentile.name, () => {
  it('takes the nearest rank of ascending values', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(xs, 0.5)).toBe(5);
    expect(percentile(xs, 0.95)).toBe(10);
    expect(percentile(xs, 0.99)).toBe(10);
    expect(percentile(xs, 0)).toBe(1);
  });
  it('is NaN when there is nothing to rank', () => {
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe(summarizeStep.name, () => {
  it('sorts the latencies and counts throughput over the scheduled duration', () => {
    const sut = summarizeStep(sample());
    expect(sut).toMatchObject({ p50Ms: 50, p95Ms: 95, p99Ms: 99, maxMs: 100, achievedRps: 100 });
  });
  it('counts throughput over the longer time when the replies trail the schedule', () => {
    expect(summarizeStep(sample({ elapsedMs: 2000 })).achievedRps).toBe(50);
  });
  it('has no percentiles when nothing came back', () => {
    const sut = summarizeStep(sample({ ok: 0, lost: 100, latenciesMs: [], elapsedMs: 0 }));
    expect(sut.p50Ms).toBeNaN();
    expect(sut.achievedRps).toBe(0);
  });
});

describe(unsustainedReason.name, () => {
  const criteria = { minAchievedShare: 0.95, maxP99Ms: 100 };
  it('accepts a step with nothing lost, kept up with and a bounded p99', () => {
    expect(unsustainedReason(summarizeStep(sample()), criteria)).toBeUndefined();
  });
  it('rejects a step that lost or failed a request', () => {
    expect(unsustainedReason(summarizeStep(sample({ ok: 99, lost: 1 })), criteria)).toMatch(/1 lost/);
    expect(unsustainedReason(summarizeStep(sample({ ok: 99, failed: 1 })), criteria)).toMatch(/1 failed/);
  });
  it('rejects a step that fell behind the offered rate', () => {
    expect(unsustainedReason(summarizeStep(sample({ elapsedMs: 1200 })), criteria)).toMatch(/achieved 83\/s/);
  });
  it('rejects a step whose p99 is past the limit, or missing', () => {
    expect(unsustainedReason(summarizeStep(sample()), { ...criteria, maxP99Ms: 50 })).toMatch(/p99/);
    expect(unsustainedReason({ ...summarizeStep(sample()), p99Ms: NaN }, criteria)).toMatch(/p99/);
  });
});

describe(nextSaturationRate.name, () => {
  const settings = { ...DEFAULT_SEARCH, startRps: 100, factor: 2, refineSteps: 2, maxRps: 10_000, resolution: 1.05 };
  const pass = (offeredRps: number): RateOutcome => ({ offeredRps, sustained: true });
  const fail = (offeredRps: number): RateOutcome => ({ offeredRps, sustained: false });

  it('starts at the start rate when nothing is known', () => {
    expect(nextSaturationRate([], settings)).toBe(100);
  });
  it('ramps from the highest sustained rate while nothing fails', () => {
    expect(nextSaturationRate([pass(100), pass(500), pass(250)], settings)).toBe(1000);
  });
  it('stops the ramp at its ceiling', () => {
    expect(nextSaturationRate([pass(8000)], settings)).toBe(10_000);
    expect(nextSaturationRate([pass(10_000)], settings)).toBeUndefined();
  });
  it('bisects geometrically between the highest pass and the lowest failure', () => {
    expect(nextSaturationRate([pass(100), fail(400)], settings)).toBe(200);
  });
  it('stops after the refine steps allowed once something failed', () => {
    expect(nextSaturationRate([pass(100), fail(400), pass(200), fail(283)], settings)).toBeUndefined();
  });
  it('stops when the bracket is already narrow', () => {
    expect(nextSaturationRate([pass(1000), fail(1040)], settings)).toBeUndefined();
  });
  it('steps down when even the first rate failed', () => {
    expect(nextSaturationRate([fail(100)], settings)).toBe(50);
  });
});

describe(highestSustained.name, () => {
  it('ignores a pass above a lower failure (noise does not raise the answer)', () => {
    expect(
      highestSustained([
        { offeredRps: 100, sustained: true },
        { offeredRps: 200, sustained: false },
        { offeredRps: 300, sustained: true },
      ]),
    ).toBe(100);
  });
  it('is undefined when nothing was sustained', () => {
    expect(highestSustained([{ offeredRps: 100, sustained: false }])).toBeUndefined();
  });
});

describe(sendsDue.name, () => {
  it('has the first send due at once and one more every interval, never more than the total', () => {
    expect(sendsDue(0, 10, 5)).toBe(1);
    expect(sendsDue(9.9, 10, 5)).toBe(1);
    expect(sendsDue(10, 10, 5)).toBe(2);
    expect(sendsDue(1000, 10, 5)).toBe(5);
    expect(sendsDue(-1, 10, 5)).toBe(0);
  });
});

describe(evaluateTargets.name, () => {
  const targets = { atRps: 500, p50Ms: 1.5, p99Ms: 5, throughputShare: 0.15 };
  it('meets each target on its own, with what was measured', () => {
    const at = { ...summarizeStep(sample()), p50Ms: 1.2, p99Ms: 6 };
    expect(evaluateTargets(at, 300, 1000, targets)).toEqual({
      atRps: 500,
      p50: { limitMs: 1.5, measuredMs: 1.2, met: true },
      p99: { limitMs: 5, measuredMs: 6, met: false },
      throughputShare: { min: 0.15, measured: 0.3, met: true },
    });
  });
  it('does not meet what was not measured, and says null for it', () => {
    expect(evaluateTargets(undefined, undefined, 1000, targets)).toEqual({
      atRps: 500,
      p50: { limitMs: 1.5, measuredMs: null, met: false },
      p99: { limitMs: 5, measuredMs: null, met: false },
      throughputShare: { min: 0.15, measured: null, met: false },
    });
  });
});

describe(targetChecks.name, () => {
  it('says each target, whether it was met and what was measured', () => {
    const at = { ...summarizeStep(sample()), p50Ms: 1.2, p99Ms: 6 };
    expect(targetChecks(evaluateTargets(at, undefined, 1000))).toEqual([
      { name: 'p50 < 1.5 ms at 500/s offered', met: true, detail: '1.20 ms' },
      { name: 'p99 < 5 ms at 500/s offered', met: false, detail: '6.00 ms' },
      { name: 'max sustained >= 15% of the NATS echo', met: false, detail: '-' },
    ]);
  });
});
