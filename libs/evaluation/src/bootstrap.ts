import {
  type CostQuality,
  hullApgr,
  hullMixForQuality,
  mulberry32,
  type PreparedSweep,
  sumSweep,
  upperHull,
} from '@switchyard/routing';

/**
 * Whether the router's lead over the baseline on a test part is more than the test rows' luck: a paired
 * bootstrap. Both curves are traced on the same rows; each resample draws the rows with replacement, sums
 * both curves (and the single models) over the same draw, and takes the difference of each figure. The
 * interval is the middle 95% of those differences. Where it holds zero, the test part cannot tell the two
 * apart: on a few hundred rows of noisy scores a difference of 0.05 APGR is common.
 */

/** A figure's difference (router minus baseline) on the test part, and the 95% bootstrap interval around it. */
export interface PairedDifference {
  difference: number;
  low: number;
  high: number;
}

export interface VersusBaseline {
  resamples: number;
  /** Absent when the best model is not both better and dearer than the cheapest (APGR is undefined). */
  apgr?: PairedDifference;
  /** In shares of the best model's cost (0.01: one point of saving). */
  saving95: PairedDifference;
  saving100: PairedDifference;
}

/** Per test row, one model's recorded score and cost. */
export interface ModelOutcomes {
  model: string;
  score: ArrayLike<number>;
  costUsd: ArrayLike<number>;
}

export const DEFAULT_BOOTSTRAP_RESAMPLES = 1000;

/** The figures the tables compare, on the rows weighted by `weights` (all 1: the test part itself). */
function figures(
  sweep: PreparedSweep,
  singles: readonly CostQuality[],
  cheapest: CostQuality,
  best: CostQuality,
  weights: ArrayLike<number> | undefined,
): { apgr?: number; saving95: number; saving100: number } {
  const settings: CostQuality[] = [...sumSweep(sweep, weights), ...singles];
  const hull = upperHull(settings);
  // Every model alone is a setting, so the hull reaches the best model's quality at its cost or less.
  const saving = (share: number) => {
    const mix = hullMixForQuality(hull, share * best.quality);
    return mix && best.costUsd > 0 ? 1 - mix.costUsd / best.costUsd : 0;
  };
  return {
    ...(best.quality > cheapest.quality && best.costUsd > cheapest.costUsd
      ? { apgr: hullApgr(settings, cheapest, best) }
      : {}),
    saving95: saving(0.95),
    saving100: saving(1),
  };
}

/** One resample: as many rows as `counts` has, drawn with replacement; each row's count written into `counts`. */
function drawRows(rand: () => number, counts: Float64Array): Float64Array {
  const n = counts.length;
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[Math.floor(rand() * n)]++;
  return counts;
}

/** The q-quantile of sorted values, interpolated between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Router minus baseline in APGR and in saving at 95% and 100% of the best model, each with its 95% paired
 * bootstrap interval. `cheapest` and `best` name the models the figures are read against; on each resample
 * they are re-measured on the drawn rows (the same models, not re-chosen).
 */
