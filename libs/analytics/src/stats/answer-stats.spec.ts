import { statsQuerySchema, statsWindows } from '@switchyard/contracts';
import { type RollupRow, addCounts, completionContribution, feedbackContribution } from '../rollups/rollup';
import { answerStats } from './answer-stats';
import { percentileBound } from './summarize';

const DAY = 24 * 3600_000;
const now = Date.UTC(2026, 10, 30);

function row(dims: Partial<RollupRow>, n: number, rating?: number, cost = 0.001, ms = 80): RollupRow {
  let c = completionContribution({ tenant: 't', costUsd: cost, latency: { totalMs: ms } });
  for (let i = 1; i < n; i++)
    c = addCounts(c, completionContribution({ tenant: 't', costUsd: cost, latency: { totalMs: ms } }));
  if (rating !== undefined) for (let i = 0; i < n; i++) c = addCounts(c, feedbackContribution({ rating }));
  return {
    hour: now - DAY,
    tenant: 'acme',
    model: 'small',
    rule: 'greeting',
    method: 'rule',
    arm: 'none',
    ...c,
    ...dims,
  };
}

describe(answerStats.name, () => {
  it('groups by the asked dimensions with rates, sample sizes and the change against the window before', () => {
    const query = statsQuerySchema.parse({ groupBy: ['model'], days: 7 });
    const { window, previous } = statsWindows(query, now);
    const answer = answerStats({
      query,
      window,
      rows: [row({}, 10, 4), row({ model: 'big' }, 5, 5, 0.01), row({ rule: 'code' }, 10, 2)],
      previous: { window: previous, rows: [row({ hour: now - 9 * DAY }, 10, 5)] },
      tenant: 'acme',
    });
    expect(answer.groups.map((g) => g.key)).toEqual([{ model: 'small' }, { model: 'big' }]);
    const small = answer.groups[0];
    expect(small).toMatchObject({
      requests: 20,
      ratingCount: 20,
      avgRating: 3,
      costPerRequestUsd: expect.closeTo(0.001, 12),
      p50LatencyMs: 100,
    });
    expect(small.change).toMatchObject({ requests: 10, avgRating: -2 });
    // A group the window before did not have: counts change by all of it, rates have nothing to compare.
    expect(answer.groups[1].change).toMatchObject({ requests: 5, avgRating: null });
    expect(answer.total).toMatchObject({ requests: 25, change: { requests: 15 } });
    // 7 calendar days: today (which starts at \`now\` here) and the 6 before; compared with the 7 before those.
    expect(answer.window).toEqual({ from: new Date(now - 6 * DAY).toISOString(), to: new Date(now).toISOString() });
    expect(answer.previousWindow).toEqual({
      from: new Date(now - 13 * DAY).toISOString(),
      to: new Date(now - 6 * DAY).toISOString(),
    });
  });
  it('answers an empty window with zero counts and null rates', () => {
    const query = statsQuerySchema.parse({ compare: false });
    const answer = answerStats({ query, window: statsWindows(query, now).window, rows: [], tenant: null });
    expect(answer).toMatchObject({
      groups: [],
      previousWindow: null,
      total: { requests: 0, avgRating: null, change: null },
    });
  });
  it('orders a day series by date', () => {
    const query = statsQuerySchema.parse({ groupBy: ['day'], days: 3 });
    const { window } = statsWindows(query, now);
    const answer = answerStats({
      query,
      window,
      rows: [row({ hour: now - DAY }, 1), row({ hour: now - 2 * DAY }, 3)],
      tenant: 'acme',
    });
    expect(answer.groups.map((g) => g.key.day)).toEqual(['2026-11-28', '2026-11-29']);
  });
});

describe('stats queries', () => {
  it('refuses a window given twice, backwards, or too long, naming the field', () => {
    const problem = (q: unknown) => statsQuerySchema.safeParse(q).error?.issues[0]?.path.join('.');
    expect(problem({ days: 7, from: 0 })).toBe('days');
    expect(problem({ from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' })).toBe('to');
    expect(problem({ from: 0, to: 400 * DAY })).toBe('from');
    expect(problem({ groupBy: ['model', 'model'] })).toBe('groupBy');
    expect(problem({ groupBy: ['prompt'] })).toBe('groupBy.0');
    expect(problem({ days: 7, sql: 'drop' })).toBe('');
  });
  it('reads the latency percentile off the histogram as the bound of its bucket', () => {
    expect(percentileBound({ le50: 50, le100: 45, le1000: 5 }, 0.5)).toBe(50);
    expect(percentileBound({ le50: 50, le100: 45, le1000: 5 }, 0.95)).toBe(100);
    expect(percentileBound({ le50: 1, inf: 99 }, 0.5)).toBeNull();
    expect(percentileBound({}, 0.5)).toBeNull();
  });
});
