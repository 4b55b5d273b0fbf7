import {
  choiceSegments,
  hullMixForCost,
  hullMixForQuality,
  prepareSweep,
  sumSweep,
  sweepCostWeights,
  upperHull,
} from './cost-curve';
import { byCostWeight } from './learned-router';
import { mulberry32 } from './sparse-linear-model';

describe('choiceSegments', () => {
  it('moves from the best predicted candidate to cheaper ones at the weights where their lines cross', () => {
    // slopes (cost / dearest) 1, 0.2, 0.1: 0 -> 1 at (0.9-0.8)/0.8, 1 -> 2 at (0.8-0.5)/0.1.
    expect(choiceSegments({ quality: [0.9, 0.8, 0.5], costUsd: [10, 2, 1] })).toEqual([
      { fromWeight: 0, choice: 0 },
      { fromWeight: expect.closeTo(0.125, 12), choice: 1 },
      { fromWeight: expect.closeTo(3, 12), choice: 2 },
    ]);
  });

  it('never leaves a candidate that is both better and cheaper, and is empty without candidates', () => {
    expect(choiceSegments({ quality: [0.4, 0.9], costUsd: [5, 1] })).toEqual([{ fromWeight: 0, choice: 1 }]);
    expect(choiceSegments({ quality: [], costUsd: [] })).toEqual([]);
  });

  it('agrees with the router’s own choice at every weight between and beyond the switches', () => {
    const rand = mulberry32(7);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(rand() * 6);
      const quality = Array.from({ length: n }, () => Math.round(rand() * 20) / 20);
      const costUsd = Array.from({ length: n }, () => Math.round(rand() * 10) / 1000);
      const segments = choiceSegments({ quality, costUsd });
      const scored = quality.map((q, k) => ({ model: String(k), quality: q, costUsd: costUsd[k] }));
      for (let s = 0; s < segments.length; s++) {
        const end = s + 1 < segments.length ? segments[s + 1].fromWeight : segments[s].fromWeight + 5;
        // Three lines crossing at one weight leave float-noise slivers between them: nothing to compare there.
        if (end - segments[s].fromWeight < 1e-9) continue;
        const w = (segments[s].fromWeight + end) / 2;
        expect(byCostWeight(scored, w)?.model).toBe(String(segments[s].choice));
      }
    }
  });
});

