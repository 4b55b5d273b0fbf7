import { type DatasetRow, parseDataset } from '@switchyard/datasets';
import { evaluateStrategies } from './evaluate';
import {
  acceptanceCascade,
  agreementCascade,
  cascadeStrategies,
  consensus,
  consensusStrategies,
  planStrategies,
} from './plan-strategies';

// Six models. Prices per call: a 0.001, e 0.0015, b 0.002, c 0.004, f 0.005, d 0.01.
const COST: Record<string, number> = { a: 0.001, e: 0.0015, b: 0.002, c: 0.004, f: 0.005, d: 0.01 };
const MODELS = Object.keys(COST).sort();
type Cell = [score: number, pred?: string | null];

const rows = (cells: Array<Record<string, Cell>>, from = 0): DatasetRow[] =>
  parseDataset(
    cells
      .map((outcomes, i) =>
        JSON.stringify({
          id: from + i,
          prompt: `question ${from + i}`,
          outcomes: Object.fromEntries(
            Object.entries(outcomes).map(([m, [score, pred]]) => [
              m,
              { score, cost_usd: COST[m], ...(pred === undefined ? {} : { pred }) },
            ]),
          ),
        }),
      )
      .join('\n'),
  );

// Train qualities: a 0.5, b 0.5, c 0.75, d 1 (best), e 0, f 0; mean 2.75 / 6 = 0.458.
// So: frontier a -> c -> d (b is no better than the cheaper a; e and f are beaten by a);
// "good" pair a + b (the two cheapest at or above the mean, cheaper than d: not e); mid tier c;
// consensus voters by train quality among models cheaper than d: c, a, b (then e, f, cheaper first).
const TRAIN_SCORES: Record<string, number[]> = {
  a: [1, 1, 0, 0],
  b: [1, 0, 1, 0],
  c: [1, 1, 1, 0],
  d: [1, 1, 1, 1],
  e: [0, 0, 0, 0],
  f: [0, 0, 0, 0],
};
const TRAIN = [0, 1, 2, 3].map((i) =>
  Object.fromEntries(MODELS.map((m) => [m, [TRAIN_SCORES[m][i], TRAIN_SCORES[m][i] ? 'A' : 'B'] as Cell])),
);
const train = rows(TRAIN);

// Test rows, [score, pred]; the per-row expectations are worked out next to each strategy below.
const TEST: Array<Record<string, Cell>> = [
  { a: [1, 'A'], b: [1, 'A'], c: [1, 'A'], d: [1, 'A'], e: [0, 'B'], f: [0, 'C'] },
  { a: [0, 'B'], b: [0, 'C'], c: [0, 'B'], d: [1, 'D'], e: [0, 'B'], f: [0, 'B'] },
  { a: [0, null], b: [1, 'A'], c: [0, 'B'], d: [1, 'A'], e: [1, 'A'], f: [1, 'A'] },
  { a: [0, 'C'], b: [0, 'D'], c: [0, 'E'], d: [1, 'F'], e: [1, 'G'], f: [1, 'G'] },
];
const test = rows(TEST, 100);

const withoutPred = (cells: Array<Record<string, Cell>>, model: string) =>
  cells.map((r) => ({ ...r, [model]: [r[model][0]] as Cell }));
const bare = (cells: Array<Record<string, Cell>>) => MODELS.reduce(withoutPred, cells);

