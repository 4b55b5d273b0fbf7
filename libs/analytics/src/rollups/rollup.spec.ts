import {
  type RollupRecord,
  addCounts,
  completionContribution,
  countsDifference,
  emptyCounts,
  feedbackContribution,
  feedbackDelta,
  incrementsOf,
  qualityOf,
  recountRollups,
  rollupDimsOf,
  rollupKey,
} from './rollup';

const at = Date.UTC(2026, 10, 2, 9, 42);
const record = (extra: Partial<RollupRecord> = {}): RollupRecord => ({
  tenant: 'acme',
  completedAt: at,
  status: 'succeeded',
  model: 'small',
  method: 'rule',
  rule: 'greeting',
  decision: { rule: 'greeting', method: 'rule' },
  costUsd: 0.002,
  usage: { inputTokens: 10, outputTokens: 4 },
  latency: { totalMs: 120 },
  ...extra,
});

describe('rollup rows', () => {
  it('puts a record in the row of its hour, tenant, model, rule, method and arm', () => {
    expect(rollupDimsOf(record({ decision: { rule: 'greeting', canaryArm: 'candidate' } }))).toEqual({
      hour: Date.UTC(2026, 10, 2, 9),
      tenant: 'acme',
      model: 'small',
      rule: 'greeting',
      method: 'rule',
      arm: 'candidate',
    });
  });
  it("names a difficulty band's traffic by its band, and a failure without a model by the decision's", () => {
    const banded = record({ rule: undefined, method: 'difficulty', decision: { band: '< 0.5', method: 'difficulty' } });
    expect(rollupDimsOf(banded)).toMatchObject({ rule: 'band < 0.5', arm: 'none' });
    const failed = record({ status: 'failed', model: undefined, decision: { plan: { model: 'big' } } });
    expect(rollupDimsOf(failed).model).toBe('big');
    expect(rollupDimsOf(record({ model: undefined, decision: {} })).model).toBe('(none)');
  });
  it('counts a completion: one request, its outcome, cost, tokens and latency bucket', () => {
    expect(incrementsOf(completionContribution(record()))).toEqual({
      requests: 1,
      succeeded: 1,
      costUsd: 0.002,
      inputTokens: 10,
      outputTokens: 4,
      latencyMsSum: 120,
      'latency.le250': 1,
    });
    const failed = record({
      status: 'failed',
      error: { code: 'timeout' },
      costUsd: undefined,
      latency: { totalMs: 40_000 },
    });
    expect(incrementsOf(completionContribution(failed))).toMatchObject({
      requests: 1,
      'errors.timeout': 1,
      'latency.inf': 1,
    });
  });
  it('labels quality from success when given, else from the rating on 0..1', () => {
    expect(qualityOf({ rating: 5, success: false })).toBe(0);
    expect(qualityOf({ success: true })).toBe(1);
    expect(qualityOf({ rating: 4 })).toBe(0.75);
    expect(qualityOf({ rating: 1 })).toBe(0);
    expect(qualityOf({})).toBeUndefined();
  });
});

describe(feedbackDelta.name, () => {
  const f = (feedbackId: string, submittedAt: number, rating: number) => ({ feedbackId, submittedAt, rating });
  it('adds the first feedback as a label', () => {
    expect(incrementsOf(feedbackDelta(undefined, f('a', 1, 4)) ?? emptyCounts())).toEqual({
      ratingSum: 4,
      ratingCount: 1,
      qualityCount: 1,
      qualitySum: 0.75,
      qualitySqSum: 0.5625,
    });
  });
  it('replaces an earlier feedback: the label count stays, the sums move', () => {
    expect(incrementsOf(feedbackDelta(f('a', 1, 2), f('b', 2, 4)) ?? emptyCounts())).toEqual({
      ratingSum: 2,
      qualitySum: 0.5,
      qualitySqSum: 0.5625 - 0.0625,
    });
  });
  it('changes nothing for a repeated or older feedback, deciding ties by feedback id as $max does', () => {
    expect(feedbackDelta(f('b', 2, 4), f('b', 2, 4))).toBeUndefined();
    expect(feedbackDelta(f('b', 2, 4), f('a', 1, 1))).toBeUndefined();
    expect(feedbackDelta(f('b', 2, 4), f('a', 2, 1))).toBeUndefined();
    expect(feedbackDelta(f('a', 2, 4), f('b', 2, 1))).toBeDefined();
  });
});

describe(recountRollups.name, () => {
  it('sums records with their latest feedback into rows, the same as adding their contributions', () => {
    const records = [
      record(),
      record({ feedback: { rating: 5 } }),
      record({ completedAt: at + 3600_000, feedback: { success: false } }),
    ];
    const rows = recountRollups(records);
    expect(rows.size).toBe(2);
    const first = rows.get(rollupKey(rollupDimsOf(records[0])));
    const expected = [records[0], records[1]]
      .map((r) => addCounts(completionContribution(r), feedbackContribution(r.feedback)))
      .reduce(addCounts);
    expect(first).toMatchObject({ ...expected, tenant: 'acme' });
  });
  it('finds the difference that makes one set of sums another, ignoring float rounding', () => {
    const a = addCounts(completionContribution(record()), feedbackContribution({ rating: 3 }));
    const b = addCounts(a, completionContribution(record({ costUsd: 0.1 + 0.2 })));
    const d = countsDifference(b, a);
    expect(incrementsOf(d)).toMatchObject({ requests: 1, costUsd: 0.1 + 0.2 });
    expect(incrementsOf(countsDifference(addCounts(a, emptyCounts()), a))).toEqual({});
  });
});
