import type { StatsGroup } from '@switchyard/contracts';
import { type RollupRow, addCounts, emptyCounts } from '../rollups/rollup';
import { type PolicyOutline, type ReviewOptions, type RuleReview, reviewRules } from '../review/rule-review';
import { statsOf, summarizeRollups } from '../stats/summarize';

/** How the rollups of the window were checked against the raw records before the report read them. */
export interface ReconcileSummary {
  from: string;
  to: string;
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
      days: Math.round(((window.to - window.from) / DAY_MS) * 100) / 100,
    },
    policyVersion: input.outline?.version ?? null,
    total,
    spendByDay: spendByDay(rows, window),
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
): OptimizerReportBody['spendByDay'] {
  const models = [...new Set(rows.map((r) => r.model))].sort();
  const days: string[] = [];
  for (let t = Math.floor(window.from / DAY_MS) * DAY_MS; t < window.to; t += DAY_MS)
    days.push(new Date(t).toISOString().slice(0, 10));
  const cells = new Map<string, { costUsd: number; requests: number }>();
  for (const row of rows) {
    const key = `${new Date(row.hour).toISOString().slice(0, 10)}|${row.model}`;
    const cell = cells.get(key) ?? { costUsd: 0, requests: 0 };
    cell.costUsd += row.costUsd;
    cell.requests += row.requests;
    cells.set(key, cell);
  }
  return days.flatMap((day) =>
    models.map((model) => ({ day, model, ...(cells.get(`${day}|${model}`) ?? { costUsd: 0, requests: 0 }) })),
  );
}