describe(planStrategies.name, () => {
  const { results, skipped } = planStrategies(train, test, MODELS);
  const by = new Map(results.map((r) => [r.name, r]));

  it('chooses tiers and voters from the train part by cost and quality', () => {
    expect(results.map((r) => [r.family, r.models])).toEqual([
      ['cascade', ['a', 'c', 'd']],
      ['cascade', ['a', 'b', 'c']],
      ['cascade', ['a', 'b', 'd']],
      ['cascade', ['a', 'b', 'c', 'd']],
      ['consensus', ['c', 'a', 'b']],
      ['consensus', ['c', 'a', 'b', 'e', 'f']],
    ]);
    expect(skipped).toEqual([]);
  });

  it('acceptance cascade: keeps the first readable answer and pays for every tier called (hand-computed)', () => {
    // Row 1, 2, 4: a answers (1, 0, 0) for 0.001. Row 3: a has no answer, c answers (0) for 0.001 + 0.004.
    const r = by.get('cascade a → c → d (acceptance checks)');
    expect(r?.quality).toBeCloseTo(0.25, 12);
    expect(r?.costUsd).toBeCloseTo(0.008 / 4, 12);
    expect(r?.fallbackShare).toBeCloseTo(0.25, 12);
  });

  it('agreement cascade a + b, else c (hand-computed)', () => {
    // Row 1: a = b = A, 1 for 0.003. Row 2: a B, b C, c B agrees with a: a's score 0, for 0.007.
    // Rows 3, 4: no two agree (a's empty answer agrees with nothing), c is kept: 0, 0, for 0.007 each.
    const r = by.get('agreement cascade: a + b agree, else c');
    expect(r?.quality).toBeCloseTo(0.25, 12);
    expect(r?.costUsd).toBeCloseTo((0.003 + 3 * 0.007) / 4, 12);
    expect(r?.fallbackShare).toBeCloseTo(0.75, 12);
  });

  it('agreement cascade a + b, else d (hand-computed)', () => {
    // Row 1: 1 for 0.003. Rows 2-4: d, always right, for 0.013 each.
    const r = by.get('agreement cascade: a + b agree, else d');
    expect(r?.quality).toBeCloseTo(1, 12);
    expect(r?.costUsd).toBeCloseTo((0.003 + 3 * 0.013) / 4, 12);
  });

  it('agreement cascade a + b, else c, else d: stops at c when c agrees, sums every tier (hand-computed)', () => {
    // Row 1: 1 for 0.003. Row 2: c agrees with a, 0 for 0.007. Rows 3, 4: on to d, 1 for 0.017 each.
    const r = by.get('agreement cascade: a + b agree, else c, else d');
    expect(r?.quality).toBeCloseTo(0.75, 12);
    expect(r?.costUsd).toBeCloseTo((0.003 + 0.007 + 2 * 0.017) / 4, 12);
  });

  it('consensus of 3: majority with quorum 2, else the strongest voter; cost of every voter (hand-computed)', () => {
    // Voters c, a, b. Row 1: A x3, 1. Row 2: B (c, a) wins, c's score 0. Row 3: a does not vote, c B vs b A,
    // no quorum, c answers: 0. Row 4: three answers, c: 0.
    const r = by.get('consensus of 3 (c, a, b), majority');
    expect(r?.quality).toBeCloseTo(0.25, 12);
    expect(r?.costUsd).toBeCloseTo(0.007, 12);
    expect(r?.fallbackShare).toBeCloseTo(0.5, 12);
  });

  it('consensus of 5: quorum 3; the winning answer is scored as a voter that gave it (hand-computed)', () => {
    // Row 1: A x3, 1. Row 2: B x4, c's 0. Row 3: A from b, e, f reaches 3: b's score 1 (c said B).
    // Row 4: G from e and f is short of the quorum, c: 0.
    const r = by.get('consensus of 5 (c, a, b, e, f), majority');
    expect(r?.quality).toBeCloseTo(0.5, 12);
    expect(r?.costUsd).toBeCloseTo(0.0135, 12);
    expect(r?.fallbackShare).toBeCloseTo(0.25, 12);
  });
});

describe('skipping plans the data cannot replay', () => {
  it('skips every strategy that needs a model without pred, and keeps the rest', () => {
    const noC = planStrategies(rows(withoutPred(TRAIN, 'c')), rows(withoutPred(TEST, 'c'), 100), MODELS);
    expect(noC.results.map((r) => r.name)).toEqual(['agreement cascade: a + b agree, else d']);
    expect(noC.skipped).toHaveLength(5);
    expect(noC.skipped.every((s) => s.includes('no pred for c'))).toBe(true);
  });

  it('skips everything on a file with no pred, saying why', () => {
    const r = planStrategies(rows(bare(TRAIN)), rows(bare(TEST), 100), MODELS);
    expect(r.results).toEqual([]);
    expect(r.skipped).toHaveLength(6);
  });

  it('skips what too few models allow', () => {
    const two = rows([{ a: [0, 'A'], d: [1, 'B'] }]);
    expect(planStrategies(two, two, ['a', 'd']).results.map((r) => r.name)).toEqual([
      'cascade a → d (acceptance checks)',
    ]);
    expect(consensusStrategies(two, two, ['a', 'd']).skipped).toEqual([
      'consensus of 3: only 1 model is cheaper than the best one',
      'consensus of 5: only 1 model is cheaper than the best one',
    ]);
    expect(cascadeStrategies(two, two, ['a', 'd']).skipped).toHaveLength(1);
  });
});

