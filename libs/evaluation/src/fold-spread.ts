import { type Spread, spreadOf } from './splits';

/** The figures a generalisation check compares on a fold: APGR and the savings at 95% and 100% of the best. */
export interface FoldFigures {
  apgr?: number;
  saving95?: number;
  saving100?: number;
}

/** One fold of a check at one seed: the learned router's figures and the baseline's. */
export interface SeededFold {
  fold: string;
  seed: number;
  learned: FoldFigures;
  baseline: FoldFigures;
}

/** How each figure of one fold spreads over the seeds it ran at. */
export interface FoldOverSeeds {
  fold: string;
  seeds: number[];
  learned: Record<keyof FoldFigures, Spread>;
  baseline: Record<keyof FoldFigures, Spread>;
}

const FIGURES = ['apgr', 'saving95', 'saving100'] as const;

/**
 * The folds of a check run at several seeds (`eval --cv task --repeat N`: the same folds, their rows in
 * another order), grouped by fold in the order they first appear, each figure's mean, sd and range over its
 * seeds. A fold's figure moves with the row order alone (which rows tuning holds out, the order of the
 * passes); the mean over seeds is what a comparison of two routers on that fold should read.
 */
export function spreadOverSeeds(rows: readonly SeededFold[]): FoldOverSeeds[] {
  const byFold = new Map<string, SeededFold[]>();
  for (const row of rows) byFold.set(row.fold, [...(byFold.get(row.fold) ?? []), row]);
  const over = (group: SeededFold[], side: 'learned' | 'baseline') =>
    Object.fromEntries(FIGURES.map((k) => [k, spreadOf(group.map((r) => r[side][k]))])) as Record<
      keyof FoldFigures,
      Spread
    >;
  return [...byFold].map(([fold, group]) => ({
    fold,
    seeds: group.map((r) => r.seed),
    learned: over(group, 'learned'),
    baseline: over(group, 'baseline'),
  }));
}

/**
 * Below this, two figures are the same: two hulls reaching a quality at the same mix of the same models can
 * price it a few ulps apart (biology's saving at 95%: 0.9965894777038792 against ...803).
 */
export const SAME_FIGURE = 1e-9;

/**
 * Whether the router's figure matches (within `SAME_FIGURE`) or beats the baseline's, a figure never
 * reached counting below any reached one (a saving the hull never reaches loses to any saving).
 */
export function matchesOrBeats(router: number | undefined, baseline: number | undefined): boolean {
  if (router === undefined || Number.isNaN(router)) return baseline === undefined || Number.isNaN(baseline);
  if (baseline === undefined || Number.isNaN(baseline)) return true;
  return router >= baseline - SAME_FIGURE;
}
