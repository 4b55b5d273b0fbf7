/** A point of a quality-versus-cost curve: one setting of a router's knob. */
export interface CurvePoint {
  costUsd: number;
  quality: number;
}

/**
 * Average performance gap recovered (RouteLLM's APGR, taken over cost): with cost normalised so the
 * cheapest single model is 0 and the best single model is 1, and quality as the share of the gap between
 * them recovered (PGR), the mean PGR over the cost range. The curve at a cost is the best quality any of its
 * points reaches at or below that cost (a setting you could actually run), the cheapest model's where none
 * does. Mixing the two models at random recovers 0.5; routing that matches the best model at almost no
 * cost recovers about 1; above the best model, more than 1.
 */
export function apgr(curve: readonly CurvePoint[], cheapest: CurvePoint, best: CurvePoint, steps = 1000): number {
  const gap = best.quality - cheapest.quality;
  const span = best.costUsd - cheapest.costUsd;
  if (gap <= 0 || span <= 0)
    throw new Error('APGR needs a best model that is both better and dearer than the cheapest');
  const points = [...curve].sort((a, b) => a.costUsd - b.costUsd);
  let total = 0;
  for (let i = 0; i < steps; i++) {
    const cost = cheapest.costUsd + ((i + 0.5) / steps) * span;
    let quality = cheapest.quality;
    for (const p of points) if (p.costUsd <= cost && p.quality > quality) quality = p.quality;
    total += (quality - cheapest.quality) / gap;
  }
  return total / steps;
}

/** The lowest cost at which the curve reaches `quality`; undefined when it never does. */
export function costToReach(curve: readonly CurvePoint[], quality: number): number | undefined {
  let best: number | undefined;
  for (const p of curve) if (p.quality >= quality && (best === undefined || p.costUsd < best)) best = p.costUsd;
  return best;
}