describe(acceptanceCascade.name, () => {
  it('does not read the score: the same answers call the same tiers whatever the scores', () => {
    const right = rows(TEST.map((r) => ({ ...r, a: [1, r.a[1]] as Cell })));
    const wrong = rows(TEST.map((r) => ({ ...r, a: [0, r.a[1]] as Cell })));
    const [x, y] = [right, wrong].map((data) => acceptanceCascade('x', data, ['a', 'c', 'd']));
    expect(x.costUsd).toBe(y.costUsd);
    expect(x.fallbackShare).toBe(y.fallbackShare);
    expect(x.quality - y.quality).toBeCloseTo(0.75, 12); // a is kept on 3 of the 4 rows
  });

  it('escalates a refusal and an empty answer, with the run-time checks, and keeps the last tier regardless', () => {
    const data = rows([
      { a: [0, "I'm sorry, but I can't help with that."], c: [1, 'B'], d: [1, 'B'] },
      { a: [0, '  '], c: [0, ''], d: [0, ''] },
    ]);
    const r = acceptanceCascade('x', data, ['a', 'c', 'd']);
    expect(r.quality).toBeCloseTo(0.5, 12);
    expect(r.costUsd).toBeCloseTo((0.005 + 0.015) / 2, 12);
  });
});

describe(agreementCascade.name, () => {
  it('compares normalised answers ("Answer: b" agrees with "B")', () => {
    const data = rows([{ a: [1, 'Answer: b'], b: [1, 'B'], d: [1, 'B'] }]);
    expect(agreementCascade('x', data, ['a', 'b', 'd']).costUsd).toBeCloseTo(0.003, 12);
  });
  it('does not take two unreadable answers for agreement', () => {
    const data = rows([{ a: [0, null], b: [0, ''], d: [1, 'B'] }]);
    expect(agreementCascade('x', data, ['a', 'b', 'd'])).toMatchObject({ quality: 1, fallbackShare: 1 });
  });
  it('refuses fewer than three tiers', () => {
    expect(() => agreementCascade('x', test, ['a', 'b'])).toThrow(/needs two models and one to escalate to/);
  });
});

describe(consensus.name, () => {
  it('falls back to the first voter on a 2-2 tie short of the quorum', () => {
    const data = rows([{ a: [0, 'A'], b: [0, 'A'], c: [1, 'C'], d: [1, 'C'] }]);
    expect(consensus('x', data, ['c', 'a', 'b', 'd'], 3)).toMatchObject({ quality: 1, fallbackShare: 1 });
    expect(consensus('x', data, ['a', 'c', 'b', 'd'], 3)).toMatchObject({ quality: 0, fallbackShare: 1 });
  });
});

describe('evaluateStrategies with plans', () => {
  const opts = { seed: 0, tolerances: [0], thresholds: [0.5] };
  it('adds the cascade and consensus families when the answers are known', () => {
    const result = evaluateStrategies(train, test, opts);
    const plans = result.strategies.filter((s) => s.family === 'cascade' || s.family === 'consensus');
    expect(plans.map((s) => s.name)).toEqual(planStrategies(train, test, MODELS).results.map((r) => r.name));
    expect(plans.every((s) => !s.usesTaskLabel)).toBe(true);
  });
  it('still runs, without them, on a file without pred', () => {
    const stages: string[] = [];
    const result = evaluateStrategies(rows(bare(TRAIN)), rows(bare(TEST), 100), {
      ...opts,
      onProgress: (s) => stages.push(s),
    });
    expect(result.strategies.some((s) => s.family === 'cascade' || s.family === 'consensus')).toBe(false);
    expect(stages.filter((s) => s.includes('no pred for'))).toHaveLength(6);
  });
});
