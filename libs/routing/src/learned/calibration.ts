import {
  type KnobMix,
  type SweepPoint,
  hullMixForCost,
  hullMixForQuality,
  sweepCostWeights,
  upperHull,
} from './cost-curve';
import { estimateTokens } from '@switchyard/contracts';
import type { OutcomeExample } from './learned-router';

/**
 * Where the cost-aware knob lands, measured at training time on a validation cut the router did not train
 * on: what a policy's `target` is resolved against. Costs are the training data's recorded costs.
 */
export interface RouterCalibration {
  validationExamples: number;
  /** Mean recorded quality and cost per prompt of each model alone on the cut. */
  models: Record<string, { quality: number; costUsd: number }>;
  /** The model with the best quality on the cut (ties: the cheaper). */
  bestModel: string;
  /**
   * The vertices of the upper hull of the router's curve on the cut, cheapest first: serving `costWeight`
   * gave about this mean quality and cost. Between two vertices, a mix of both.
   */
  hull: Array<CalibrationVertex>;
}

/**
 * A vertex of the calibration hull: a cost weight the router serves, or a model alone (sending every
 * request to one model is always possible, so mixing with the cheapest or the best model is too: the hull
 * is never below random mixing of the two).
 */
export interface CalibrationVertex {
  costWeight?: number;
  model?: string;
  quality: number;
  costUsd: number;
}

/** A policy's target for the cost-aware router: a share of one model's quality, or a cost per request. */
export type LearnedTarget = { quality: number; of: string } | { maxCostPerRequestUsd: number };

/** A target resolved on a calibration: the knob mix that serves it, and what the cut says it gives. */
export interface ResolvedTarget extends KnobMix {
  expectedQuality: number;
  expectedCostUsd: number;
  /** False when the cut never reached the target: the nearest vertex is served instead. */
  reached: boolean;
}

/**
 * The calibration of a router from its predictions on held-out examples with full outcomes: each prompt's
 * choice at every cost weight (weighing `decisionCost`, the recorded costs without it; paid at the recorded
 * ones), swept into a curve, and its hull.
 */
export function calibrate(
  models: readonly string[],
  examples: readonly OutcomeExample[],
  predictions: ReadonlyArray<ArrayLike<number>>,
  meanCostUsd: Record<string, number>,
  decisionCost?: DecisionCost,
): RouterCalibration {
  if (examples.length === 0) throw new Error('calibration needs held-out examples');
  const cost = (e: OutcomeExample, m: string) => e.outcomes[m]?.costUsd ?? meanCostUsd[m] ?? 0;
  const points = heldOutCurve(models, examples, predictions, meanCostUsd, decisionCost);
  const perModel: RouterCalibration['models'] = {};
  for (const m of models) {
    let q = 0;
    let c = 0;
    for (const e of examples) {
      q += e.outcomes[m].score;
      c += cost(e, m);
    }
    perModel[m] = { quality: q / examples.length, costUsd: c / examples.length };
  }
  const vertices: CalibrationVertex[] = [
    ...points.map((p, i) => ({
      // Served halfway into the setting's interval (past the last switch, one more), not on the switch itself.
      costWeight: servedWeight(points, i),
      quality: p.quality,
      costUsd: p.costUsd,
    })),
    ...models.map((model) => ({ model, ...perModel[model] })),
  ];
  const hull = upperHull(vertices);
  const bestModel = [...models].sort(
    (a, b) => perModel[b].quality - perModel[a].quality || perModel[a].costUsd - perModel[b].costUsd,
  )[0];
  return { validationExamples: examples.length, models: perModel, bestModel, hull };
}

/**
 * A request's input tokens as the served router prices them: the routed text and the conversation before
 * it, estimated. What `switchyard eval` prices its test rows by, and what `pricedAsServed` fits against.
 */
export function inputTokensOf(text: string, context?: string): number {
  return estimateTokens(text) + (context === undefined ? 0 : estimateTokens(context));
}

/** What a decision expects a call of `model` to cost for an example, before the call (see `pricedAsServed`). */
export type DecisionCost = (example: OutcomeExample, model: string) => number;

/**
 * What the served router expects a call to cost, before it is made, learned from `examples`: the served
 * router prices a request by its input tokens (the text and the conversation before it, estimated) at the
 * model's input price plus the model's usual answer at its output price (`pricedCandidates`), a line in the
 * input tokens. Per model, the least-squares line of the recorded cost on the estimated input tokens (slope
 * at least 0; a model whose cost does not vary with them gets its mean) stands in for those prices, which
 * training does not know. The calibration weighs choices by it, so a knob calibrated at training time
 * means what it will mean when served; the recorded cost also knew how long each answer turned out, which
 * no decision can. (Tuning's scores keep the recorded costs: priced this way too, they chose other settings
 * no better on the whole, and one learning-curve run behind the baseline; docs/benchmarks.md.)
 */
