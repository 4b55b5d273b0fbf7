import { parseDataset } from './dataset';
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

  it('sweeps the learned router and reports its APGR and the cost to reach the best quality', () => {
    expect(result.strategies.filter((s) => s.family === 'learned')).toHaveLength(2);
    expect(Number.isFinite(result.apgr)).toBe(true);
    expect(result.costToReach100UsdPerPrompt).toBeLessThanOrEqual(0.01);
    expect(result).toMatchObject({ models: ['big', 'cheap'], trainSize: 40, testSize: 4 });
  });

  it('picks cost weights on a validation cut of the training part and reports them on the test part', () => {
    // At weight 0.5, big's cost (1 in units of the dearest model) against cheap's (0.1) weighs 0.45: only a
    // predicted quality gap above that buys big, so easy prompts go to cheap and hard ones to big: quality 1
    // at a mean cost of 0.0055, the cheapest weight that reaches 100% (weight 0 buys big everywhere).
    expect(result.validationPick100).toMatchObject({ costWeight: 0.5, quality: 1, qualityVsBest: 1 });
    expect(result.validationPick100?.saving).toBeCloseTo(0.45, 12);
    expect(byName.get('cost-aware, cost weight 0.5 (validation pick for 95%, 100%)')?.quality).toBe(1);
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
  });
});
