import {
  type RouterCalibration,
  calibrate,
  heldOutCurve,
  mixKey,
  mixedSetting,
  pricedAsServed,
  resolveLearnedTarget,
  textHashUnit,
} from './calibration';
import type { OutcomeExample } from './learned-router';

const calibration: RouterCalibration = {
  validationExamples: 100,
  models: { cheap: { quality: 0.5, costUsd: 1 }, big: { quality: 0.8, costUsd: 10 } },
  bestModel: 'big',
  hull: [
    { costWeight: 3, quality: 0.5, costUsd: 1 },
    { costWeight: 0.5, quality: 0.78, costUsd: 3 },
    { costWeight: 0.05, quality: 0.84, costUsd: 8 },
  ],
};

describe(resolveLearnedTarget.name, () => {
  it('serves a share of a model’s quality with the cheapest mix of two settings (hand-computed)', () => {
    // 95% of 0.8 = 0.76: 1/14 of the way... from (1, 0.5) to (3, 0.78): t = 0.26/0.28.
    const r = resolveLearnedTarget(calibration, { quality: 0.95, of: 'big' });
    expect(r).toMatchObject({ lowWeight: 3, highWeight: 0.5, reached: true });
    expect(r.share).toBeCloseTo(1 - 0.26 / 0.28, 12);
    expect(r.expectedQuality).toBeCloseTo(0.76, 12);
    expect(r.expectedCostUsd).toBeCloseTo(1 + 2 * (0.26 / 0.28), 12);
  });

  it('serves a vertex alone when the target lands on it, and the best one when it is out of reach', () => {
    expect(resolveLearnedTarget(calibration, { maxCostPerRequestUsd: 3 })).toMatchObject({
      lowWeight: 0.5,
      highWeight: 0.5,
      share: 1,
      expectedQuality: 0.78,
      reached: true,
    });
    expect(resolveLearnedTarget(calibration, { quality: 1.1, of: 'big' })).toMatchObject({
      lowWeight: 0.05,
      highWeight: 0.05,
      reached: false,
    });
  });

  it('serves the best mix within a cost per request, or the cheapest setting when none fits', () => {
    const r = resolveLearnedTarget(calibration, { maxCostPerRequestUsd: 5.5 });
    expect(r).toMatchObject({ lowWeight: 0.5, highWeight: 0.05, reached: true });
    expect(r.share).toBeCloseTo(0.5, 12);
    expect(r.expectedQuality).toBeCloseTo(0.81, 12);
    expect(resolveLearnedTarget(calibration, { maxCostPerRequestUsd: 0.5 })).toMatchObject({
      lowWeight: 3,
      reached: false,
    });
  });

  it('names a model served alone when the hull passes through it', () => {
    const withModel: RouterCalibration = {
      ...calibration,
      hull: [{ model: 'cheap', quality: 0.5, costUsd: 1 }, ...calibration.hull.slice(1)],
    };
    expect(resolveLearnedTarget(withModel, { quality: 0.95, of: 'big' })).toMatchObject({
      lowModel: 'cheap',
      highWeight: 0.5,
      reached: true,
    });
  });

  it('refuses a target naming a model the router does not know, listing those it does', () => {
    expect(() => resolveLearnedTarget(calibration, { quality: 1, of: 'gpt-9' })).toThrow(
      'target.of: "gpt-9" is not one of the router\'s models (cheap, big)',
    );
  });
});

describe(mixedSetting.name, () => {
  it('sends about the share of prompts to the low setting, the same prompt always the same way', () => {
    const mix = { lowWeight: 2, highWeight: 0.1, share: 0.3 };
    const texts = Array.from({ length: 4000 }, (_, i) => `question ${i}: what is ${i * 7} times three?`);
    const low = texts.filter((t) => (mixedSetting(mix, t) as { costWeight: number }).costWeight === 2).length;
    expect(low / texts.length).toBeGreaterThan(0.27);
    expect(low / texts.length).toBeLessThan(0.33);
    expect(texts.every((t) => JSON.stringify(mixedSetting(mix, t)) === JSON.stringify(mixedSetting(mix, t)))).toBe(
      true,
    );
    expect(mixedSetting({ ...mix, share: 1 }, texts[0])).toEqual({ costWeight: 2 });
    expect(mixedSetting({ ...mix, share: 0 }, texts[0])).toEqual({ costWeight: 0.1 });
  });

  it('sends a side that is a model alone to that model', () => {
    const mix = { lowWeight: 0, highWeight: 0.5, lowModel: 'cheap', share: 0.5 };
    const settings = Array.from({ length: 400 }, (_, i) => mixedSetting(mix, `prompt ${i}`));
    expect(settings.filter((s) => 'model' in s && s.model === 'cheap').length).toBeGreaterThan(150);
    expect(settings.filter((s) => 'costWeight' in s && s.costWeight === 0.5).length).toBeGreaterThan(150);
  });

  it('hashes into [0, 1)', () => {
    for (const t of ['', 'a', '中文', 'x'.repeat(5000)]) {
      expect(textHashUnit(t)).toBeGreaterThanOrEqual(0);
      expect(textHashUnit(t)).toBeLessThan(1);
    }
  });
});

