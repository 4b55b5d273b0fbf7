/**
 * The cost-aware router's whole curve, exactly: for each prompt, which candidate `chooseCostAware` picks at
 * every cost weight w >= 0 (it changes at a handful of weights), then every weight at which any prompt's
 * choice changes, swept once. And the curve's upper convex hull: a router that randomises between two
 * settings reaches any point on the segment between them, so the hull is what the router can serve.
 */

/** One prompt as the router sees it: predicted quality and priced cost per candidate (same order). */
export interface SweepRow {
  quality: ArrayLike<number>;
  costUsd: ArrayLike<number>;
}

/** From `fromWeight` on (until the next segment), the prompt goes to candidate `choice`. */
export interface ChoiceSegment {
  fromWeight: number;
  choice: number;
}

/**
 * The candidate `chooseCostAware({ costWeight: w })` picks at every w >= 0, as segments: utility
 * q_k - w × c_k / dearest, highest wins, ties to the cheaper. Starts at the best predicted candidate and
 * moves to cheaper ones as w grows; at most one segment per candidate. Empty when there is no candidate.
 */
export function choiceSegments(row: SweepRow): ChoiceSegment[] {
  const n = row.quality.length;
  if (n === 0) return [];
  let dearest = 0;
  for (let k = 0; k < n; k++) if (row.costUsd[k] > dearest) dearest = row.costUsd[k];
  const slope = (k: number) => (dearest > 0 ? row.costUsd[k] / dearest : 0);
  let current = 0;
  for (let k = 1; k < n; k++) {
    const q = row.quality[k];
    const best = row.quality[current];
    if (q > best || (q === best && row.costUsd[k] < row.costUsd[current])) current = k;
  }
  const segments: ChoiceSegment[] = [{ fromWeight: 0, choice: current }];
  let weight = 0;
  for (;;) {
    // The cheaper candidate whose line overtakes the current one first (ties at the same weight: the cheapest).
    let next = -1;
    let at = Infinity;
    for (let j = 0; j < n; j++) {
      const ds = slope(current) - slope(j);
      if (ds <= 0) continue;
      const crossing = Math.max(weight, (row.quality[current] - row.quality[j]) / ds);
      if (crossing < at || (crossing === at && next >= 0 && row.costUsd[j] < row.costUsd[next])) {
        at = crossing;
        next = j;
      }
    }
    if (next < 0) return segments;
    weight = at;
    current = next;
    // Two switches at the same weight: the later one stands.
    if (segments[segments.length - 1].fromWeight === weight) segments[segments.length - 1].choice = current;
    else segments.push({ fromWeight: weight, choice: current });
  }
}

/** A point of the traced curve: from `costWeight` on, the router's mean quality and cost on the rows. */
export interface SweepPoint {
  costWeight: number;
  quality: number;
  costUsd: number;
}

/**
 * The router's mean outcome on `rows` at every cost weight where some row's choice changes (the first point
 * is w = 0). `outcome(row, choice)` is what choosing candidate `choice` for row `row` gives (the recorded
 * score and cost in an evaluation); a row without candidates takes `fallback(row)` throughout.
 */
export function sweepCostWeights(
  rows: readonly SweepRow[],
  outcome: (row: number, choice: number) => { score: number; costUsd: number },
  fallback: (row: number) => { score: number; costUsd: number },
): SweepPoint[] {
  return sumSweep(prepareSweep(rows, outcome, fallback));
}

/**
 * A sweep before it is summed: each row's outcome at cost weight 0, and every change of a row's outcome as
 * the weight rises, in order of weight. Summed with row weights (`sumSweep`), one preparation gives the
 * curve on any resample of the rows.
 */
export interface PreparedSweep {
  start: Array<{ score: number; costUsd: number }>;
  changes: Array<{ weight: number; row: number; score: number; costUsd: number }>;
}

/** `sweepCostWeights`' first half: the rows' choice segments, as outcomes and changes of outcome. */
export function prepareSweep(
  rows: readonly SweepRow[],
  outcome: (row: number, choice: number) => { score: number; costUsd: number },
  fallback: (row: number) => { score: number; costUsd: number },
): PreparedSweep {
  const start: PreparedSweep['start'] = [];
  const changes: PreparedSweep['changes'] = [];
  rows.forEach((row, r) => {
    const segments = choiceSegments(row);
    const first = segments.length > 0 ? outcome(r, segments[0].choice) : fallback(r);
    start.push({ score: first.score, costUsd: first.costUsd });
    for (let s = 1; s < segments.length; s++) {
      const from = outcome(r, segments[s - 1].choice);
      const to = outcome(r, segments[s].choice);
      changes.push({
        weight: segments[s].fromWeight,
        row: r,
        score: to.score - from.score,
        costUsd: to.costUsd - from.costUsd,
      });
    }
  });
  // Stable: changes at the same weight keep the rows' order.
  changes.sort((a, b) => a.weight - b.weight);
  return { start, changes };
}

/**
 * The curve of a prepared sweep: the mean outcome at weight 0 and after each weight where an outcome
 * changes. With `rowWeights` (how many times each row counts, e.g. a bootstrap resample's counts), the
 * weighted mean; rows of weight 0 drop out.
 */