export function pairedBootstrap(input: {
  router: PreparedSweep;
  baseline: PreparedSweep;
  models: readonly ModelOutcomes[];
  cheapest: string;
  best: string;
  resamples?: number;
  seed: number;
}): VersusBaseline {
  const n = input.router.start.length;
  if (input.baseline.start.length !== n || input.models.some((m) => m.score.length !== n || m.costUsd.length !== n))
    throw new Error(
      `paired bootstrap: the router, the baseline and every model need the same ${n} rows (baseline ${input.baseline.start.length}; ${input.models.map((m) => `${m.model} ${m.score.length}`).join(', ')})`,
    );
  const find = (name: string) => {
    const found = input.models.find((m) => m.model === name);
    if (!found) throw new Error(`paired bootstrap: no outcomes for "${name}"`);
    return found;
  };
  find(input.cheapest);
  find(input.best);
  const resamples = input.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new Error(`paired bootstrap: resamples must be a positive integer, got ${resamples}`);
  const evaluate = (weights: ArrayLike<number> | undefined) => {
    let total = 0;
    for (let r = 0; r < n; r++) total += weights ? weights[r] : 1;
    const singles = new Map<string, CostQuality>();
    for (const m of input.models) {
      let quality = 0;
      let costUsd = 0;
      for (let r = 0; r < n; r++) {
        const w = weights ? weights[r] : 1;
        quality += w * m.score[r];
        costUsd += w * m.costUsd[r];
      }
      singles.set(m.model, { quality: quality / total, costUsd: costUsd / total });
    }
    const points = [...singles.values()];
    const cheapest = singles.get(input.cheapest) as CostQuality;
    const best = singles.get(input.best) as CostQuality;
    const router = figures(input.router, points, cheapest, best, weights);
    const baseline = figures(input.baseline, points, cheapest, best, weights);
    return {
      apgr: router.apgr === undefined || baseline.apgr === undefined ? undefined : router.apgr - baseline.apgr,
      saving95: router.saving95 - baseline.saving95,
      saving100: router.saving100 - baseline.saving100,
    };
  };
  const observed = evaluate(undefined);
  const draws = { apgr: [] as number[], saving95: [] as number[], saving100: [] as number[] };
  const rand = mulberry32(input.seed ^ 0xb007);
  const counts = new Float64Array(n);
  for (let b = 0; b < resamples; b++) {
    const d = evaluate(drawRows(rand, counts));
    if (d.apgr !== undefined) draws.apgr.push(d.apgr);
    draws.saving95.push(d.saving95);
    draws.saving100.push(d.saving100);
  }
  const interval = (difference: number, values: number[]): PairedDifference => {
    const sorted = values.sort((a, b) => a - b);
    return { difference, low: quantile(sorted, 0.025), high: quantile(sorted, 0.975) };
  };
  return {
    resamples,
    ...(observed.apgr === undefined || draws.apgr.length === 0 ? {} : { apgr: interval(observed.apgr, draws.apgr) }),
    saving95: interval(observed.saving95, draws.saving95),
    saving100: interval(observed.saving100, draws.saving100),
  };
}

/**
 * The 95% bootstrap interval of a ratio of two means over the same rows, sum(numerator) / sum(denominator)
 * on each resample (e.g. a served policy's quality against the best model's, row by row): how far the test
 * rows alone would move it.
 */
export function bootstrapRatio(
  numerator: ArrayLike<number>,
  denominator: ArrayLike<number>,
  seed: number,
  resamples = DEFAULT_BOOTSTRAP_RESAMPLES,
): { low: number; high: number } {
  const n = numerator.length;
  if (denominator.length !== n || n === 0)
    throw new Error(`bootstrap of a ratio: needs the same rows on both sides, got ${n} and ${denominator.length}`);
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new Error(`bootstrap of a ratio: resamples must be a positive integer, got ${resamples}`);
  const rand = mulberry32(seed ^ 0xb007);
  const counts = new Float64Array(n);
  const ratios: number[] = [];
  for (let b = 0; b < resamples; b++) {
    drawRows(rand, counts);
    let top = 0;
    let bottom = 0;
    for (let r = 0; r < n; r++) {
      top += counts[r] * numerator[r];
      bottom += counts[r] * denominator[r];
    }
    if (bottom !== 0) ratios.push(top / bottom);
  }
  ratios.sort((a, b) => a - b);
  return { low: quantile(ratios, 0.025), high: quantile(ratios, 0.975) };
}

/** Which side of zero an interval falls: the router ahead, behind, or neither told apart. */
export function verdict(d: PairedDifference): 'ahead' | 'behind' | 'level' {
  return d.low > 0 ? 'ahead' : d.high < 0 ? 'behind' : 'level';
}

/** One split's router-against-baseline line: each difference with its paired bootstrap interval. */
export function describeVersusBaseline(v: VersusBaseline, testRows: number): string {
  const apgr = (d: PairedDifference) =>
    `${signedDifference(d.difference, false)} [${signedDifference(d.low, false)}, ${signedDifference(d.high, false)}] (${verdict(d)})`;
  const points = (d: PairedDifference) =>
    `${signedDifference(d.difference, true)} points [${signedDifference(d.low, true)}, ${signedDifference(d.high, true)}] (${verdict(d)})`;
  return `router minus baseline on the ${testRows} test rows, 95% paired bootstrap interval over ${v.resamples} resamples (level: the test part cannot tell them apart): ${v.apgr ? `APGR ${apgr(v.apgr)}; ` : ''}saving @95% ${points(v.saving95)}; @100% ${points(v.saving100)}`;
}

/** A difference as the reports print it, signed: APGR to three places, a saving (`points`) in points to one. */
export function signedDifference(x: number, points: boolean): string {
  const v = points ? x * 100 : x;
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(points ? 1 : 3)}`;
}
