import type { StatsGroup } from '@switchyard/contracts';
import { type RollupRow, addCounts, emptyCounts } from '../rollups/rollup';
import { type PolicyOutline, type ReviewOptions, type RuleReview, reviewRules } from '../review/rule-review';
import { statsOf, summarizeRollups } from '../stats/summarize';

/** How the rollups of the window were checked against the raw records before the report read them. */
export interface ReconcileSummary {
  from: string;
  to: string;
  /** Records recounted. */
  records: number;
  rows: number;
  corrected: number;
  requestsAdded: number;
  labelsAdded: number;
}

/** What an optimizer run stores and shows: spend, quality, the rule review and its suggestions. */
export interface OptimizerReportBody {
  window: { from: string; to: string; days: number };
  policyVersion: string | null;
  total: StatsGroup;
  /** Spend per UTC day and model: the stacked cost chart. Every day of the window, zero-filled. */
  spendByDay: Array<{ day: string; model: string; costUsd: number; requests: number }>;
  /** Spend per UTC day and tenant, zero-filled likewise. */
  spendByTenantDay: Array<{ day: string; tenant: string; costUsd: number; requests: number }>;
  byTenant: StatsGroup[];
  /** Cost against quality per model. */
  byModel: StatsGroup[];
  /** Cost against quality per rule (and band). */
  byRule: StatsGroup[];
  /** Quality by rule and model. */
  byRuleModel: StatsGroup[];
  /** Canary arms (`control`, `candidate`, `none`). */
  byArm: StatsGroup[];
  review: RuleReview;
  reconcile: ReconcileSummary | null;
  /** Retraining runs of the window; the learning loop fills it. */
  retraining: unknown[];
  /**
   * The run's prompt retention (PROMPT_RETENTION_DAYS): the records completed before `before` that lost
   * their routed text in this run. Absent when texts are kept (0) and in reports from before it existed.
   */
  promptRetention?: { days: number; before: string; cleared: number };
}

export interface BuildReportInput {
  rows: readonly RollupRow[];
  window: { from: number; to: number };
  outline?: PolicyOutline;
  review?: ReviewOptions;
  reconcile?: ReconcileSummary;
}

const DAY_MS = 24 * 3600 * 1000;

export function buildOptimizerReport(input: BuildReportInput): OptimizerReportBody {
  const { rows, window } = input;
  const total = statsOf(
    {},
    rows.reduce((acc, r) => addCounts(acc, r), emptyCounts()),
  );
  return {
    window: {
      from: new Date(window.from).toISOString(),
      to: new Date(window.to).toISOString(),
      // Calendar days touched (a window of today so far is 1).
      days: Math.ceil((window.to - window.from) / DAY_MS),
    },
    policyVersion: input.outline?.version ?? null,
    total,
    spendByDay: spendByDay(rows, window, 'model').map(({ day, value, costUsd, requests }) => ({
      day,
      model: value,
      costUsd,
      requests,
    })),
    spendByTenantDay: spendByDay(rows, window, 'tenant').map(({ day, value, costUsd, requests }) => ({
      day,
      tenant: value,
      costUsd,
      requests,
    })),
    byTenant: summarizeRollups(rows, ['tenant']),
    byModel: summarizeRollups(rows, ['model']),
    byRule: summarizeRollups(rows, ['rule']),
    byRuleModel: summarizeRollups(rows, ['rule', 'model']),
    byArm: summarizeRollups(rows, ['arm']),
    review: reviewRules(rows, input.outline, input.review),
    reconcile: input.reconcile ?? null,
    retraining: [],
  };
}

function spendByDay(
  rows: readonly RollupRow[],
  window: { from: number; to: number },
  dim: 'model' | 'tenant',
): Array<{ day: string; value: string; costUsd: number; requests: number }> {
  const values = [...new Set(rows.map((r) => r[dim]))].sort();
  const days: string[] = [];
  for (let t = Math.floor(window.from / DAY_MS) * DAY_MS; t < window.to; t += DAY_MS)
    days.push(new Date(t).toISOString().slice(0, 10));
  const cells = new Map<string, { costUsd: number; requests: number }>();
  for (const row of rows) {
    const key = `${new Date(row.hour).toISOString().slice(0, 10)}|${row[dim]}`;
    const cell = cells.get(key) ?? { costUsd: 0, requests: 0 };
    cell.costUsd += row.costUsd;
    cell.requests += row.requests;
    cells.set(key, cell);
  }
  return days.flatMap((day) =>
    values.map((value) => ({ day, value, ...(cells.get(`${day}|${value}`) ?? { costUsd: 0, requests: 0 }) })),
  );
}
