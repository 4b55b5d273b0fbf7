import { performance } from 'node:perf_hooks';
import { type RollupRecord, type RollupRow, addToRecount, answerStats, summarizeRollups } from '@switchyard/analytics';
import { type StatsDimension, type StatsGroup, statsQuerySchema, statsWindows } from '@switchyard/contracts';
import {
  MONGO_CONNECT_OPTIONS,
  RollupRepository,
  type RollupGrain,
  RoutingRecordRepository,
} from '@switchyard/persistence';
import { mulberry32 } from '@switchyard/routing';
import mongoose from 'mongoose';
import { type BenchOutcome, finiteOrNull } from './bench-outcome';

export interface BenchStatsOptions {
  /** Server part of the MongoDB URI; the bench uses a database of its own there, dropped at the end. */
  mongoServer: string;
  records: number;
  days: number;
  rounds: number;
  /** Keep the database (and reuse it next time when it holds as many records). */
  keep: boolean;
}

/** What `bench stats` measured (`--json`). */
export interface BenchStatsResult {
  settings: {
    records: number;
    days: number;
    rounds: number;
    groupBy: StatsDimension[];
    /** --keep found the records of an earlier run and reused them. */
    reusedDatabase: boolean;
  };
  /** Writing the records and their rollups; null when they were reused. */
  setup: { writeRecordsMs: number; recordsPerSecond: number; writeRollupsMs: number } | null;
  rollupRows: { hourly: number; daily: number };
  /** Requests in the queried window, and the groups of the answer (from the daily rollups). */
  windowRequests: number;
  groups: number;
  /** Each round's time of the same query, answered three ways. */
  roundsMs: { dailyRollups: number[]; hourlyRollups: number[]; records: number[] };
  medianMs: { dailyRollups: number; hourlyRollups: number; records: number };
  recordsToDailyRatio: number | null;
  recordsToHourlyRatio: number | null;
  /** The rollups and the records gave the same requests, labels and cost in every group: the bench's check. */
  sameAnswer: boolean;
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const DB = 'switchyard_bench_stats';
const DAY = 24 * 3600_000;
const BATCH = 5000;

const TENANTS = ['acme', 'beta', 'gamma'];
const MODELS = ['gpt-4o-mini', 'claude-3-haiku', 'claude-3-sonnet', 'gpt-4o'];
/** What decides, and the model it routes to (the learned router picks per prompt). */
const TARGETS: Array<{ rule?: string; band?: string; method: string; model?: string }> = [
  { rule: 'greeting', method: 'rule', model: 'gpt-4o-mini' },
  { rule: 'code_generation', method: 'rule', model: 'claude-3-sonnet' },
  { rule: 'financial_analysis', method: 'rule', model: 'gpt-4o' },
  { band: '< 0.2', method: 'difficulty', model: 'gpt-4o-mini' },
  { band: '< 0.5', method: 'difficulty', model: 'claude-3-haiku' },
  { band: '< 0.8', method: 'difficulty', model: 'claude-3-sonnet' },
  { band: '>= 0.8', method: 'difficulty', model: 'gpt-4o' },
  { method: 'learned' },
];

/**
 * `switchyard bench stats`: what the rollups buy. Writes N synthetic routing records spread over D days
 * (3 tenants, 4 models, 3 rules, 4 bands and the learned router, exploration and fallback, a canary, 20%
 * rated, 2% failed) into a database of its own, builds their rollups with the optimizer's recount, then
 * times the same stats query (D days by model and rule, compared with the D days before) answered from
 * the rollups and answered by reading the records, alternately, and checks that both give the same numbers.
 */
export async function runBenchStats(opts: BenchStatsOptions): Promise<BenchOutcome<BenchStatsResult>> {
  const db = await mongoose.createConnection(`${opts.mongoServer}/${DB}`, MONGO_CONNECT_OPTIONS).asPromise();
  try {
    const records = new RoutingRecordRepository(db);
    const rollups = new RollupRepository(db);
    const now = Date.now();
    const window = { from: now - opts.days * DAY, to: now };
    const existing = await db.collection('routing_records').estimatedDocumentCount();
    let setup: BenchStatsResult['setup'] = null;
    if (!opts.keep || existing !== opts.records) {
      await db.dropDatabase();
      await Promise.all([records.ensureIndexes(), rollups.ensureIndexes()]);
      // The records' rollups are counted as they are made (addToRecount: what the aggregator's increments add
      // up to, tests/rollups.integration.spec.ts), then written as corrections to empty collections.
      const recount = new Map<string, RollupRow>();
      const writeRecordsMs = await writeRecords(db, opts.records, window, recount);
      out(`writing the rollups (the optimizer's reconciliation into empty collections)...`);
      const started = performance.now();
      const span = { from: Math.floor(window.from / DAY) * DAY, to: Math.ceil((now + 1) / DAY) * DAY };
      const outcome = await rollups.reconcile(span, recount);
      const writeRollupsMs = performance.now() - started;
      const daily = await db.collection('rollups_daily').countDocuments();
      out(`  ${outcome.rows} hourly and ${daily} daily rows in ${(writeRollupsMs / 1000).toFixed(1)} s`);
      setup = { writeRecordsMs, recordsPerSecond: opts.records / (writeRecordsMs / 1000), writeRollupsMs };
    } else out(`reusing ${existing} records and their rollups in ${DB} (--keep)`);
    const rowCount = {
      hour: await db.collection('rollups').countDocuments(),
      day: await db.collection('rollups_daily').countDocuments(),
    };

    const query = statsQuerySchema.parse({ groupBy: ['model', 'rule'], days: opts.days });
    const windows = statsWindows(query, now);
    // The daily rows (a window of whole days, as `days` asks), or the hourly ones (any other window).
    const fromRollups = async (grain: RollupGrain = 'day') => {
      const [rows, previous] = await Promise.all([
        rollups.find(windows.window, grain),
        rollups.find(windows.previous, grain),
      ]);
      return answerStats({
        query,
        window: windows.window,
        rows,
        tenant: null,
        previous: { window: windows.previous, rows: previous },
      });
    };
    const fromRecords = async () => {
      const recount = new Map<string, RollupRow>();
      for await (const record of records.rollupSource(windows.window)) addToRecount(recount, record);
      return summarizeRollups(recount.values(), query.groupBy);
    };

    out(`\ntiming the stats query (${opts.days} days by model and rule), ${opts.rounds} rounds each, alternating:`);
    const times = { rollups: [] as number[], hourly: [] as number[], records: [] as number[] };
    let a: Awaited<ReturnType<typeof fromRollups>> | undefined;
    let b: Awaited<ReturnType<typeof fromRecords>> | undefined;
    for (let round = 0; round < opts.rounds; round++) {
      let t = performance.now();
      a = await fromRollups();
      times.rollups.push(performance.now() - t);
      t = performance.now();
      await fromRollups('hour');
      times.hourly.push(performance.now() - t);
      t = performance.now();
      b = await fromRecords();
      times.records.push(performance.now() - t);
      out(
        `  round ${round + 1}: daily rollups ${times.rollups[round].toFixed(0)} ms, hourly rollups ${times.hourly[round].toFixed(0)} ms, records ${times.records[round].toFixed(0)} ms`,
      );
    }
    if (!a || !b) throw new Error('no round was timed');
    const result = summarizeStats({
      settings: {
        records: opts.records,
        days: opts.days,
        rounds: opts.rounds,
        groupBy: query.groupBy,
        reusedDatabase: setup === null,
      },
      setup,
      rollupRows: { hourly: rowCount.hour, daily: rowCount.day },
      windowRequests: a.total.requests,
      groups: a.groups.length,
      roundsMs: { dailyRollups: times.rollups, hourlyRollups: times.hourly, records: times.records },
      sameAnswer: sameAnswer(a.groups, b, query.groupBy),
    });
    out('');
    for (const line of statsReport(result)) out(line);
    if (!opts.keep) await db.dropDatabase();
    return { exitCode: result.sameAnswer ? 0 : 1, result };
  } finally {
    await db.close();
  }
}

/** The medians of the rounds and how they compare. */
export function summarizeStats(
  measured: Omit<BenchStatsResult, 'medianMs' | 'recordsToDailyRatio' | 'recordsToHourlyRatio'>,
): BenchStatsResult {
  const median = (xs: readonly number[]) =>
    xs.length > 0 ? [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] : NaN;
  const { roundsMs } = measured;
  const medianMs = {
    dailyRollups: median(roundsMs.dailyRollups),
    hourlyRollups: median(roundsMs.hourlyRollups),
    records: median(roundsMs.records),
  };
  const { sameAnswer: same, ...rest } = measured;
  return {
    ...rest,
    medianMs,
    recordsToDailyRatio: finiteOrNull(medianMs.records / medianMs.dailyRollups),
    recordsToHourlyRatio: finiteOrNull(medianMs.records / medianMs.hourlyRollups),
    sameAnswer: same,
  };
}

/**
 * Whether the rollups and the records gave the same answer: the same groups, and in each the same requests,
 * labels and cost (to a micro-dollar: sums in another order round differently).
 */
export function sameAnswer(
  fromRollups: readonly StatsGroup[],
  fromRecords: readonly StatsGroup[],
  groupBy: readonly StatsDimension[],
): boolean {
  return (
    fromRollups.length === fromRecords.length &&
    fromRollups.every((g) => {
      const o = fromRecords.find((x) => groupBy.every((d) => x.key[d] === g.key[d]));
      return (
        o !== undefined &&
        o.requests === g.requests &&
        o.qualityCount === g.qualityCount &&
        Math.abs(o.costUsd - g.costUsd) < 1e-6
      );
    })
  );
}

/** The report's closing lines: the result in words. */
export function statsReport(r: BenchStatsResult): string[] {
  const { settings: s, medianMs: m } = r;
  const ratio = (x: number | null) => (x === null ? '-' : `${x.toFixed(1)}x`);
  return [
    `${s.records} records over ${s.days} days: ${r.rollupRows.hourly} hourly and ${r.rollupRows.daily} daily rollup rows; ` +
      `${r.windowRequests} requests in the window, ${r.groups} groups`,
    `stats from the daily rollups: median ${m.dailyRollups.toFixed(0)} ms; from the hourly rollups: ${m.hourlyRollups.toFixed(0)} ms; ` +
      `from the records: ${m.records.toFixed(0)} ms. Records / daily: ${ratio(r.recordsToDailyRatio)}; records / hourly: ${ratio(r.recordsToHourlyRatio)}`,
    `same answer both ways (requests, labels, cost per group): ${r.sameAnswer ? 'yes' : 'NO'}`,
  ];
}

/** Writes the records in batches, counting their rollups into `recount`; how long it took, in ms. */
async function writeRecords(
  db: mongoose.Connection,
  n: number,
  window: { from: number; to: number },
  recount: Map<string, RollupRow>,
): Promise<number> {
  const rnd = mulberry32(42); // the same records every run
  const collection = db.collection('routing_records');
  const started = performance.now();
  let batch: Array<Record<string, unknown>> = [];
  let lastReport = started;
  for (let i = 0; i < n; i++) {
    const record = synthetic(i, rnd, window);
    addToRecount(recount, record as unknown as RollupRecord);
    batch.push(record);
    if (batch.length === BATCH || i === n - 1) {
      await collection.insertMany(batch as never[], { ordered: false });
      batch = [];
      if (performance.now() - lastReport > 5000 || i === n - 1) {
        lastReport = performance.now();
        const s = (lastReport - started) / 1000;
        out(`  ${i + 1}/${n} records written (${Math.round((i + 1) / s)}/s)`);
      }
    }
  }
  return performance.now() - started;
}

function synthetic(i: number, rnd: () => number, window: { from: number; to: number }): Record<string, unknown> {
  const tenant = TENANTS[Math.floor(rnd() * TENANTS.length)];
  const target = TARGETS[Math.floor(rnd() * TARGETS.length)];
  const r = rnd();
  // 5% explored (another model at random), 2% fallen back to the cheapest.
  const method = r < 0.05 ? 'explore' : r < 0.07 ? 'fallback' : target.method;
  const model =
    method === 'fallback'
      ? MODELS[0]
      : method === 'explore' || !target.model
        ? MODELS[Math.floor(rnd() * MODELS.length)]
        : target.model;
  const failed = rnd() < 0.02;
  const completedAt = new Date(window.from + Math.floor(rnd() * (window.to - window.from)));
  // A canary over the last week, sticky by tenant: gamma in the candidate arm, the others in control.
  const arm = completedAt.getTime() > window.to - 7 * DAY ? (tenant === 'gamma' ? 'candidate' : 'control') : undefined;
  const record: RollupRecord & { _id: string; requestId: string; receivedAt: Date } = {
    _id: `${tenant}:bench-${i}`,
    requestId: `bench-${i}`,
    tenant,
    receivedAt: completedAt,
    completedAt,
    status: failed ? 'failed' : 'succeeded',
    method,
    ...(target.rule ? { rule: target.rule } : {}),
    decision: {
      method,
      ...(target.rule ? { rule: target.rule } : {}),
      ...(target.band ? { band: target.band } : {}),
      ...(arm ? { canaryArm: arm } : {}),
      plan: { model },
    },
    ...(failed
      ? { error: { code: rnd() < 0.5 ? 'timeout' : 'provider_error' } }
      : {
          model,
          costUsd: Math.round(rnd() * 2000) / 1e6,
          usage: { inputTokens: 20 + Math.floor(rnd() * 500), outputTokens: Math.floor(rnd() * 800) },
          latency: { totalMs: Math.floor(rnd() * rnd() * 5000) },
        }),
    ...(rnd() < 0.2
      ? {
          feedback: {
            submittedAt: completedAt,
            feedbackId: `f-${i}`,
            rating: 1 + Math.floor(rnd() * 5),
            success: rnd() < 0.7,
          },
        }
      : {}),
  };
  return record as unknown as Record<string, unknown>;
}
