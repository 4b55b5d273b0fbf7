/**
 * Rollups: what stats, rule review and reports read instead of raw records. One row per hour × tenant ×
 * model × rule × method × canary arm, holding sums only, so rows add up across hours and groups, and a
 * record or a feedback changes a row by a known increment (its contribution) that can be applied, and
 * taken back, exactly.
 */

/** Upper bounds (ms) of the latency histogram's buckets; the last one takes the rest. */
export const LATENCY_BUCKETS_MS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000] as const;

/** What a routing record tells a rollup. */
export interface RollupRecord {
  tenant: string;
  completedAt?: Date | string | number;
  status?: 'succeeded' | 'failed';
  model?: string;
  rule?: string;
  method?: string;
  decision?: { rule?: string; band?: string; method?: string; canaryArm?: string; plan?: { model?: string } };
  error?: { code?: string };
  costUsd?: number;
  usage?: { inputTokens?: number; outputTokens?: number };
  latency?: { totalMs?: number };
  feedback?: RollupFeedback;
}

/** The part of a feedback summary a rollup counts. */
export interface RollupFeedback {
  submittedAt?: Date | string | number;
  feedbackId?: string;
  rating?: number;
  success?: boolean;
}

/** The dimensions of a rollup row. */
export interface RollupDims {
  /** Start of the UTC hour, epoch ms. */
  hour: number;
  tenant: string;
  /** The model that answered; for a failure, the one the decision chose, or `(none)`. */
  model: string;
  /** The rule that decided; for the difficulty level `band < 0.5`; otherwise the method in brackets. */
  rule: string;
  method: string;
  /** `control`, `candidate`, or `none` without a canary. */
  arm: string;
}

/** The sums a rollup row holds. Every field adds up. */
export interface RollupCounts {
  requests: number;
  succeeded: number;
  /** Failures by error code. */
  errors: Record<string, number>;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  latencyMsSum: number;
  /** Requests by latency bucket: key `le<bound>` or `inf`. */
  latency: Record<string, number>;
  ratingSum: number;
  ratingCount: number;
  /** Feedback that said whether the answer did the job, and how many said yes. */
  successCount: number;
  successes: number;
  /** Labelled requests (any feedback) and their quality labels' sum and sum of squares (qualityOf). */
  qualityCount: number;
  qualitySum: number;
  qualitySqSum: number;
}

export type RollupRow = RollupDims & RollupCounts;

const HOUR_MS = 3600_000;

