/** What stats need of a routing record. */
export interface OutcomeRow {
  model?: string;
  rule?: string;
  status?: 'succeeded' | 'failed';
  costUsd?: number;
  latency?: { totalMs: number };
  feedback?: { rating?: number; success?: boolean };
}

export interface PerformanceStats {
  requests: number;
  succeeded: number;
  failed: number;
  totalCostUsd: number;
  avgCostUsd: number;
  avgLatencyMs: number | null;
  /** Feedback received (the seed's sample_size). */
  sampleSize: number;
  /** Mean of the ratings given, null without any (the seed's avg_rating). */
  avgRating: number | null;
  /** Share of feedback saying success, null without any (the seed's success_rate). */
  successRate: number | null;
}

export interface ModelPerformanceReport {
  totalRequests: number;
  totalCostUsd: number;
  byModel: Record<string, PerformanceStats>;
  byRule: Record<string, PerformanceStats>;
}

interface Acc {
  requests: number;
  succeeded: number;
  failed: number;
  cost: number;
  latencySum: number;
  latencyN: number;
  ratingSum: number;
  ratingN: number;
  successYes: number;
  successN: number;
  feedbackN: number;
}

const UNROUTED = '(none)';

/** The seed's get_model_performance, per model and per rule, from stored records with their feedback. */
export function computeModelPerformance(rows: Iterable<OutcomeRow>): ModelPerformanceReport {
  const byModel = new Map<string, Acc>();
  const byRule = new Map<string, Acc>();
  let totalRequests = 0;
  let totalCostUsd = 0;
  for (const row of rows) {
    totalRequests++;
    totalCostUsd += row.costUsd ?? 0;
    add(accFor(byModel, row.model ?? UNROUTED), row);
    add(accFor(byRule, row.rule ?? UNROUTED), row);
  }
  return { totalRequests, totalCostUsd, byModel: finish(byModel), byRule: finish(byRule) };
}

function accFor(map: Map<string, Acc>, key: string): Acc {
  let acc = map.get(key);
  if (!acc) {
    acc = {
      requests: 0,
      succeeded: 0,
      failed: 0,
      cost: 0,
      latencySum: 0,
      latencyN: 0,
      ratingSum: 0,
      ratingN: 0,
      successYes: 0,
      successN: 0,
      feedbackN: 0,
    };
    map.set(key, acc);
  }
  return acc;
}

function add(acc: Acc, row: OutcomeRow): void {
  acc.requests++;
  if (row.status === 'succeeded') acc.succeeded++;
  if (row.status === 'failed') acc.failed++;
  acc.cost += row.costUsd ?? 0;
  if (row.latency) {
    acc.latencySum += row.latency.totalMs;
    acc.latencyN++;
  }
  const fb = row.feedback;
  if (fb && (fb.rating !== undefined || fb.success !== undefined)) {
    acc.feedbackN++;
    if (fb.rating !== undefined) {
      acc.ratingSum += fb.rating;
      acc.ratingN++;
    }
    if (fb.success !== undefined) {
      acc.successN++;
      if (fb.success) acc.successYes++;
    }
  }
}

function finish(map: Map<string, Acc>): Record<string, PerformanceStats> {
  const out: Record<string, PerformanceStats> = {};
  for (const [key, a] of [...map.entries()].sort(([x], [y]) => x.localeCompare(y))) {
    out[key] = {
      requests: a.requests,
      succeeded: a.succeeded,
      failed: a.failed,
      totalCostUsd: a.cost,
      avgCostUsd: a.requests > 0 ? a.cost / a.requests : 0,
      avgLatencyMs: a.latencyN > 0 ? a.latencySum / a.latencyN : null,
      sampleSize: a.feedbackN,
      avgRating: a.ratingN > 0 ? a.ratingSum / a.ratingN : null,
      successRate: a.successN > 0 ? a.successYes / a.successN : null,
    };
  }
  return out;
}
