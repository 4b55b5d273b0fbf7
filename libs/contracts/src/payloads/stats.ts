import { z } from 'zod';

/** What stats may be grouped and filtered by: a rollup's dimensions, and the UTC day. */
export const STATS_DIMENSIONS = ['model', 'rule', 'method', 'tenant', 'arm', 'day'] as const;
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];

/** The longest window a stats query may cover. */
export const STATS_MAX_DAYS = 366;

const DAY_MS = 24 * 3600 * 1000;
const instant = z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })]);
const dimensionValue = z.string().min(1).max(200);

/**
 * Payload of `router.stats.query.v1` (and the HTTP `GET /v1/stats` query): rollups summed by the given
 * dimensions over a window (the last `days` days, or `from` to `to`), with each group's change against the
 * window of the same length just before. A tenant's key sees its own tenant only; an admin key sees every
 * tenant, or the one named by `tenant`.
 */
export const statsQuerySchema = z
  .object({
    groupBy: z
      .array(z.enum(STATS_DIMENSIONS))
      .max(4)
      .refine((d) => new Set(d).size === d.length, 'a dimension may appear once')
      .default(['model']),
    /** The last N UTC calendar days, today so far included. The default (neither days nor from) is 7. */
    days: z.number().int().positive().max(STATS_MAX_DAYS).optional(),
    /** Window start (epoch ms or ISO 8601), inclusive; with `to`, instead of `days`. */
    from: instant.optional(),
    /** Window end, exclusive; now when left out. */
    to: instant.optional(),
    tenant: dimensionValue.optional(),
    model: dimensionValue.optional(),
    rule: dimensionValue.optional(),
    method: dimensionValue.optional(),
    arm: dimensionValue.optional(),
    /** Compare with the window before (default true). */
    compare: z.boolean().default(true),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.days !== undefined && (q.from !== undefined || q.to !== undefined))
      ctx.addIssue({ code: 'custom', path: ['days'], message: 'give either days or from/to, not both' });
    if (q.to !== undefined && q.from === undefined)
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'a window with "to" needs "from"' });
    if (q.from !== undefined) {
      const from = new Date(q.from).getTime();
      const to = q.to === undefined ? Date.now() : new Date(q.to).getTime();
      if (!(to > from)) ctx.addIssue({ code: 'custom', path: ['to'], message: '"to" must be after "from"' });
      else if (to - from > STATS_MAX_DAYS * DAY_MS)
        ctx.addIssue({ code: 'custom', path: ['from'], message: `a window may span at most ${STATS_MAX_DAYS} days` });
    }
  });
export type StatsQuery = z.infer<typeof statsQuerySchema>;
export type StatsQueryInput = z.input<typeof statsQuerySchema>;

/** A window resolved to instants: [from, to). */
export interface StatsWindow {
  from: number;
  to: number;
}

/**
 * The query's window, and the one just before it: for `days`, the N calendar days before; for from/to, the
 * same length before. Windows of whole UTC days are read from the daily rollups, others at whole hours.
 */
export function statsWindows(
  q: Pick<StatsQuery, 'days' | 'from' | 'to'>,
  now = Date.now(),
): {
  window: StatsWindow;
  previous: StatsWindow;
} {
  if (q.from === undefined) {
    // Calendar days: today so far and the N-1 whole UTC days before it (what the daily rollups hold).
    const days = q.days ?? 7;
    const from = Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
    return { window: { from, to: now }, previous: { from: from - days * DAY_MS, to: from } };
  }
  const from = new Date(q.from).getTime();
  const to = q.to !== undefined ? new Date(q.to).getTime() : now;
  return { window: { from, to }, previous: { from: from - (to - from), to: from } };
}

const rate = z.number().nullable();

/** One group of a stats answer. Rates are null without the data behind them (no request, no feedback). */
export const statsGroupSchema = z.object({
  /** The group's value of each dimension grouped by. */
  key: z.partialRecord(z.enum(STATS_DIMENSIONS), z.string()),
  requests: z.number(),
  succeeded: z.number(),
  errorRate: rate,
  /** Failures by error code. */
  errors: z.record(z.string(), z.number()),
  costUsd: z.number(),
  costPerRequestUsd: rate,
  inputTokens: z.number(),
  outputTokens: z.number(),
  avgLatencyMs: rate,
  /**
   * Upper bound of the latency histogram's bucket that holds the median (the 95th percentile): "at most
   * this"; null when it lies past the last bound.
   */
  p50LatencyMs: rate,
  p95LatencyMs: rate,
  avgRating: rate,
  /** Ratings behind avgRating: its sample size. */
  ratingCount: z.number(),
  successRate: rate,
  /** Feedback that said success or not: successRate's sample size. */
  successCount: z.number(),
  /** Mean quality label, 0..1: success 1 or 0, otherwise the rating on 0..1 (4 stars = 0.75). */
  avgQuality: rate,
  /** Labelled requests: avgQuality's sample size. */
  qualityCount: z.number(),
});
export type StatsGroup = z.infer<typeof statsGroupSchema>;

/** How a group moved against the window before: current minus previous (null where either has no data). */
export const statsChangeSchema = z.object({
  requests: z.number(),
  costUsd: z.number(),
  errorRate: rate,
  costPerRequestUsd: rate,
  avgRating: rate,
  successRate: rate,
  avgQuality: rate,
  p50LatencyMs: rate,
  p95LatencyMs: rate,
});
export type StatsChange = z.infer<typeof statsChangeSchema>;

const windowSchema = z.object({ from: z.iso.datetime(), to: z.iso.datetime() });

/** The answer to a stats query. */
export const statsAnswerSchema = z.object({
  ok: z.literal(true),
  window: windowSchema,
  /** The window compared with; null when the query said compare: false. */
  previousWindow: windowSchema.nullable(),
  /** The tenant the answer is limited to; null for every tenant (admin keys only). */
  tenant: z.string().nullable(),
  groupBy: z.array(z.enum(STATS_DIMENSIONS)),
  /** Everything in the window, as one group. */
  total: statsGroupSchema.extend({ change: statsChangeSchema.nullable() }),
  groups: z.array(statsGroupSchema.extend({ change: statsChangeSchema.nullable() })),
});
export type StatsAnswer = z.infer<typeof statsAnswerSchema>;