export function pricedAsServed(models: readonly string[], examples: readonly OutcomeExample[]): DecisionCost {
  const tokens = new Map<OutcomeExample, number>();
  const tokensOf = (e: OutcomeExample) => {
    let t = tokens.get(e);
    if (t === undefined) tokens.set(e, (t = inputTokensOf(e.text, e.context)));
    return t;
  };
  const lines = new Map<string, { slope: number; intercept: number }>();
  for (const m of models) {
    const rows = examples.filter((e) => e.outcomes[m]?.costUsd !== undefined);
    const n = rows.length;
    if (n === 0) continue;
    let sx = 0;
    let sy = 0;
    for (const e of rows) {
      sx += tokensOf(e);
      sy += e.outcomes[m].costUsd as number;
    }
    const mx = sx / n;
    const my = sy / n;
    let sxy = 0;
    let sxx = 0;
    for (const e of rows) {
      const dx = tokensOf(e) - mx;
      sxy += dx * ((e.outcomes[m].costUsd as number) - my);
      sxx += dx * dx;
    }
    const slope = sxx > 0 ? Math.max(0, sxy / sxx) : 0;
    lines.set(m, { slope, intercept: my - slope * mx });
  }
  return (e, m) => {
    const line = lines.get(m);
    if (!line) return e.outcomes[m]?.costUsd ?? 0;
    return Math.max(0, line.intercept + line.slope * tokensOf(e));
  };
}

/**
 * The router's curve on examples with full outcomes, from its predictions for them: each prompt paid with its
 * recorded costs (a model's mean where a cost is missing) and scored with its recorded scores. The choices
 * weigh `decisionCost` (what the router would expect before the call, as served: `pricedAsServed`), or the
 * recorded costs themselves when it is not given, which knows each answer's length before it is written.
 */
export function heldOutCurve(
  models: readonly string[],
  examples: readonly OutcomeExample[],
  predictions: ReadonlyArray<ArrayLike<number>>,
  meanCostUsd: Record<string, number>,
  decisionCost?: DecisionCost,
): SweepPoint[] {
  const cost = (e: OutcomeExample, m: string) => e.outcomes[m]?.costUsd ?? meanCostUsd[m] ?? 0;
  const expected = decisionCost ?? cost;
  return sweepCostWeights(
    examples.map((e, i) => ({ quality: predictions[i], costUsd: models.map((m) => expected(e, m)) })),
    (r, k) => ({ score: examples[r].outcomes[models[k]].score, costUsd: cost(examples[r], models[k]) }),
    () => ({ score: 0, costUsd: 0 }),
  );
}

function servedWeight(points: ReadonlyArray<{ costWeight: number }>, i: number): number {
  const next = points[i + 1];
  return next ? (points[i].costWeight + next.costWeight) / 2 : points[i].costWeight + 1;
}

/**
 * The knob mix serving `target` on `calibration`: the cheapest mix reaching `quality` × the named model's
 * quality on the cut, or the best mix costing at most `maxCostPerRequestUsd`. When the cut never met the
 * target, the nearest vertex (the best one, or the cheapest) with `reached: false`. Throws when the target
 * names a model the router was not calibrated with.
 */
export function resolveLearnedTarget(calibration: RouterCalibration, target: LearnedTarget): ResolvedTarget {
  const { hull } = calibration;
  if (hull.length === 0) throw new Error('the calibration has no curve');
  if ('of' in target) {
    const of = calibration.models[target.of];
    if (!of)
      throw new Error(
        `target.of: "${target.of}" is not one of the router's models (${Object.keys(calibration.models).join(', ')})`,
      );
    const mix = hullMixForQuality(hull, target.quality * of.quality);
    return mix ? resolved(mix, true) : vertex(hull[hull.length - 1]);
  }
  const mix = hullMixForCost(hull, target.maxCostPerRequestUsd);
  return mix ? resolved(mix, true) : vertex(hull[0]);
}

type Vertex = RouterCalibration['hull'][number];

function resolved(
  mix: { low: Vertex; high: Vertex; share: number; quality: number; costUsd: number },
  reached: boolean,
): ResolvedTarget {
  return {
    lowWeight: mix.low.costWeight ?? 0,
    highWeight: mix.high.costWeight ?? 0,
    ...(mix.low.model === undefined ? {} : { lowModel: mix.low.model }),
    ...(mix.high.model === undefined ? {} : { highModel: mix.high.model }),
    share: mix.share,
    expectedQuality: mix.quality,
    expectedCostUsd: mix.costUsd,
    reached,
  };
}

function vertex(v: Vertex): ResolvedTarget {
  return { ...resolved({ low: v, high: v, share: 1, quality: v.quality, costUsd: v.costUsd }, false) };
}

/**
 * What a mix serves for one prompt: the low side for a `share` of prompts, picked by a hash of the text, so
 * the same prompt always gets the same setting (the policy stays deterministic: a logged decision's
 * propensity is still 1) and offline replays serve what production serves. A side is a cost weight, or a
 * model every request of that side goes to.
 */
export function mixedSetting(mix: KnobMix, text: string): { costWeight: number } | { model: string } {
  const low = mix.share >= 1 || (mix.share > 0 && textHashUnit(text) < mix.share);
  const model = low ? mix.lowModel : mix.highModel;
  return model !== undefined ? { model } : { costWeight: low ? mix.lowWeight : mix.highWeight };
}

/**
 * What a target's mix hashes to pick a side for a request: its routed text, and the conversation before it
 * for a router that reads it (`contextText`), so the same follow-up ("and why?") after different questions
 * spreads over both sides as different prompts do. Without context, the text alone, as before.
 */
export function mixKey(text: string, context?: string): string {
  return context ? `${text}\u0000${context}` : text;
}

/** FNV-1a of the text's UTF-16 units, as a number in [0, 1). */
export function textHashUnit(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // FNV's low bits mix poorly for short keys: one more avalanche round.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}
