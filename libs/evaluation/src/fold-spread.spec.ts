import { matchesOrBeats, spreadOverSeeds } from './fold-spread';

describe(spreadOverSeeds.name, () => {
  it('groups a check run at several seeds by fold, in first-seen order, with each figure spread over the seeds', () => {
    const folds = spreadOverSeeds([
      { fold: 'law', seed: 0, learned: { apgr: 0.5, saving95: 0.3 }, baseline: { apgr: 0.4, saving95: 0.2 } },
      { fold: 'math', seed: 0, learned: { apgr: 0.9, saving95: 0.6 }, baseline: { apgr: 1, saving95: 0.7 } },
      { fold: 'law', seed: 1, learned: { apgr: 0.7, saving95: 0.1 }, baseline: { apgr: 0.4, saving95: 0.4 } },
      { fold: 'math', seed: 1, learned: { apgr: 0.9 }, baseline: { apgr: 0.8, saving95: 0.5 } },
    ]);
    expect(folds.map((f) => [f.fold, f.seeds])).toEqual([
      ['law', [0, 1]],
      ['math', [0, 1]],
    ]);
    const [law, math] = folds;
    expect(law.learned.apgr.mean).toBeCloseTo(0.6, 12);
    expect(law.learned.apgr.sd).toBeCloseTo(Math.SQRT2 * 0.1, 12);
    expect(law.learned.apgr).toMatchObject({ n: 2, min: 0.5, max: 0.7 });
    expect(law.baseline.saving95.mean).toBeCloseTo(0.3, 12);
    // A saving one seed never reached is left out of that fold's spread, and its count says so.
    expect(math.learned.saving95).toMatchObject({ n: 1, mean: 0.6, sd: 0 });
    expect(math.learned.saving100.n).toBe(0);
  });
});

describe(matchesOrBeats.name, () => {
  it('compares two figures, the same within rounding, one never reached losing to any reached', () => {
    expect(matchesOrBeats(0.5, 0.5)).toBe(true);
    expect(matchesOrBeats(0.49, 0.5)).toBe(false);
    // The same hull point priced a few ulps apart is a tie, not a loss.
    expect(matchesOrBeats(0.9965894777038792, 0.9965894777038803)).toBe(true);
    expect(matchesOrBeats(0.5 - 1e-6, 0.5)).toBe(false);
    expect(matchesOrBeats(0, undefined)).toBe(true);
    expect(matchesOrBeats(undefined, 0)).toBe(false);
    expect(matchesOrBeats(Number.NaN, 0.1)).toBe(false);
    expect(matchesOrBeats(undefined, undefined)).toBe(true);
  });
});