describe('sweepCostWeights', () => {
  it('gives the mean outcome from each weight where a choice changes', () => {
    const rows = [
      { quality: [0.9, 0.5], costUsd: [10, 1] }, // switches at 0.4 / 0.9
      { quality: [0.9, 0.85], costUsd: [10, 5] }, // switches at 0.05 / 0.5 = 0.1
    ];
    const recorded = [
      [
        { score: 1, costUsd: 10 },
        { score: 0, costUsd: 1 },
      ],
      [
        { score: 1, costUsd: 10 },
        { score: 1, costUsd: 5 },
      ],
    ];
    const points = sweepCostWeights(
      rows,
      (r, k) => recorded[r][k],
      () => ({ score: 0, costUsd: 0 }),
    );
    expect(points.map((p) => p.costWeight)).toEqual([0, expect.closeTo(0.1, 12), expect.closeTo(0.4 / 0.9, 12)]);
    expect(points.map((p) => [p.quality, p.costUsd])).toEqual([
      [1, 10],
      [1, 7.5],
      [0.5, 3],
    ]);
  });

  it('with row weights, sums as if each row appeared that many times (0: not at all)', () => {
    const rand = mulberry32(11);
    for (let trial = 0; trial < 50; trial++) {
      const rows = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => ({
        quality: [rand(), rand(), rand()],
        costUsd: [10, 3, 1],
      }));
      const recorded = rows.map(() => [0, 1, 2].map((k) => ({ score: Math.round(rand()), costUsd: [10, 3, 1][k] })));
      const weights = rows.map((_, r) => (r === 0 ? 1 : Math.floor(rand() * 3)));
      const repeated = rows.flatMap((_, r) => Array.from({ length: weights[r] }, () => r));
      const expected = sweepCostWeights(
        repeated.map((r) => rows[r]),
        (i, k) => recorded[repeated[i]][k],
        () => ({ score: 0, costUsd: 0 }),
      );
      const weighted = sumSweep(
        prepareSweep(
          rows,
          (r, k) => recorded[r][k],
          () => ({ score: 0, costUsd: 0 }),
        ),
        weights,
      );
      // The weighted sweep keeps a point where only weight-0 rows change; the repeated rows' curve has none there.
      const at = (w: number) => weighted.filter((p) => p.costWeight <= w).pop();
      for (const p of expected) {
        expect(at(p.costWeight)?.quality).toBeCloseTo(p.quality, 12);
        expect(at(p.costWeight)?.costUsd).toBeCloseTo(p.costUsd, 12);
      }
      for (const p of weighted) {
        const e = expected.filter((q) => q.costWeight <= p.costWeight).pop();
        expect(p.quality).toBeCloseTo(e?.quality ?? NaN, 12);
      }
    }
  });

  it('is empty when every row weighs 0', () => {
    const prepared = prepareSweep(
      [{ quality: [0.9, 0.5], costUsd: [10, 1] }],
      () => ({ score: 1, costUsd: 1 }),
      () => ({ score: 0, costUsd: 0 }),
    );
    expect(sumSweep(prepared, [0])).toEqual([]);
    expect(sumSweep(prepared)).toHaveLength(2);
  });

  it('charges a row without candidates its fallback at every weight', () => {
    const points = sweepCostWeights(
      [{ quality: [], costUsd: [] }],
      () => ({ score: 9, costUsd: 9 }),
      () => ({ score: 0.5, costUsd: 2 }),
    );
    expect(points).toEqual([{ costWeight: 0, quality: 0.5, costUsd: 2 }]);
  });
});

describe('upperHull and the mixes on it', () => {
  const points = [
    { costUsd: 1, quality: 0.5 },
    { costUsd: 2, quality: 0.6 },
    { costUsd: 2.5, quality: 0.7 },
    { costUsd: 3, quality: 0.9 },
    { costUsd: 4, quality: 0.95 },
    { costUsd: 5, quality: 0.9 },
    { costUsd: 1, quality: 0.4 },
  ];
  const hull = upperHull(points);

  it('keeps the concave frontier from the cheapest to the best', () => {
    expect(hull).toEqual([
      { costUsd: 1, quality: 0.5 },
      { costUsd: 3, quality: 0.9 },
      { costUsd: 4, quality: 0.95 },
    ]);
  });

  it('drops a point on a segment, and keeps a lone point', () => {
    expect(
      upperHull([
        { costUsd: 0, quality: 0 },
        { costUsd: 1, quality: 1 },
        { costUsd: 2, quality: 2 },
      ]),
    ).toEqual([
      { costUsd: 0, quality: 0 },
      { costUsd: 2, quality: 2 },
    ]);
    expect(upperHull([{ costUsd: 1, quality: 1 }])).toEqual([{ costUsd: 1, quality: 1 }]);
  });

  it('mixes the two ends of a segment to reach a quality at the least cost', () => {
    const mix = hullMixForQuality(hull, 0.7);
    expect(mix).toMatchObject({ low: hull[0], high: hull[1], costUsd: expect.closeTo(2, 12) });
    expect(mix?.share).toBeCloseTo(0.5, 12);
    expect(hullMixForQuality(hull, 0.3)).toMatchObject({ low: hull[0], high: hull[0], share: 1, costUsd: 1 });
    expect(hullMixForQuality(hull, 0.96)).toBeUndefined();
  });

  it('mixes to the best quality within a cost', () => {
    const mix = hullMixForCost(hull, 3.5);
    expect(mix?.quality).toBeCloseTo(0.925, 12);
    expect(mix?.share).toBeCloseTo(0.5, 12);
    expect(hullMixForCost(hull, 10)).toMatchObject({ low: hull[2], share: 1, quality: 0.95 });
    expect(hullMixForCost(hull, 0.5)).toBeUndefined();
  });
});
