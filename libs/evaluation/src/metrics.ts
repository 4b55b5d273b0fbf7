import type { DatasetRow } from '@switchyard/datasets';

export interface StrategyResult {
  name: string;
  /** Mean score of the chosen answers. */
  quality: number;
  /** Mean cost per prompt, US dollars. */
  costUsd: number;
}

/** Replays a routing choice per row against the recorded outcomes. */
export function replay(
  name: string,
  rows: readonly DatasetRow[],
  choose: (row: DatasetRow, index: number) => string,
): StrategyResult {
  let quality = 0;
  let cost = 0;
  rows.forEach((row, i) => {
    const model = choose(row, i);
    const outcome = row.outcomes[model];
    if (!outcome) throw new Error(`${name} chose "${model}" for row ${row.id}, which has no outcome for it`);
    quality += outcome.score;
    cost += outcome.cost_usd;
  });
  return { name, quality: quality / rows.length, costUsd: cost / rows.length };
}

/** Every model alone, the best-quality one marked, and the per-prompt oracle (cheapest among the best). */
export function referencePoints(rows: readonly DatasetRow[], models: readonly string[]) {
  const singles = models.map((m) => replay(m, rows, () => m));
  const best = singles.reduce((a, b) =>
    b.quality > a.quality || (b.quality === a.quality && b.costUsd < a.costUsd) ? b : a,
  );
  const cheapest = singles.reduce((a, b) => (b.costUsd < a.costUsd ? b : a));
  const oracle = replay('oracle', rows, (row) =>
    models.reduce((a, b) => {
      const x = row.outcomes[a];
      const y = row.outcomes[b];
      return y.score > x.score || (y.score === x.score && y.cost_usd < x.cost_usd) ? b : a;
    }),
  );
  return { singles, best, cheapest, oracle };
}
