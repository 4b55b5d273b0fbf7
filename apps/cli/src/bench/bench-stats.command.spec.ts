import type { StatsGroup } from '@switchyard/contracts';
import { type BenchStatsResult, sameAnswer, statsReport, summarizeStats } from './bench-stats.command';

function group(model: string, rule: string, over: Partial<StatsGroup> = {}): StatsGroup {
  return {
    key: { model, rule },
    requests: 10,
    succeeded: 10,
    errorRate: 0,
    errors: {},
    costUsd: 0.01,
    costPerRequestUsd: 0.001,
    inputTokens: 100,
    outputTokens: 200,
    avgLatencyMs: 5,
    p50LatencyMs: 5,
    p95LatencyMs: 10,
    avgRating: null,
    ratingCount: 0,
    successRate: null,
    successCount: 0,
    avgQuality: 0.5,
    qualityCount: 2,
    ...over,
  };
}

const measured: Omit<BenchStatsResult, 'medianMs' | 'recordsToDailyRatio' | 'recordsToHourlyRatio'> = {
  settings: { records: 1000, days: 30, rounds: 3, groupBy: ['model', 'rule'], reusedDatabase: false },
  setup: { writeRecordsMs: 2000, recordsPerSecond: 500, writeRollupsMs: 300 },
  rollupRows: { hourly: 700, daily: 60 },
  windowRequests: 990,
  groups: 12,
  roundsMs: { dailyRollups: [9, 3, 4], hourlyRollups: [20, 10, 12], records: [400, 80, 90] },
  sameAnswer: true,
};

describe(summarizeStats.name, () => {
  it('takes the median round of each way and how much slower the records are', () => {
    const sut = summarizeStats(measured);
    expect(sut.medianMs).toEqual({ dailyRollups: 4, hourlyRollups: 12, records: 90 });
    expect(sut.recordsToDailyRatio).toBe(22.5);
    expect(sut.recordsToHourlyRatio).toBe(7.5);
    expect(sut.roundsMs).toBe(measured.roundsMs);
  });

  it('has no ratio to a median of 0 ms', () => {
    const sut = summarizeStats({ ...measured, roundsMs: { ...measured.roundsMs, dailyRollups: [0] } });
    expect(sut.recordsToDailyRatio).toBeNull();
  });
});

describe(sameAnswer.name, () => {
  const groupBy = ['model', 'rule'] as const;
  it('is true for the same groups in another order, cost within a micro-dollar', () => {
    const a = [group('m1', 'r1'), group('m2', 'r1', { costUsd: 0.02 })];
    const b = [group('m2', 'r1', { costUsd: 0.0200000001 }), group('m1', 'r1')];
    expect(sameAnswer(a, b, groupBy)).toBe(true);
  });

  it('is false when a group differs in requests, labels or cost, or is missing', () => {
    const a = [group('m1', 'r1'), group('m2', 'r1')];
    expect(sameAnswer(a, [group('m1', 'r1'), group('m2', 'r1', { requests: 11 })], groupBy)).toBe(false);
    expect(sameAnswer(a, [group('m1', 'r1'), group('m2', 'r1', { qualityCount: 3 })], groupBy)).toBe(false);
    expect(sameAnswer(a, [group('m1', 'r1'), group('m2', 'r1', { costUsd: 0.011 })], groupBy)).toBe(false);
    expect(sameAnswer(a, [group('m1', 'r1'), group('m2', 'r2')], groupBy)).toBe(false);
    expect(sameAnswer(a, [group('m1', 'r1')], groupBy)).toBe(false);
  });
});

describe(statsReport.name, () => {
  it('prints the numbers of the result', () => {
    expect(statsReport(summarizeStats(measured))).toEqual([
      '1000 records over 30 days: 700 hourly and 60 daily rollup rows; 990 requests in the window, 12 groups',
      'stats from the daily rollups: median 4 ms; from the hourly rollups: 12 ms; from the records: 90 ms. Records / daily: 22.5x; records / hourly: 7.5x',
      'same answer both ways (requests, labels, cost per group): yes',
    ]);
  });
});
