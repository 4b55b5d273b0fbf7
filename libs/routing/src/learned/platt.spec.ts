import { IDENTITY_SCALE, applyPlatt, fitPlatt, plattLogLoss } from './platt';

describe('Platt scaling', () => {
  it('maps a probability through σ(a·logit(p) + b); the identity leaves it unchanged', () => {
    expect(applyPlatt(IDENTITY_SCALE, 0.3)).toBeCloseTo(0.3, 12);
    // a = 2, b = 0: logit(0.75) = ln 3, doubled: σ(ln 9) = 0.9.
    expect(applyPlatt({ a: 2, b: 0 }, 0.75)).toBeCloseTo(0.9, 12);
    // a = 1, b = ln 2: odds doubled, 0.5 → 2/3.
    expect(applyPlatt({ a: 1, b: Math.log(2) }, 0.5)).toBeCloseTo(2 / 3, 12);
  });

  it('undoes a known distortion: predictions whose odds are squared are mapped back', () => {
    // True probabilities t; the model reports σ(2·logit(t)) (overconfident). Outcomes are t itself (soft
    // labels), so the best scale is a = 1/2, b = 0.
    const truth = Array.from({ length: 400 }, (_, i) => 0.05 + (0.9 * i) / 399);
    const reported = truth.map((t) => applyPlatt({ a: 2, b: 0 }, t));
    const scale = fitPlatt(reported, truth, { ridge: 0 });
    expect(scale.a).toBeCloseTo(0.5, 3);
    expect(scale.b).toBeCloseTo(0, 3);
    expect(
      plattLogLoss(
        reported.map((p) => applyPlatt(scale, p)),
        truth,
      ),
    ).toBeLessThan(plattLogLoss(reported, truth));
  });

  it('learns a shift: predictions one unit high in log-odds, on 0/1 outcomes', () => {
    // Outcomes drawn deterministically at rate t; predictions report σ(logit(t) + 1).
    const preds: number[] = [];
    const outcomes: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = 0.1 + (0.8 * ((i * 7919) % 2000)) / 2000;
      preds.push(applyPlatt({ a: 1, b: 1 }, t));
      // Low-discrepancy 0/1 outcomes at rate t.
      outcomes.push((i * 0.6180339887) % 1 < t ? 1 : 0);
    }
    const scale = fitPlatt(preds, outcomes);
    expect(scale.b).toBeLessThan(-0.5);
    expect(
      plattLogLoss(
        preds.map((p) => applyPlatt(scale, p)),
        outcomes,
      ),
    ).toBeLessThan(plattLogLoss(preds, outcomes));
  });

  it('keeps the identity with too few pairs, and when no scale beats it', () => {
    expect(fitPlatt([0.2, 0.8], [0, 1])).toEqual(IDENTITY_SCALE);
    // Already calibrated soft labels: the fit cannot beat the identity by more than rounding, so it keeps it
    // or lands next to it.
    const p = Array.from({ length: 200 }, (_, i) => 0.01 + (0.98 * i) / 199);
    const scale = fitPlatt(p, p);
    expect(scale.a).toBeCloseTo(1, 6);
    expect(scale.b).toBeCloseTo(0, 6);
  });

  it('refuses mismatched lengths', () => {
    expect(() => fitPlatt([0.5], [1, 0])).toThrow(/1 predictions but 2 outcomes/);
  });
});
