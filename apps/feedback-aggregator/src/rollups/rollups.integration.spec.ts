import { type RollupRow, addCounts, emptyCounts, recountRollups, rollupKey } from '@switchyard/analytics';
import {
  type CompletionFailed,
  type CompletionSucceeded,
  type FeedbackSubmitted,
  statsQuerySchema,
} from '@switchyard/contracts';
import { TenantAuthenticator } from '@switchyard/tenancy';
import { HoldMessageError } from '@switchyard/messaging';
import {
  FeedbackRepository,
  MONGO_CONNECT_OPTIONS,
  DAILY_ROLLUPS_COLLECTION,
  ROLLUPS_COLLECTION,
  RollupRepository,
  type RoutingRecordEntity,
  RoutingRecordRepository,
} from '@switchyard/persistence';
import { FreezingProxy, mongoUriFor, testInfra, uniqueName } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { RecordCompletion } from '../records/record-completion.usecase';
import { RecordFeedback } from '../records/record-feedback.usecase';
import { QueryStats } from '../stats/query-stats.usecase';
import { RollupCounter } from './rollup-counter';

const HOUR = 3600_000;
const T0 = Date.UTC(2026, 10, 2, 9);
const WINDOW = { from: T0 - HOUR, to: T0 + 5 * HOUR };
/** The UTC day of every record here: read from the daily rows. */
const DAY0 = { from: Date.UTC(2026, 10, 2), to: Date.UTC(2026, 10, 3) };

/** Hourly rows summed per UTC day: what the daily rows must hold. */
function byDay(rows: ReadonlyMap<string, RollupRow>): Map<string, RollupRow> {
  const days = new Map<string, RollupRow>();
  for (const row of rows.values()) {
    const dims = { ...row, hour: Math.floor(row.hour / (24 * HOUR)) * 24 * HOUR };
    const key = rollupKey(dims);
    days.set(key, { ...dims, ...addCounts(days.get(key) ?? emptyCounts(), row) });
  }
  return days;
}

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

function completion(i: number, rnd: () => number): CompletionSucceeded | CompletionFailed {
  const tenant = i % 3 === 0 ? 'beta' : 'acme';
  const completedAt = T0 + Math.floor(rnd() * 3 * HOUR);
  const rule = ['greeting', 'code', undefined][i % 3];
  const model = ['small', 'large', 'mid'][Math.floor(rnd() * 3)];
  const decision = {
    plan: { kind: 'single' as const, model },
    method: rule ? ('rule' as const) : ('difficulty' as const),
    reason: 'test',
    params: {},
    policyVersion: 'p@1',
    alternatives: [model],
    ...(rule ? { rule } : { band: '< 0.5' }),
    ...(i % 5 === 0 ? { canaryArm: 'candidate' as const } : {}),
  };
  const common = { requestId: `r-${i}`, tenant, receivedAt: completedAt - 100, completedAt, prompt: 'p', decision };
  if (i % 11 === 0)
    return {
      ...common,
      attempts: [],
      stage: 'provider',
      error: { code: i % 2 ? 'timeout' : 'provider_error', message: 'down' },
    };
  return {
    ...common,
    attempts: [{ model, provider: 'simulated', ok: true, latencyMs: 10 }],
    model,
    provider: 'simulated',
    answer: 'a',
    finishReason: 'stop',
    usage: { inputTokens: 10 + i, outputTokens: 5, estimated: false },
    costUsd: 0.0001 * (1 + (i % 7)) + rnd() * 1e-6,
    latency: { totalMs: Math.floor(rnd() * 3000), routingMs: 1, providerMs: 9 },
  };
}