describe(calibrate.name, () => {
  it('traces the held-out curve with the recorded outcomes and keeps its hull, served inside each interval', () => {
    // Prompt 1: cheap is right, and predicted close; prompt 2: only big is right, predicted far apart.
    const examples = [
      { text: 'a', outcomes: { cheap: { score: 1, costUsd: 1 }, big: { score: 1, costUsd: 10 } } },
      { text: 'b', outcomes: { cheap: { score: 0, costUsd: 1 }, big: { score: 1, costUsd: 10 } } },
    ];
    const c = calibrate(
      ['cheap', 'big'],
      examples,
      [
        [0.8, 0.9],
        [0.1, 0.9],
      ],
      { cheap: 1, big: 10 },
    );
    expect(c.models).toEqual({ cheap: { quality: 0.5, costUsd: 1 }, big: { quality: 1, costUsd: 10 } });
    expect(c.bestModel).toBe('big');
    // Switches (slopes 0.1 and 1): prompt 1 at 0.1/0.9, prompt 2 at 0.8/0.9.
    expect(c.hull.map((p) => [p.quality, p.costUsd])).toEqual([
      [0.5, 1],
      [1, 5.5],
    ]);
    expect(c.hull[1].costWeight).toBeCloseTo((0.1 / 0.9 + 0.8 / 0.9) / 2, 12);
    expect(c.hull[0].costWeight).toBeCloseTo(0.8 / 0.9 + 1, 12);
  });
});

describe(mixKey.name, () => {
  it('is the text alone without context, and tells the same text after different contexts apart', () => {
    expect(mixKey('and why?')).toBe('and why?');
    expect(mixKey('and why?', '')).toBe('and why?');
    expect(mixKey('and why?', 'what is 2 plus 2')).not.toBe(mixKey('and why?', 'prove it by induction'));
    expect(mixKey('and why?', 'what is 2 plus 2')).not.toBe('and why?');
  });
});

describe(pricedAsServed.name, () => {
  // estimateTokens: one token per four characters (no Han here), rounded up.
  const example = (chars: number, costs: Record<string, number>, context?: string): OutcomeExample => ({
    text: 'x'.repeat(chars),
    ...(context === undefined ? {} : { context }),
    outcomes: Object.fromEntries(Object.entries(costs).map(([m, costUsd]) => [m, { score: 1, costUsd }])),
  });

  it('recovers a price per input token and the usual answer’s cost from costs that follow them', () => {
    // big: $2 per token in and $500 of answer on average; flat: the same cost whatever the length.
    // The answers' lengths vary (±30 around 500) but not with the input, as answers do.
    const rows = [40, 40, 4000, 4000].map((chars, i) =>
      example(chars, { big: 2 * (chars / 4) + 500 + (i % 2 ? -30 : 30), flat: 7 }),
    );
    const cost = pricedAsServed(['big', 'flat'], rows);
    expect(cost(example(800, {}), 'big')).toBeCloseTo(2 * 200 + 500, 9);
    expect(cost(example(800, {}), 'flat')).toBe(7);
    // The context is paid for too, as the served router counts it.
    expect(cost(example(800, {}, 'y'.repeat(400)), 'big') - cost(example(800, {}), 'big')).toBeCloseTo(200, 6);
  });

  it('gives a model whose cost falls with length its mean, and never a cost below 0', () => {
    const rows = [example(40, { odd: 9 }), example(4000, { odd: 1 })];
    const cost = pricedAsServed(['odd'], rows);
    expect(cost(example(40, {}), 'odd')).toBe(5);
    expect(cost(example(40_000, {}), 'odd')).toBe(5);
  });
});

describe('heldOutCurve with the costs a decision expects', () => {
  // One prompt, two models: "long" recorded a long (dear) answer on it, which no decision could know.
  const examples: OutcomeExample[] = [
    { text: 'q', outcomes: { short: { score: 0, costUsd: 1 }, long: { score: 1, costUsd: 9 } } },
  ];
  const predictions = [Float64Array.of(0.2, 0.8)];

  it('chooses by the expected cost and pays the recorded one', () => {
    const expected = () => 1; // both expected to cost the same: the better one wins at every weight
    const curve = heldOutCurve(['short', 'long'], examples, predictions, {}, expected);
    expect(curve).toEqual([{ costWeight: 0, quality: 1, costUsd: 9 }]);
    // By the recorded costs the cheap model takes over once a weight makes 8 of cost worth 0.6 of quality.
    expect(heldOutCurve(['short', 'long'], examples, predictions, {})).toHaveLength(2);
  });
});
