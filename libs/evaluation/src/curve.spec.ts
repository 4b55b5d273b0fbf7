import { apgr, costToReach } from './curve';

const cheapest = { costUsd: 0, quality: 0.5 };
const best = { costUsd: 1, quality: 0.7 };

describe(apgr.name, () => {
  it('is about 0.5 for a straight line of settings from the cheapest to the best model', () => {
    const line = Array.from({ length: 101 }, (_, i) => ({ costUsd: i / 100, quality: 0.5 + 0.2 * (i / 100) }));
    expect(apgr(line, cheapest, best)).toBeCloseTo(0.5, 2);
  });
  it('is 1 when the best quality is reached at no cost, more when the curve passes it', () => {
    expect(apgr([{ costUsd: 0, quality: 0.7 }], cheapest, best)).toBeCloseTo(1, 6);
    expect(apgr([{ costUsd: 0, quality: 0.8 }], cheapest, best)).toBeCloseTo(1.5, 6);
  });
  it('counts a setting only from its own cost on (hand-computed: half the range at PGR 0, half at 1)', () => {
    expect(apgr([{ costUsd: 0.5, quality: 0.7 }], cheapest, best)).toBeCloseTo(0.5, 2);
  });
  it('counts what mixing two settings reaches between them (the hull), not only each setting', () => {
    // Settings at the cheapest model and at (0.5, 0.7): their mix is the line between, PGR = cost / 0.5 up to 0.5.
    const two = [cheapest, { costUsd: 0.5, quality: 0.7 }];
    expect(apgr(two, cheapest, best)).toBeCloseTo(0.75, 2);
  });
  it('refuses a best model that is not better than the cheapest', () => {
    expect(() => apgr([], cheapest, { costUsd: 1, quality: 0.5 })).toThrow(/better and dearer/);
  });
});

describe(costToReach.name, () => {
  it('reads the cost off the hull, mixing the two settings around the quality', () => {
    const curve = [
      { costUsd: 0.3, quality: 0.69 },
      { costUsd: 0.5, quality: 0.71 },
      { costUsd: 0.4, quality: 0.72 },
    ];
    // A third of the way from (0.3, 0.69) to (0.4, 0.72): the point at 0.5 lies under the hull.
    expect(costToReach(curve, 0.7)).toBeCloseTo(0.3 + 0.1 / 3, 12);
    expect(costToReach(curve, 0.72)).toBeCloseTo(0.4, 12);
    expect(costToReach(curve, 0.9)).toBeUndefined();
  });
});