// Runs against the real MongoDB-wire server: the increments the aggregator makes, checked against a recount.
describe('rollups kept by feedback-aggregator', () => {
  let connection: Connection;
  let records: RoutingRecordRepository;
  let rollups: RollupRepository;
  let counter: RollupCounter;
  let recordCompletion: RecordCompletion;
  let recordFeedback: RecordFeedback;

  beforeAll(async () => {
    connection = await mongoose.createConnection(mongoUriFor(uniqueName('rollups')), MONGO_CONNECT_OPTIONS).asPromise();
    records = new RoutingRecordRepository(connection);
    rollups = new RollupRepository(connection);
    const feedback = new FeedbackRepository(connection);
    await Promise.all([records.ensureIndexes(), rollups.ensureIndexes(), feedback.ensureIndexes()]);
    counter = new RollupCounter(rollups);
    recordCompletion = new RecordCompletion(records, counter, { RECORD_PROMPTS: 'full' });
    recordFeedback = new RecordFeedback({ FEEDBACK_HOLD_MS: 60_000 }, feedback, records, counter);
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  const recount = async () => {
    const all: RoutingRecordEntity[] = [];
    for await (const r of records.rollupSource(WINDOW)) all.push(r);
    return { rows: recountRollups(all), records: all.length };
  };

  /** Stored rows equal to the recount, floats up to rounding. */
  const expectRowsToMatch = (stored: RollupRow[], recounted: Map<string, RollupRow>) => {
    const nonEmpty = stored.filter((r) => r.requests !== 0 || r.qualityCount !== 0);
    expect(nonEmpty.map(rollupKey).sort()).toEqual([...recounted.keys()].sort());
    for (const row of nonEmpty) {
      const want = recounted.get(rollupKey(row)) as RollupRow;
      const { costUsd, latencyMsSum, qualitySum, qualitySqSum, ...exact } = row;
      const { costUsd: c, latencyMsSum: l, qualitySum: q, qualitySqSum: q2, ...wantExact } = want;
      expect(exact).toEqual(wantExact);
      expect(costUsd).toBeCloseTo(c, 12);
      expect(latencyMsSum).toBeCloseTo(l, 6);
      expect(qualitySum).toBeCloseTo(q, 9);
      expect(qualitySqSum).toBeCloseTo(q2, 9);
    }
  };

  it('counts each record once and its latest feedback once, whatever is redelivered, late or out of order', async () => {
    const rnd = prng(7);
    const events = Array.from({ length: 400 }, (_, i) => completion(i, rnd));
    const feedbackFor = (i: number, n: number, at: number, rating: number, success?: boolean): FeedbackSubmitted => ({
      feedbackId: `f-${i}-${n}`,
      requestId: `r-${i}`,
      tenant: events[i].tenant,
      rating,
      ...(success === undefined ? {} : { success }),
      submittedAt: at,
    });
    // Feedback on 40% of the requests; a fifth of those get a second, later one; some arrive first of all.
    const firsts = events.flatMap((_, i) =>
      i % 5 < 2 ? [feedbackFor(i, 1, Date.now(), 1 + (i % 5), i % 3 === 0)] : [],
    );
    const seconds = firsts
      .filter((_, k) => k % 5 === 0)
      .map((f) => ({ ...f, feedbackId: `${f.feedbackId}b`, rating: 5, submittedAt: f.submittedAt + 1000 }));
    const early = firsts.slice(0, 10);
    for (const f of early) await expect(recordFeedback.execute(f)).rejects.toBeInstanceOf(HoldMessageError);

    // Completions in concurrent bursts, each a third of them delivered twice.
    await Promise.all(events.map((e) => recordCompletion.execute(e)));
    await Promise.all(events.filter((_, i) => i % 3 === 0).map((e) => recordCompletion.execute(e)));
    // Feedback: the held ones redelivered, then all, seconds interleaved with their firsts' redeliveries,
    // and a first delivered again after its second (it must not roll the label back).
    await Promise.all(early.map((f) => recordFeedback.execute(f)));
    await Promise.all(firsts.map((f) => recordFeedback.execute(f)));
    await Promise.all([...seconds, ...firsts.slice(0, 20)].map((f) => recordFeedback.execute(f)));
    await Promise.all(firsts.filter((_, k) => k % 5 === 0).map((f) => recordFeedback.execute(f)));

    await rollups.flush();
    const { rows, records: n } = await recount();
    expect(n).toBe(events.length);
    const stored = await rollups.find(WINDOW);
    expectRowsToMatch(stored, rows);
    expect(rollups.failedWrites).toBe(0);
    const total = stored.reduce((a, r) => ({ requests: a.requests + r.requests, labels: a.labels + r.qualityCount }), {
      requests: 0,
      labels: 0,
    });
    expect(total).toEqual({ requests: events.length, labels: firsts.length });
    // The same increments went to the day's rows: a window of whole days reads those.
    expectRowsToMatch(await rollups.find(DAY0), byDay(rows));
    console.log(
      `${events.length} records, ${firsts.length + seconds.length} feedbacks -> ${stored.length} rollup rows, equal to a recount`,
    );
  }, 60_000);

  it('reconciles rows that drifted from their records back to the recount, and reports what it corrected', async () => {
    const { rows } = await recount();
    const [a, b] = [...rows.keys()];
    const collection = connection.collection(ROLLUPS_COLLECTION);
    await collection.updateOne({ _id: a } as never, { $inc: { requests: 5, ratingCount: -1 } });
    await collection.deleteOne({ _id: b } as never);
    const lostRequests = (rows.get(b) as RollupRow).requests;

    const outcome = await rollups.reconcile(WINDOW, rows);
    expect(outcome).toMatchObject({ corrected: 2, requestsAdded: lostRequests - 5 });
    expectRowsToMatch(await rollups.find(WINDOW), rows);
    // Reconciling again finds nothing to correct.
    expect(await rollups.reconcile(WINDOW, rows)).toMatchObject({ corrected: 0, requestsAdded: 0 });

    // A window of whole days also corrects the daily rows (from the hourly recount).
    const [d] = [...byDay(rows).keys()];
    await connection.collection(DAILY_ROLLUPS_COLLECTION).updateOne({ _id: d } as never, { $inc: { requests: 3 } });
    expect(await rollups.reconcile(DAY0, rows)).toMatchObject({ corrected: 0 });
    expectRowsToMatch(await rollups.find(DAY0), byDay(rows));
  }, 30_000);

  it('answers stats beyond the hourly rows kept only for whole days, and names the field otherwise', async () => {
    const stats = new QueryStats(rollups, new TenantAuthenticator(undefined, 'default'), { hourlyDays: 3 });
    const now = DAY0.to + 5 * 24 * HOUR; // the records' day is 5 days back: past the 3 days of hourly rows
    const whole = await stats.execute({
      query: statsQuerySchema.parse({ from: DAY0.from, to: DAY0.to, groupBy: ['tenant'], compare: false }),
      authorization: undefined,
      now,
    });
    expect(whole.total.requests).toBe(400);
    const partial = statsQuerySchema.parse({ from: WINDOW.from, to: WINDOW.to, compare: false });
    await expect(stats.execute({ query: partial, authorization: undefined, now })).rejects.toMatchObject({
      code: 'invalid_request',
      field: 'from',
      message: expect.stringMatching(/hourly detail is kept 3 days/),
    });
    // Within the hourly rows kept, any window is answered.
    const recent = await stats.execute({ query: partial, authorization: undefined, now: DAY0.to });
    expect(recent.total.requests).toBeGreaterThan(0);
  });

  it('answers stats as unavailable, naming the store, while MongoDB does not answer', async () => {
    const server = new URL(testInfra.mongoServer);
    const proxy = await FreezingProxy.start({ host: server.hostname, port: Number(server.port || 27017) });
    const credentials = server.username ? `${server.username}:${server.password}@` : '';
    const uri = `mongodb://${credentials}127.0.0.1:${proxy.port}/${connection.name}?socketTimeoutMS=1000&connectTimeoutMS=1000`;
    const through = await mongoose.createConnection(uri, MONGO_CONNECT_OPTIONS).asPromise();
    const frozenRollups = new RollupRepository(through);
    try {
      const stats = new QueryStats(frozenRollups, new TenantAuthenticator(undefined, 'default'), { hourlyDays: 3 });
      const query = statsQuerySchema.parse({ from: DAY0.from, to: DAY0.to, compare: false });
      const ask = () => stats.execute({ query, authorization: undefined, now: DAY0.to });
      const before = (await ask()).total.requests;
      proxy.freeze();
      await expect(ask()).rejects.toMatchObject({
        code: 'unavailable',
        retryAfterSeconds: 5,
        message: expect.stringMatching(/^the record store \(MongoDB\) is unavailable, reading the stats rollups: /),
      });
      proxy.thaw();
      expect((await ask()).total.requests).toBe(before);
    } finally {
      proxy.thaw();
      await frozenRollups.close();
      await through.close(true);
      await proxy.close();
    }
  }, 30_000);

  it("reads a window by tenant, and never another tenant's rows", async () => {
    const acme = await rollups.find({ ...WINDOW, tenant: 'acme' });
    expect(acme.length).toBeGreaterThan(0);
    expect(new Set(acme.map((r) => r.tenant))).toEqual(new Set(['acme']));
    const outside = await rollups.find({ from: WINDOW.to, to: WINDOW.to + HOUR });
    expect(outside).toEqual([]);
  });

  it('prunes hourly rows before a day, keeping the daily rows that hold the same sums', async () => {
    const daily = await rollups.find(DAY0);
    expect(await rollups.pruneHourly(DAY0.to)).toBeGreaterThan(0);
    expect(await rollups.find(WINDOW)).toEqual([]);
    expect(await rollups.find(DAY0)).toEqual(daily);
  });
});
