import type { StatsAnswer, StatsQuery, StatsWindow } from '@switchyard/contracts';
import { type RollupRow, emptyCounts } from '../rollups/rollup';
import { changeOf, statsOf, summarizeRollups } from './summarize';

/** The rows a stats query reads: one window, already limited to the query's tenant and filters. */
export interface StatsInput {
  query: StatsQuery;
  window: StatsWindow;
  rows: Iterable<RollupRow>;
  /** The window before, when the query compares. */
  previous?: { window: StatsWindow; rows: Iterable<RollupRow> };
  /** The tenant the answer is limited to; null for every tenant. */
  tenant: string | null;
}

/** A stats query's answer from rollup rows: its groups, the total, and each one's change against the window before. */
export function answerStats(input: StatsInput): StatsAnswer {
  const { query, previous } = input;
  const rows = [...input.rows];
  const before = previous ? [...previous.rows] : [];
  // A time dimension compares day by day only within a window; against the window before, a group is the
  // same group when its other dimensions are.
  const sameGroup = query.groupBy.filter((d) => d !== 'day');
  const previousGroups = new Map(
    summarizeRollups(before, query.groupBy).map((g) => [JSON.stringify(sameGroup.map((d) => g.key[d])), g]),
  );
  const groups = summarizeRollups(rows, query.groupBy).map((g) => ({
    ...g,
    change:
      previous && !query.groupBy.includes('day')
        ? changeOf(g, previousGroups.get(JSON.stringify(sameGroup.map((d) => g.key[d]))))
        : null,
  }));
  const totalGroup = summarizeRollups(rows, [])[0] ?? statsOf({}, emptyCounts());
  const [previousTotal] = summarizeRollups(before, []);
  const iso = (w: StatsWindow) => ({ from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() });
  return {
    ok: true,
    window: iso(input.window),
    previousWindow: previous ? iso(previous.window) : null,
    tenant: input.tenant,
    groupBy: query.groupBy,
    total: { ...totalGroup, change: previous ? changeOf(totalGroup, previousTotal) : null },
    groups,
  };
}