export function sumSweep(prepared: PreparedSweep, rowWeights?: ArrayLike<number>): SweepPoint[] {
  const { start, changes } = prepared;
  if (start.length === 0) return [];
  let n = 0;
  let quality = 0;
  let cost = 0;
  for (let r = 0; r < start.length; r++) {
    const w = rowWeights ? rowWeights[r] : 1;
    n += w;
    quality += w * start[r].score;
    cost += w * start[r].costUsd;
  }
  if (!(n > 0)) return [];
  const points: SweepPoint[] = [{ costWeight: 0, quality: quality / n, costUsd: cost / n }];
  for (let i = 0; i < changes.length; i++) {
    const e = changes[i];
    const w = rowWeights ? rowWeights[e.row] : 1;
    if (w !== 0) {
      quality += w * e.score;
      cost += w * e.costUsd;
    }
    if (i + 1 < changes.length && changes[i + 1].weight === e.weight) continue;
    const point = { costWeight: e.weight, quality: quality / n, costUsd: cost / n };
    if (e.weight === 0) points[0] = point;
    else points.push(point);
  }
  return points;
}

/** A point with a cost and a quality; hull points keep whatever else the input points carried. */
export interface CostQuality {
  costUsd: number;
  quality: number;
}

/**
 * The upper-left convex hull of the points: from the cheapest (the best of the cheapest) up to the best
 * (the cheapest of the best), every vertex strictly dearer and strictly better than the one before, the
 * slopes falling. Any point on a segment is reached by serving its two ends at random in the right shares.
 */
export function upperHull<P extends CostQuality>(points: readonly P[]): P[] {
  const sorted = points
    .filter((p) => Number.isFinite(p.costUsd) && Number.isFinite(p.quality))
    .sort((a, b) => a.costUsd - b.costUsd || b.quality - a.quality);
  const hull: P[] = [];
  for (const p of sorted) {
    if (hull.length > 0 && p.quality <= hull[hull.length - 1].quality) continue;
    // Drop the last vertex while it lies on or under the segment from the one before it to p.
    while (hull.length >= 2) {
      const a = hull[hull.length - 2];
      const b = hull[hull.length - 1];
      const cross =
        (b.costUsd - a.costUsd) * (p.quality - a.quality) - (b.quality - a.quality) * (p.costUsd - a.costUsd);
      if (cross >= 0) hull.pop();
      else break;
    }
    hull.push(p);
  }
  return hull;
}

/** How the cost-aware knob serves a point between two settings: `share` of requests at `lowWeight`, the rest at `highWeight`. */
export interface KnobMix {
  lowWeight: number;
  highWeight: number;
  /** The low side is this model alone instead of a cost weight. */
  lowModel?: string;
  /** The high side is this model alone instead of a cost weight. */
  highModel?: string;
  share: number;
}

/** How to serve a point of the hull: `share` of requests at `low`'s setting, the rest at `high`'s. */
export interface HullMix<P> {
  low: P;
  high: P;
  /** Share of traffic at `low`, 0..1. */
  share: number;
  costUsd: number;
  quality: number;
}

/**
 * The cheapest mix on the hull reaching `quality`, undefined when even the best vertex does not. On a
 * vertex the mix is that vertex alone (share 1).
 */
export function hullMixForQuality<P extends CostQuality>(hull: readonly P[], quality: number): HullMix<P> | undefined {
  if (hull.length === 0 || hull[hull.length - 1].quality < quality) return undefined;
  if (hull[0].quality >= quality) return { low: hull[0], high: hull[0], share: 1, ...pick(hull[0]) };
  for (let i = 1; i < hull.length; i++) {
    const a = hull[i - 1];
    const b = hull[i];
    if (b.quality < quality) continue;
    if (b.quality === quality) return { low: b, high: b, share: 1, ...pick(b) };
    const t = (quality - a.quality) / (b.quality - a.quality);
    return { low: a, high: b, share: 1 - t, costUsd: a.costUsd + t * (b.costUsd - a.costUsd), quality };
  }
  return undefined;
}

/**
 * The best mix on the hull costing at most `costUsd`, undefined when even the cheapest vertex costs more.
 */
export function hullMixForCost<P extends CostQuality>(hull: readonly P[], costUsd: number): HullMix<P> | undefined {
  if (hull.length === 0 || hull[0].costUsd > costUsd) return undefined;
  const last = hull[hull.length - 1];
  if (last.costUsd <= costUsd) return { low: last, high: last, share: 1, ...pick(last) };
  for (let i = 1; i < hull.length; i++) {
    const a = hull[i - 1];
    const b = hull[i];
    if (b.costUsd < costUsd) continue;
    if (b.costUsd === costUsd) return { low: b, high: b, share: 1, ...pick(b) };
    const t = (costUsd - a.costUsd) / (b.costUsd - a.costUsd);
    return { low: a, high: b, share: 1 - t, costUsd, quality: a.quality + t * (b.quality - a.quality) };
  }
  return undefined;
}

function pick(p: CostQuality): CostQuality {
  return { costUsd: p.costUsd, quality: p.quality };
}

/**
 * Average performance gap recovered (RouteLLM's APGR, taken over cost) of a curve's upper hull: with cost
 * normalised so the cheapest single model is 0 and the best is 1, the mean share of the quality gap between
 * them the hull recovers (the cheapest model's quality below the hull's cheapest point). Random mixing of
 * the two models recovers 0.5.
 */
export function hullApgr(
  curve: readonly CostQuality[],
  cheapest: CostQuality,
  best: CostQuality,
  steps = 1000,
): number {
  const gap = best.quality - cheapest.quality;
  const span = best.costUsd - cheapest.costUsd;
  if (gap <= 0 || span <= 0)
    throw new Error('APGR needs a best model that is both better and dearer than the cheapest');
  const hull = upperHull(curve);
  let total = 0;
  for (let i = 0; i < steps; i++) {
    const cost = cheapest.costUsd + ((i + 0.5) / steps) * span;
    const reached = hullMixForCost(hull, cost)?.quality ?? -Infinity;
    total += (Math.max(reached, cheapest.quality) - cheapest.quality) / gap;
  }
  return total / steps;
}
