import { type ArmSample, canaryVerdict } from './canary-verdict';

/** An arm with 0/1 quality labels at rate `quality` and costs of mean `cost`, standard deviation `cost / 4`. */
function arm(requests: number, labelled: number, quality: number, cost: number): ArmSample {
  const good = Math.round(quality * labelled);
  return {
    requests,
    costUsdSum: cost * requests,
    costUsdSq: requests * (cost * cost + (cost / 4) ** 2),
    labelled,
    qualitySum: good,
    qualitySq: good,
  };
}

const settings = {
  minRequests: 500,
  minLabels: 200,
  margin: 0.05,
  costWeight: 0.2,
  costScale: 0.02,
  maxRequests: 5000,
};
const control = arm(4000, 2000, 0.7, 0.004);

describe(canaryVerdict.name, () => {
  it('rolls back a clearly worse candidate as soon as it has enough labels, before minRequests', () => {
    const sut = canaryVerdict(control, arm(300, 300, 0.5, 0.004), settings);
    expect(sut.verdict).toBe('rollback');
    expect(sut.difference.quality).toBeCloseTo(-0.2, 12);
    expect(sut.difference.utility).toBeCloseTo(-0.2, 12);
    expect(sut.difference.utilityCi95[1]).toBeLessThan(0);
    expect(sut.reason).toMatch(
      /^clearly worse: utility -0\.200, CI95 \[-0\.\d{3}, -0\.\d{3}\]; candidate 300 requests, 300 labels/,
    );
    expect(sut.control).toEqual({
      requests: 4000,
      labelled: 2000,
      quality: expect.closeTo(0.7, 12),
      costUsd: expect.closeTo(0.004, 12),
      utility: expect.closeTo(0.66, 12),
    });
  });

  it('waits on a worse-looking candidate with too few labels', () => {
    expect(canaryVerdict(control, arm(150, 150, 0.5, 0.004), settings)).toMatchObject({
      verdict: 'wait',
      reason: expect.stringMatching(/^waiting \(150\/500 requests, 150\/200 labels\)/),
    });
  });

  it('promotes an equally good candidate once it has minRequests, and waits before', () => {
    const sut = canaryVerdict(control, arm(800, 800, 0.7, 0.004), settings);
    expect(sut.verdict).toBe('promote');
    expect(sut.difference.utility).toBeCloseTo(0, 12);
    // Welch, with sample variances (n − 1): each arm's s²/n is p(1 − p)/(n − 1) for quality, sd²/(n − 1) for cost.
    const half = 1.96 * Math.sqrt(0.21 / 1999 + 0.21 / 799 + (0.2 / 0.02) ** 2 * (1e-6 / 3999 + 1e-6 / 799));
    expect(sut.difference.utilityCi95[0]).toBeCloseTo(-half, 6);
    expect(sut.difference.utilityCi95[1]).toBeCloseTo(half, 6);
    expect(sut.reason).toMatch(/^not worse beyond margin 0.05: utility [+-]0\.000/);
    const early = canaryVerdict(control, { ...arm(800, 800, 0.7, 0.004), requests: 400 }, settings);
    expect(early.verdict).toBe('wait');
    expect(early.reason).toMatch(/^waiting \(400\/500 requests\)/);
  });

  it('waits on a small sample', () => {
    const sut = canaryVerdict(control, arm(50, 20, 0.6, 0.004), settings);
    expect(sut.verdict).toBe('wait');
    expect(sut.reason).toMatch(/^waiting \(50\/500 requests, 20\/200 labels\)/);
  });

  it('promotes a cheaper, equally good candidate, crediting the saving', () => {
    const sut = canaryVerdict(control, arm(600, 400, 0.7, 0.001), settings);
    expect(sut.verdict).toBe('promote');
    expect(sut.difference.costUsd).toBeCloseTo(-0.003, 12);
    // 0.2 × 0.003 / 0.02.
    expect(sut.difference.utility).toBeCloseTo(0.03, 12);
    expect(sut.candidate.utility).toBeCloseTo(0.69, 12);
  });

  it('rolls back an undecided candidate at maxRequests, and waits before', () => {
    // 0.66 vs 0.70 on 250 labels: neither clearly worse nor shown within the margin.
    const undecided = arm(5000, 250, 0.66, 0.004);
    const sut = canaryVerdict(control, undecided, settings);
    expect(sut.difference.utilityCi95[0]).toBeLessThan(-settings.margin);
    expect(sut.difference.utilityCi95[1]).toBeGreaterThan(0);
    expect(sut.verdict).toBe('rollback');
    expect(sut.reason).toMatch(/^not shown to be as good after 5000 requests \(maxRequests 5000\): utility -0\.040/);
    const before = canaryVerdict(control, { ...undecided, requests: 4000 }, settings);
    expect(before.verdict).toBe('wait');
    expect(before.reason).toMatch(/^waiting \(lower bound -0\.\d{3} <= -margin 0.05\)/);
  });

  it('decides nothing on an arm without two labels, and refuses a cost scale that is not positive', () => {
    const sut = canaryVerdict(arm(4000, 1, 0.7, 0.004), arm(1000, 1000, 0.2, 0.004), settings);
    expect(sut.verdict).toBe('wait');
    expect(sut.difference.utilityCi95).toEqual([-Infinity, Infinity]);
    expect(() => canaryVerdict(control, control, { ...settings, costScale: 0 })).toThrow(/costScale must be positive/);
  });
});
