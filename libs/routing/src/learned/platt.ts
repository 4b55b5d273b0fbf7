/**
 * Platt scaling: a predicted probability p is mapped to σ(a·logit(p) + b), with a and b fitted on held-out
 * predictions by minimising the log loss against the observed outcomes (scores in [0, 1]). The learned
 * router fits one scale over every model's predictions: it corrects the quality model's over- or
 * under-confidence, which matters because the cost-aware knob weighs predicted quality against price.
 */
export interface PlattScale {
  a: number;
  b: number;
}

export const IDENTITY_SCALE: PlattScale = { a: 1, b: 0 };

const EPS = 1e-6;

function logit(p: number): number {
  const q = Math.min(1 - EPS, Math.max(EPS, p));
  return Math.log(q / (1 - q));
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export function applyPlatt(scale: PlattScale, p: number): number {
  return sigmoid(scale.a * logit(p) + scale.b);
}

/** Mean log loss of probabilities against outcomes in [0, 1] (one output each: what a Platt scale is fitted on). */
export function plattLogLoss(predictions: ArrayLike<number>, outcomes: ArrayLike<number>): number {
  let loss = 0;
  for (let i = 0; i < predictions.length; i++) {
    const p = Math.min(1 - EPS, Math.max(EPS, predictions[i]));
    loss -= outcomes[i] * Math.log(p) + (1 - outcomes[i]) * Math.log(1 - p);
  }
  return loss / Math.max(1, predictions.length);
}

/**
 * The (a, b) minimising the log loss of σ(a·logit(p) + b) on these pairs, by Newton's method with a small
 * ridge towards the identity (so a handful of pairs, or pairs that all agree, cannot send a or b far).
 * Fewer than `minPairs` pairs, or a fit no better than the identity on them, gives the identity.
 */
export function fitPlatt(
  predictions: ArrayLike<number>,
  outcomes: ArrayLike<number>,
  options: { ridge?: number; minPairs?: number; iterations?: number } = {},
): PlattScale {
  const n = predictions.length;
  if (outcomes.length !== n) throw new Error(`fitPlatt: ${n} predictions but ${outcomes.length} outcomes`);
  if (n < (options.minPairs ?? 50)) return IDENTITY_SCALE;
  const ridge = (options.ridge ?? 1) / n;
  const z = Float64Array.from({ length: n }, (_, i) => logit(predictions[i]));
  let a = 1;
  let b = 0;
  for (let it = 0; it < (options.iterations ?? 50); it++) {
    // Gradient and Hessian of the mean loss plus ridge/2 · ((a − 1)² + b²).
    let ga = ridge * (a - 1);
    let gb = ridge * b;
    let haa = ridge;
    let hab = 0;
    let hbb = ridge;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(a * z[i] + b);
      const r = (p - outcomes[i]) / n;
      const w = (p * (1 - p)) / n;
      ga += r * z[i];
      gb += r;
      haa += w * z[i] * z[i];
      hab += w * z[i];
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) < 1e-9 && Math.abs(db) < 1e-9) break;
  }
  if (!Number.isFinite(a) || !Number.isFinite(b)) return IDENTITY_SCALE;
  const fitted = { a, b };
  const scaled = Array.from(predictions, (p) => applyPlatt(fitted, p));
  return plattLogLoss(scaled, outcomes) < plattLogLoss(predictions, outcomes) ? fitted : IDENTITY_SCALE;
}
