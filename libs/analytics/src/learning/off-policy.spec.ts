import { mulberry32 } from '@switchyard/routing';
import { type LoggedOutcome, compareOffPolicy, offPolicyValue } from './off-policy';

// A known world: five kinds of prompt, three models, the probability of a good answer per (kind, model),
// and a mean cost per model. The logging policy sends everything to `mid` and explores 10% of the time,
// uniformly over the two others (propensity 0.05 each, 0.9 for its own choice).
const MODELS = ['cheap', 'mid', 'strong'] as const;
type Model = (typeof MODELS)[number];
const TRUE_QUALITY: ReadonlyArray<Record<Model, number>> = [
  { cheap: 0.9, mid: 0.92, strong: 0.95 },
  { cheap: 0.3, mid: 0.7, strong: 0.9 },
  { cheap: 0.6, mid: 0.65, strong: 0.7 },
  { cheap: 0.2, mid: 0.4, strong: 0.85 },
  { cheap: 0.8, mid: 0.5, strong: 0.9 },
];
const TRUE_COST: Record<Model, number> = { cheap: 0.001, mid: 0.004, strong: 0.02 };
const COST_WEIGHT = 0.2;
const COST_SCALE = TRUE_COST.strong;

interface World {
  records: LoggedOutcome[];
  kinds: number[];
  loggingChoice: string[];
}

function logged(n: number, seed: number): World {
  const rand = mulberry32(seed);
  const world: World = { records: [], kinds: [], loggingChoice: [] };
  for (let i = 0; i < n; i++) {
    const kind = Math.floor(rand() * TRUE_QUALITY.length);
    let model: Model = 'mid';
    let propensity = 0.9;
    if (rand() < 0.1) {
      model = rand() < 0.5 ? 'cheap' : 'strong';
      propensity = 0.05;
    }
    world.records.push({
      loggedModel: model,
      propensity,
      quality: rand() < TRUE_QUALITY[kind][model] ? 1 : 0,
      costUsd: TRUE_COST[model] * (0.5 + rand()),
    });
    world.kinds.push(kind);
    world.loggingChoice.push('mid');
  }
  return world;
}

// A reward model that ranks right but is biased: halfway to 0.5; costs 20% too high. The direct
// method (its predictions alone) is then far off; the doubly robust correction must recover the truth.
const qualityHat = (kinds: number[]) => (i: number, m: string) =>
  0.5 + 0.5 * (TRUE_QUALITY[kinds[i]][m as Model] - 0.5);
const costHat = (_i: number, m: string) => 1.2 * TRUE_COST[m as Model];

// The best model per kind at cost weight 0.2 (quality − 0.2 × cost / strong's cost): cheap, strong, mid, strong, cheap.
const BEST: readonly Model[] = [0, 1, 2, 3, 4].map((kind) => {
  const utility = (m: Model) => TRUE_QUALITY[kind][m] - (COST_WEIGHT * TRUE_COST[m]) / COST_SCALE;
  return MODELS.reduce((a, b) => (utility(b) > utility(a) ? b : a));
});
// A worse policy: each of the best choices rotated to another model.
const ROTATED: Record<Model, Model> = { cheap: 'mid', mid: 'strong', strong: 'cheap' };

const world = logged(5000, 42);
const best = world.kinds.map((k) => BEST[k]);
const worse = best.map((m) => ROTATED[m]);
const trueQuality = (choices: readonly string[]) =>
  choices.reduce((s, m, i) => s + TRUE_QUALITY[world.kinds[i]][m as Model], 0) / choices.length;
const trueCost = (choices: readonly string[]) =>
  choices.reduce((s, m) => s + TRUE_COST[m as Model], 0) / choices.length;