export function hourOf(at: Date | string | number | undefined): number {
  const ms = at === undefined ? Date.now() : new Date(at).getTime();
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** Which rollup row a record counts in. */
export function rollupDimsOf(record: RollupRecord): RollupDims {
  const method = record.method ?? record.decision?.method ?? 'none';
  const rule =
    record.rule ?? record.decision?.rule ?? (record.decision?.band ? `band ${record.decision.band}` : `(${method})`);
  return {
    hour: hourOf(record.completedAt),
    tenant: record.tenant,
    model: record.model ?? record.decision?.plan?.model ?? '(none)',
    rule,
    method,
    arm: record.decision?.canaryArm ?? 'none',
  };
}

/** The row's id: its dimensions in a fixed order (none of them can contain `|`). */
export function rollupKey(d: RollupDims): string {
  return [new Date(d.hour).toISOString(), d.tenant, d.model, d.rule, d.method, d.arm].join('|');
}

export function emptyCounts(): RollupCounts {
  return {
    requests: 0,
    succeeded: 0,
    errors: {},
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    latencyMsSum: 0,
    latency: {},
    ratingSum: 0,
    ratingCount: 0,
    successCount: 0,
    successes: 0,
    qualityCount: 0,
    qualitySum: 0,
    qualitySqSum: 0,
  };
}

export function latencyBucket(ms: number): string {
  const bound = LATENCY_BUCKETS_MS.find((b) => ms <= b);
  return bound === undefined ? 'inf' : `le${bound}`;
}

/** What a completed request adds to its row, its feedback aside. */
export function completionContribution(record: RollupRecord): RollupCounts {
  const c = emptyCounts();
  c.requests = 1;
  if (record.status === 'failed') c.errors[record.error?.code ?? 'unknown'] = 1;
  else c.succeeded = 1;
  c.costUsd = record.costUsd ?? 0;
  c.inputTokens = record.usage?.inputTokens ?? 0;
  c.outputTokens = record.usage?.outputTokens ?? 0;
  const ms = record.latency?.totalMs;
  if (ms !== undefined) {
    c.latencyMsSum = ms;
    c.latency[latencyBucket(ms)] = 1;
  }
  return c;
}

/**
 * A request's quality label, 0..1, from its feedback: whether it did the job when the caller said so (1 or
 * 0), otherwise its rating mapped onto 0..1 (1 star 0, 5 stars 1, so 4 stars is 0.75). Undefined without
 * either.
 */
export function qualityOf(feedback: RollupFeedback | undefined): number | undefined {
  if (feedback?.success !== undefined) return feedback.success ? 1 : 0;
  if (feedback?.rating !== undefined) return (feedback.rating - 1) / 4;
  return undefined;
}

/** What one feedback adds to its record's row (sign -1 takes it back). */
export function feedbackContribution(feedback: RollupFeedback | undefined, sign: 1 | -1 = 1): RollupCounts {
  const c = emptyCounts();
  if (!feedback) return c;
  if (feedback.rating !== undefined) {
    c.ratingSum = sign * feedback.rating;
    c.ratingCount = sign;
  }
  if (feedback.success !== undefined) {
    c.successCount = sign;
    c.successes = feedback.success ? sign : 0;
  }
  const q = qualityOf(feedback);
  if (q !== undefined) {
    c.qualityCount = sign;
    c.qualitySum = sign * q;
    c.qualitySqSum = sign * q * q;
  }
  return c;
}

/**
 * The change a feedback makes to its record's row, given the feedback the record carried before it. A
 * record keeps its latest feedback only, as the record store's `$max` on the summary decides it: the later
 * `submittedAt` wins, and at the same time the greater `feedbackId`. So a later feedback replaces an
 * earlier one's contribution, and an earlier or repeated one changes nothing (undefined).
 */
export function feedbackDelta(before: RollupFeedback | undefined, after: RollupFeedback): RollupCounts | undefined {
  if (before !== undefined && !supersedes(after, before)) return undefined;
  return addCounts(feedbackContribution(after), feedbackContribution(before, -1));
}

function supersedes(after: RollupFeedback, before: RollupFeedback): boolean {
  const t = (f: RollupFeedback) => (f.submittedAt === undefined ? -Infinity : new Date(f.submittedAt).getTime());
  if (t(after) !== t(before)) return t(after) > t(before);
  return (after.feedbackId ?? '') > (before.feedbackId ?? '');
}

/** The sum of two rows' counts. */
export function addCounts(a: RollupCounts, b: RollupCounts): RollupCounts {
  const sumMaps = (x: Record<string, number>, y: Record<string, number>) => {
    const out = { ...x };
    for (const [k, v] of Object.entries(y)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  return {
    requests: a.requests + b.requests,
    succeeded: a.succeeded + b.succeeded,
    errors: sumMaps(a.errors, b.errors),
    costUsd: a.costUsd + b.costUsd,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    latencyMsSum: a.latencyMsSum + b.latencyMsSum,
    latency: sumMaps(a.latency, b.latency),
    ratingSum: a.ratingSum + b.ratingSum,
    ratingCount: a.ratingCount + b.ratingCount,
    successCount: a.successCount + b.successCount,
    successes: a.successes + b.successes,
    qualityCount: a.qualityCount + b.qualityCount,
    qualitySum: a.qualitySum + b.qualitySum,
    qualitySqSum: a.qualitySqSum + b.qualitySqSum,
  };
}

/** Counts as flat `$inc` fields (`errors.timeout`, `latency.le100`), zeros left out. */
export function incrementsOf(c: RollupCounts): Record<string, number> {
  const inc: Record<string, number> = {};
  const put = (k: string, v: number) => {
    if (v !== 0) inc[k] = v;
  };
  put('requests', c.requests);
  put('succeeded', c.succeeded);
  for (const [code, n] of Object.entries(c.errors)) put(`errors.${code}`, n);
  put('costUsd', c.costUsd);
  put('inputTokens', c.inputTokens);
  put('outputTokens', c.outputTokens);
  put('latencyMsSum', c.latencyMsSum);
  for (const [bucket, n] of Object.entries(c.latency)) put(`latency.${bucket}`, n);
  put('ratingSum', c.ratingSum);
  put('ratingCount', c.ratingCount);
  put('successCount', c.successCount);
  put('successes', c.successes);
  put('qualityCount', c.qualityCount);
  put('qualitySum', c.qualitySum);
  put('qualitySqSum', c.qualitySqSum);
  return inc;
}

/** Every record's rollup rows recomputed from the records themselves: the reference the increments must match. */
export function recountRollups(records: Iterable<RollupRecord>): Map<string, RollupRow> {
  const rows = new Map<string, RollupRow>();
  for (const record of records) addToRecount(rows, record);
  return rows;
}

/** Adds one record to a recount (for records read one at a time, from a cursor). */
export function addToRecount(rows: Map<string, RollupRow>, record: RollupRecord): void {
  const dims = rollupDimsOf(record);
  const key = rollupKey(dims);
  const counts = addCounts(completionContribution(record), feedbackContribution(record.feedback));
  const current = rows.get(key);
  rows.set(key, { ...dims, ...addCounts(current ?? emptyCounts(), counts) });
}

/** Float sums ($inc of costs and quality labels, some taken back) differ from a recount by rounding only. */
export const FLOAT_TOLERANCE = 1e-9;

/** What must be added to `have` to make it `want` (zero where they agree, floats within FLOAT_TOLERANCE). */
export function countsDifference(want: RollupCounts, have: RollupCounts): RollupCounts {
  const negated = addCounts(emptyCounts(), have);
  const diff = addCounts(want, scaleCounts(negated, -1));
  const round = (v: number) => (Math.abs(v) <= FLOAT_TOLERANCE * Math.max(1, Math.abs(v)) ? 0 : v);
  return {
    ...diff,
    costUsd: round(diff.costUsd),
    latencyMsSum: round(diff.latencyMsSum),
    qualitySum: round(diff.qualitySum),
    qualitySqSum: round(diff.qualitySqSum),
  };
}

export function scaleCounts(c: RollupCounts, k: number): RollupCounts {
  const scaleMap = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([key, v]) => [key, v * k]));
  return {
    requests: c.requests * k,
    succeeded: c.succeeded * k,
    errors: scaleMap(c.errors),
    costUsd: c.costUsd * k,
    inputTokens: c.inputTokens * k,
    outputTokens: c.outputTokens * k,
    latencyMsSum: c.latencyMsSum * k,
    latency: scaleMap(c.latency),
    ratingSum: c.ratingSum * k,
    ratingCount: c.ratingCount * k,
    successCount: c.successCount * k,
    successes: c.successes * k,
    qualityCount: c.qualityCount * k,
    qualitySum: c.qualitySum * k,
    qualitySqSum: c.qualitySqSum * k,
  };
}

/** The counts part of a row (what addCounts and the like take). */
export function countsOf(row: Partial<RollupCounts>): RollupCounts {
  return addCounts(emptyCounts(), { ...emptyCounts(), ...row, errors: row.errors ?? {}, latency: row.latency ?? {} });
}
