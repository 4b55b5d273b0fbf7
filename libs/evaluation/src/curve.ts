import { type CostQuality, hullApgr, hullMixForQuality, upperHull } from '@switchyard/routing';

/** A point of a quality-versus-cost curve: one setting of a router's knob. */
export type CurvePoint = CostQuality;

/**
 * Average performance gap recovered (RouteLLM's APGR, taken over cost): with cost normalised so the
 * cheapest single model is 0 and the best single model is 1, and quality as the share of the gap between
 * them recovered (PGR), the mean PGR over the cost range. The curve at a cost is its upper convex hull there
 * (the best a router can serve for that cost, randomising between two of its settings when the cost falls
 * between them), the cheapest model's quality below the hull's cheapest point. Mixing the two models at
 * random recovers 0.5; routing that matches the best model at almost no cost recovers about 1; above the
 * best model, more than 1.
 */
export function apgr(curve: readonly CurvePoint[], cheapest: CurvePoint, best: CurvePoint, steps = 1000): number {
  return hullApgr(curve, cheapest, best, steps);
}

/** The lowest cost at which the curve's hull reaches `quality` (mixing two settings); undefined when it never does. */
export function costToReach(curve: readonly CurvePoint[], quality: number): number | undefined {
  return hullMixForQuality(upperHull(curve), quality)?.costUsd;
}
