import { parseDataset } from '@switchyard/datasets';
import { evaluateStrategies } from './evaluate';
import { reportHtml } from './report-html';

// Two tasks: on "easy" both models are right, on "hard" only the big one. Costs 0.001 and 0.01.
const row = (id: number, task: 'easy' | 'hard') =>
  JSON.stringify({
    id,
    task,
    prompt: task === 'easy' ? `what is ${id} plus one` : `prove lemma ${id} by induction`,
    outcomes: {
      cheap: { score: 1 * Number(task === 'easy'), cost_usd: 0.001, output_tokens: 10 },
      big: { score: 1, cost_usd: 0.01, output_tokens: 20 },
    },
  });
const rows = (from: number, n: number) =>
  parseDataset(Array.from({ length: n }, (_, i) => row(from + i, i % 2 ? 'hard' : 'easy')).join('\n'));

describe(evaluateStrategies.name, () => {
  const result = evaluateStrategies(rows(0, 40), rows(100, 4), { seed: 0, costWeights: [0, 0.5], thresholds: [0.5] });
  const byName = new Map(result.strategies.map((s) => [s.name, s]));

  it('scores the single models and names the best and cheapest (hand-computed)', () => {
    expect(byName.get('cheap')).toMatchObject({ quality: 0.5, costUsd: 0.001, family: 'single' });
    expect(result.bestSingle).toMatchObject({ name: 'big', quality: 1, costUsd: 0.01, qualityVsBest: 1, saving: 0 });
    expect(result.cheapest.name).toBe('cheap');
    // Every prompt is distinct (ids 0-39 against 100-103).
    expect(result.testRowsSeenInTrain).toBe(0);
  });

  it("runs the seed's rule and difficulty routers alone and chained, on a policy made for the data", () => {
    // No keyword of the seed's rules is in these prompts: the rule router sends all to the cheap tier.
    expect(byName.get('seed rule router (keywords; else the cheap tier)')).toMatchObject({
      family: 'seed',
      quality: 0.5,
      costUsd: 0.001,
    });
    expect(byName.get('seed difficulty router (bands)')?.family).toBe('seed');
    expect(byName.get('seed rules + difficulty bands')?.quality).toBe(
      byName.get('seed difficulty router (bands)')?.quality,
    );
  });

  it('marks per-task routing as using the label, and it matches the oracle here', () => {
    const perTask = byName.get('per-task best model')!;
    expect(perTask).toMatchObject({ usesTaskLabel: true, quality: 1 });
    expect(perTask.costUsd).toBeCloseTo(0.0055, 12);
    expect(perTask.saving).toBeCloseTo(0.45, 12);
    expect(byName.get('oracle')).toMatchObject({ quality: 1 });
    expect(result.strategies.filter((s) => s.usesTaskLabel).map((s) => s.name)).toEqual([
      'per-task best model',
      'cost-aware + task hint, cost weight 0',
      'cost-aware + task hint, cost weight 0.5',
    ]);
  });

  it('traces the learned router at every setting and reads APGR and the cost to reach the best off its hull', () => {
    expect(
      result.strategies.filter((s) => s.family === 'learned' && s.name.startsWith('cost-aware, cost weight')),
    ).toHaveLength(2);
    expect(Number.isFinite(result.apgr)).toBe(true);
    // Easy prompts to cheap, hard ones to big: quality 1 at 0.0055 is a vertex of the hull.
    expect(result.costToReach100UsdPerPrompt).toBeCloseTo(0.0055, 12);
    expect(result.learnedCurve?.hull.map((p) => [p.quality, p.costUsd])).toEqual([
      [0.5, expect.closeTo(0.001, 12)],
      [1, expect.closeTo(0.0055, 12)],
    ]);
    // 95% of the best lies on the segment from all-cheap to that vertex: a tenth of the traffic at the first.
    expect(result.costToReach95UsdPerPrompt).toBeCloseTo(0.1 * 0.001 + 0.9 * 0.0055, 12);
    expect(result.marginOverRandomMixing).toBeGreaterThan(0);
    expect(result).toMatchObject({ models: ['big', 'cheap'], trainSize: 40, testSize: 4 });
  });

  it('resolves a target on the router’s calibration and serves the mix on the test part', () => {
    // 250 training rows: enough to tune and calibrate. 100% of the best is a vertex of the held-out hull,
    // served alone; on the test part it routes easy to cheap and hard to big.
    const calibrated = evaluateStrategies(rows(0, 250), rows(1000, 4), { seed: 0, routersOnly: true });
    // 250 rows: tuned on five folds, every row validated once.
    expect(calibrated.training?.tuning).toMatchObject({ folds: 5, validationExamples: 250 });
    // ...and its quality model is one model on every row.
    expect(calibrated.training?.foldModels).toBeUndefined();
    expect(calibrated.validationPick100).toMatchObject({ share: 1, quality: 1, qualityVsBest: 1 });
    expect(calibrated.validationPick100?.saving).toBeCloseTo(0.45, 12);
    // Every test row served as well as by the best model: no resample of them moves the ratio off 1.
    expect(calibrated.validationPick100?.qualityVsBestInterval).toEqual({ low: 1, high: 1 });
    // 95% mixes two settings: what the test part gets is the mix of what each setting gets there.
    const pick = calibrated.validationPick95!;
    expect(pick.share).toBeGreaterThan(0);
    expect(pick.share).toBeLessThan(1);
    // The cheap side: the cheap model alone, or a weight high enough to send everything there.
    expect(pick.lowModel === 'cheap' || pick.lowWeight > pick.highWeight).toBe(true);
    expect(pick.quality).toBeGreaterThanOrEqual(0.9);
    expect(pick.quality).toBeLessThanOrEqual(1);
    expect(pick.costUsd).toBeLessThanOrEqual(0.0055 + 1e-12);
    // No row scores above the best model's (1): the ratio's interval lies within [0, 1].
    const interval = pick.qualityVsBestInterval;
    expect(interval?.low).toBeGreaterThanOrEqual(0);
    expect(interval?.low).toBeLessThanOrEqual(interval?.high ?? NaN);
    expect(interval?.high).toBeLessThanOrEqual(1);
    // Without a bootstrap, no interval.
    const noBootstrap = evaluateStrategies(rows(0, 250), rows(1000, 4), {
      seed: 0,
      routersOnly: true,
      bootstrapResamples: 0,
    });
    expect(noBootstrap.validationPick95).toBeDefined();
    expect(noBootstrap.validationPick95).not.toHaveProperty('qualityVsBestInterval');
    expect(noBootstrap).not.toHaveProperty('versusBaseline');
    // Routers only: no seed rules, cascades or task hint.
    expect(calibrated.strategies.some((s) => s.family === 'seed' || s.family === 'learned+task')).toBe(false);
  });

  it('averages the learned routers’ fold models when told to (an experiment)', () => {
    const averaged = evaluateStrategies(rows(0, 250), rows(1000, 4), { seed: 0, routersOnly: true, averageFolds: 5 });
    expect(averaged.training?.tuning?.folds).toBe(5);
    expect(averaged.training?.foldModels).toBe(5);
  });

  it('leaves the target unresolved on too few rows to calibrate', () => {
    expect(result.validationPick95).toBeUndefined();
  });

  it('says what the learned router read (dimensions, n-grams, word scanner), without its weights', () => {
    expect(result.featurizer).toEqual({ dims: expect.any(Number), charNgrams: [2, 4], words: 'letters' });
  });

  it('runs the per-model logistic-regression baseline on the same split and reads it the same way', () => {
    expect(result.baseline?.training.epochs).toBeGreaterThan(1);
    expect(result.baseline?.costToReach100UsdPerPrompt).toBeCloseTo(0.0055, 12);
    expect(result.baseline?.curve.settings).toBeGreaterThan(1);
  });

  it('traces the router given the task hint as its own curve, with the label marked', () => {
    // The hint alone tells easy from hard here: at weight 0.5 every prompt goes to the right model.
    expect(byName.get('cost-aware + task hint, cost weight 0.5')).toMatchObject({
      family: 'learned+task',
      usesTaskLabel: true,
      quality: 1,
    });
    expect(byName.get('cost-aware + task hint, cost weight 0.5')?.costUsd).toBeCloseTo(0.0055, 12);
    expect(result.withTaskHint?.costToReach100UsdPerPrompt).toBeCloseTo(0.0055, 12);
  });

  it('refuses data with fewer than two models on every row, naming what it found', () => {
    const solo = parseDataset(
      [0, 1, 2]
        .map((i) => JSON.stringify({ id: i, prompt: `p${i}`, outcomes: { solo: { score: 1, cost_usd: 0.1 } } }))
        .join('\n'),
    );
    expect(() => evaluateStrategies(solo.slice(0, 2), solo.slice(2), { seed: 0 })).toThrow(
      'routing needs outcomes of at least two models on every row; only solo has them',
    );
  });

  it('draws every strategy with a cost on the cost-quality plane, and the table', () => {
    const html = reportHtml(result, 'tiny <eval>');
    expect(html).toContain('<title>tiny &lt;eval&gt;</title>');
    expect(html.match(/class="point"/g)).toHaveLength(result.strategies.filter((s) => s.costUsd > 0).length);
    expect(html.match(/<tr><td>/g)).toHaveLength(result.strategies.length);
    expect(html).toContain('<polyline');
    expect(html).not.toContain('class="note"');
  });

  it('counts the test prompts the train part repeats', () => {
    expect(evaluateStrategies(rows(0, 40), rows(2, 3), { seed: 0, costWeights: [0] }).testRowsSeenInTrain).toBe(3);
  });

  it('reports data whose models cost nothing without a NaN: savings n/a, the plane replaced by a note', () => {
    const free = (r: ReturnType<typeof rows>) =>
      r.map((x) => ({
        ...x,
        outcomes: Object.fromEntries(Object.entries(x.outcomes).map(([m, o]) => [m, { ...o, cost_usd: 0 }])),
      }));
    const zero = evaluateStrategies(free(rows(0, 40)), free(rows(100, 4)), { seed: 0, costWeights: [0, 0.5] });
    expect(zero.apgr).toBeUndefined();
    expect(zero.bestSingle.saving).toBeNaN(); // nothing to save on: JSON writes null
    const html = reportHtml(zero, 'free');
    expect(html).not.toMatch(/NaN|Infinity/);
    expect(html).toContain('Every strategy costs nothing on this data');
    expect(html).not.toContain('<svg');
    expect(html.match(/<td>n\/a<\/td><\/tr>/g)).toHaveLength(zero.strategies.length);
  });

  it("says in the report what the data's gaps left out, escaped", () => {
    const html = reportHtml(result, 'tiny', [
      'f.jsonl: left out 1 of 20 rows lacking an outcome of a routed model (<c>: 1)',
    ]);
    expect(html).toContain(
      '<p class="note">f.jsonl: left out 1 of 20 rows lacking an outcome of a routed model (&lt;c&gt;: 1)</p>',
    );
  });
});