describe(offPolicyValue.name, () => {
  it('recovers a policy value the log never followed, where the reward model alone is off', () => {
    expect(BEST).toEqual(['cheap', 'strong', 'mid', 'strong', 'cheap']);
    const sut = offPolicyValue({ records: world.records, choices: best, qualityHat: qualityHat(world.kinds), costHat });
    const truth = trueQuality(best);
    const direct = best.reduce((s, m, i) => s + qualityHat(world.kinds)(i, m), 0) / best.length;
    // The estimate's standard error, from the per-record terms: small enough for the bound to mean something.
    let squares = 0;
    for (const x of sut.perRecordQuality) squares += (x - sut.quality) ** 2;
    const se = Math.sqrt(squares / (best.length - 1) / best.length);
    expect(se).toBeLessThan(0.025);
    expect(Math.abs(sut.quality - truth)).toBeLessThan(3 * se);
    // The reward model alone is off by more than 5 standard errors.
    expect(Math.abs(direct - truth)).toBeGreaterThan(5 * se);
    // Observed costs are the true mean × uniform(0.5, 1.5): unbiased, so DR corrects the 20% excess.
    expect(sut.costUsd / trueCost(best)).toBeGreaterThan(0.9);
    expect(sut.costUsd / trueCost(best)).toBeLessThan(1.1);
    // IPS is unbiased too, with more variance (no reward model to lean on): a loose check.
    expect(Math.abs(sut.ipsQuality - truth)).toBeLessThan(0.15);
    expect(sut.matchedLogged).toBe(best.filter((m, i) => m === world.records[i].loggedModel).length);
    expect(sut.clipped).toBe(0);
  });

  it('clips importance weights at maxWeight and counts the clipped records', () => {
    const records = [
      { loggedModel: 'a', propensity: 0.01, quality: 1, costUsd: 0 },
      { loggedModel: 'b', propensity: 0.01, quality: 1, costUsd: 0 },
    ];
    const hats = [
      { a: 0.5, b: 0.5 },
      { a: 0.5, b: 0.5 },
    ];
    const costs = [
      { a: 0, b: 0 },
      { a: 0, b: 0 },
    ];
    const sut = offPolicyValue({ records, choices: ['a', 'a'], qualityHat: hats, costHat: costs, maxWeight: 50 });
    // Record 0: 0.5 + 50 × (1 − 0.5); record 1 (not matched): 0.5.
    expect(Array.from(sut.perRecordQuality)).toEqual([25.5, 0.5]);
    expect(sut).toMatchObject({ quality: 13, ipsQuality: 25, clipped: 1, matchedLogged: 1 });
    expect(offPolicyValue({ records, choices: ['a', 'a'], qualityHat: hats, costHat: costs }).clipped).toBe(1);
    expect(
      offPolicyValue({ records, choices: ['a', 'a'], qualityHat: hats, costHat: costs, maxWeight: 100 }),
    ).toMatchObject({
      quality: 25.5,
      clipped: 0,
    });
  });

  it('refuses a record without a valid propensity and a reward model without a prediction', () => {
    const record = { loggedModel: 'a', propensity: 0, quality: 1, costUsd: 0 };
    const hats = [{ a: 0.5 }];
    expect(() => offPolicyValue({ records: [record], choices: ['a'], qualityHat: hats, costHat: hats })).toThrow(
      /record 0: propensity must be in \(0, 1\]/,
    );
    expect(() =>
      offPolicyValue({ records: [{ ...record, propensity: 1 }], choices: ['b'], qualityHat: hats, costHat: hats }),
    ).toThrow(/qualityHat gives no value for record 0, model b/);
  });
});

