import type { StatsChange, StatsDimension, StatsGroup } from '@switchyard/contracts';
import { LATENCY_BUCKETS_MS, type RollupCounts, type RollupRow, addCounts, emptyCounts } from '../rollups/rollup';

export function dimensionOf(row: RollupRow, d: StatsDimension): string {
  return d === 'day' ? new Date(row.hour).toISOString().slice(0, 10) : row[d];
}

/** Rows summed by the given dimensions, largest groups (by requests) first; `day` groups in date order. */
export function summarizeRollups(rows: Iterable<RollupRow>, groupBy: readonly StatsDimension[]): StatsGroup[] {
  const groups = new Map<string, { key: Partial<Record<StatsDimension, string>>; counts: RollupCounts }>();
  for (const row of rows) {
    const values = groupBy.map((d) => dimensionOf(row, d));
    const id = JSON.stringify(values);
    let group = groups.get(id);
    if (!group) {
      const key: Partial<Record<StatsDimension, string>> = {};
      groupBy.forEach((d, i) => (key[d] = values[i]));
      group = { key, counts: emptyCounts() };
      groups.set(id, group);
    }
    group.counts = addCounts(group.counts, row);
  }
  const out = [...groups.values()].map(({ key, counts }) => statsOf(key, counts));
  return out.sort((a, b) => (a.key.day ?? '').localeCompare(b.key.day ?? '') || b.requests - a.requests);
}

export function statsOf(key: StatsGroup['key'], c: RollupCounts): StatsGroup {
  const ratio = (n: number, d: number) => (d > 0 ? n / d : null);
  const failures = Object.values(c.errors).reduce((a, b) => a + b, 0);
  const timed = Object.values(c.latency).reduce((a, b) => a + b, 0);
  return {
    key,
    requests: c.requests,
    succeeded: c.succeeded,
    errorRate: ratio(failures, c.requests),
    errors: c.errors,
    costUsd: c.costUsd,
    costPerRequestUsd: ratio(c.costUsd, c.requests),
    inputTokens: c.inputTokens,
    outputTokens: c.outputTokens,
    avgLatencyMs: ratio(c.latencyMsSum, timed),
    p50LatencyMs: percentileBound(c.latency, 0.5),
    p95LatencyMs: percentileBound(c.latency, 0.95),
    avgRating: ratio(c.ratingSum, c.ratingCount),
    ratingCount: c.ratingCount,
    successRate: ratio(c.successes, c.successCount),
    successCount: c.successCount,
    avgQuality: ratio(c.qualitySum, c.qualityCount),
    qualityCount: c.qualityCount,
  };
}

/** The upper bound of the bucket where the share `p` of the requests is reached; null past the last bound. */
export function percentileBound(histogram: Record<string, number>, p: number): number | null {
  const total = Object.values(histogram).reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const bound of LATENCY_BUCKETS_MS) {
    seen += histogram[`le${bound}`] ?? 0;
    if (seen >= p * total) return bound;
  }
  return null;
}

/** Current minus previous; a rate is null when either window has no data for it. */
export function changeOf(current: StatsGroup, previous: StatsGroup | undefined): StatsChange {
  const diff = (a: number | null, b: number | null | undefined) =>
    a === null || b === null || b === undefined ? null : a - b;
  return {
    requests: current.requests - (previous?.requests ?? 0),
    costUsd: current.costUsd - (previous?.costUsd ?? 0),
    errorRate: diff(current.errorRate, previous?.errorRate),
    costPerRequestUsd: diff(current.costPerRequestUsd, previous?.costPerRequestUsd),
    avgRating: diff(current.avgRating, previous?.avgRating),
    successRate: diff(current.successRate, previous?.successRate),
    avgQuality: diff(current.avgQuality, previous?.avgQuality),
    p50LatencyMs: diff(current.p50LatencyMs, previous?.p50LatencyMs),
    p95LatencyMs: diff(current.p95LatencyMs, previous?.p95LatencyMs),
  };
}