describe(compareOffPolicy.name, () => {
  const settings = {
    records: world.records,
    current: world.loggingChoice,
    qualityHat: qualityHat(world.kinds),
    costHat,
    costWeight: COST_WEIGHT,
    costScale: COST_SCALE,
    margin: 0.02,
    minSamples: 500,
  };
  const utility = (choices: readonly string[]) => trueQuality(choices) - (COST_WEIGHT * trueCost(choices)) / COST_SCALE;

  it('passes a better policy, with the true gain inside its interval', () => {
    const sut = compareOffPolicy({ ...settings, candidate: best });
    const gain = utility(best) - utility(world.loggingChoice);
    expect(sut.pass).toBe(true);
    expect(sut.reason).toMatch(
      /^passed: utility \+0\.\d{3}, CI95 \[\+0\.\d{3}, \+0\.\d{3}\] \(n=5000\) >= margin 0.02$/,
    );
    expect(sut.difference.utilityCi95[0]).toBeLessThan(gain);
    expect(sut.difference.utilityCi95[1]).toBeGreaterThan(gain);
    expect(Math.abs(sut.difference.utility - gain)).toBeLessThan(0.03);
    expect(sut.difference.utility).toBeCloseTo(sut.candidate.utility - sut.current.utility, 12);
    expect(sut.current.quality).toBeCloseTo(trueQuality(world.loggingChoice), 1);
    // Both choose mid on kind 2 only: about a fifth of the records.
    expect(sut.agreement).toBeCloseTo(world.kinds.filter((k) => k === 2).length / 5000, 12);
    expect(sut.matchedLogged).toBe(best.filter((m, i) => m === world.records[i].loggedModel).length);
    expect(sut.n).toBe(5000);
    expect(sut.clipped).toBe(0);
    expect(sut.ips.current).toBeCloseTo(sut.current.quality, 1);
  });

  it('refuses a worse policy, naming the margin', () => {
    const sut = compareOffPolicy({ ...settings, candidate: worse });
    expect(utility(worse)).toBeLessThan(utility(world.loggingChoice));
    expect(sut.pass).toBe(false);
    expect(sut.difference.utility).toBeLessThan(0);
    expect(sut.reason).toMatch(/^refused: utility -0\.\d{3} < margin 0.02 \(n=5000\)$/);
  });

  it('takes the interval from the paired per-record differences, and refuses one that includes zero', () => {
    // No record matches the log (c answered): each record's estimate is the reward model's, so the paired
    // differences are b − a = [+0.5, −0.25, +0.5, −0.25]: mean 0.125, sd √(4 × 0.375² / 3).
    const records = Array.from({ length: 4 }, () => ({ loggedModel: 'c', propensity: 1, quality: 1, costUsd: 0 }));
    const hats = [1, 0.25, 1, 0.25].map((b) => ({ a: 0.5, b }));
    const costs = records.map(() => ({ a: 0, b: 0 }));
    const tiny = { records, current: ['a', 'a', 'a', 'a'], candidate: ['b', 'b', 'b', 'b'], costHat: costs };
    const gate = { costWeight: 0.2, costScale: 1, margin: 0.1, minSamples: 4 };
    const sut = compareOffPolicy({ ...tiny, ...gate, qualityHat: hats });
    const half = (1.96 * Math.sqrt((4 * 0.375 ** 2) / 3)) / 2;
    expect(sut.difference.utility).toBeCloseTo(0.125, 12);
    expect(sut.difference.utilityCi95[0]).toBeCloseTo(0.125 - half, 12);
    expect(sut.difference.utilityCi95[1]).toBeCloseTo(0.125 + half, 12);
    expect(sut.pass).toBe(false);
    expect(sut.reason).toBe(
      'refused: utility CI95 lower bound -0.299 <= 0, utility +0.125, CI95 [-0.299, +0.549] (n=4)',
    );
    // The same mean gain on every record: no spread, the gate passes.
    const steady = compareOffPolicy({ ...tiny, ...gate, qualityHat: records.map(() => ({ a: 0.5, b: 0.625 })) });
    expect(steady.difference.utilityCi95[0]).toBeCloseTo(0.125, 12);
    expect(steady.pass).toBe(true);
  });

  it('refuses too few samples, whatever the gain', () => {
    const n = 100;
    const sut = compareOffPolicy({
      ...settings,
      records: world.records.slice(0, n),
      current: world.loggingChoice.slice(0, n),
      candidate: best.slice(0, n),
    });
    expect(sut.pass).toBe(false);
    expect(sut.reason).toBe('refused: n=100 < minSamples 500');
  });

  it('refuses a cost scale that is not positive', () => {
    expect(() => compareOffPolicy({ ...settings, candidate: best, costScale: 0 })).toThrow(
      /costScale must be positive/,
    );
  });
});
