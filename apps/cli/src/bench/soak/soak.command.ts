import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type ChatReply, DEAD_LETTER_STREAM, DURABLE_CONSUMERS, EVENTS_STREAM, SUBJECTS } from '@switchyard/contracts';
import { findWorkspaceRoot } from '@switchyard/launcher';
import type { Connection } from 'mongoose';
import { type BenchOutcome, finiteOrNull } from '../bench-outcome';
import { instantStack, runDatabaseWithKey, stopStack } from '../bench-stack';
import { bearerHeaders } from '../../auth-headers';
import { startPrivateNats } from '../overhead/child-processes';
import { ensureInfra } from '../overhead/overhead.command';
import { runOpenLoop } from '../overhead/open-loop';
import { type StepSummary, summarizeStep } from '../overhead/overhead-stats';

export interface BenchSoakOptions {
  minutes: number;
  /** Requests offered per second, open loop. */
  rate: number;
  /** Share of answered requests that get feedback, sent the moment the answer arrives. */
  feedbackShare: number;
  timeoutMs: number;
  natsUrl: string;
  redisUrl: string;
  mongoServer: string;
}

/** What `bench soak` measured and found (`--json`). */
export interface BenchSoakResult {
  settings: { minutes: number; seconds: number; rateRps: number; feedbackShare: number; timeoutMs: number };
  /** The load, latency from each send's scheduled time (null when nothing was answered). */
  load: {
    sent: number;
    answered: number;
    /** Answered with an error. */
    refused: number;
    /** No reply within the timeout. */
    lost: number;
    achievedRps: number;
    p50Ms: number | null;
    p95Ms: number | null;
    p99Ms: number | null;
    maxMs: number | null;
  };
  refusedByCode: Record<string, number>;
  /** One record per answered request is expected. */
  records: { stored: number; missing: number; duplicated: number; firstMissingRequestIds: string[] };
  ratings: {
    answersRated: number;
    /** Feedback the door refused. */
    feedbackRefused: number;
    onRecords: number;
    missing: number;
    wrong: number;
  };
  deadLetters: number;
  /** Completion events feedback-aggregator had yet to store. */
  backlog: {
    maxEventsNotYetStored: number;
    /** From the end of the load until the backlog was gone, or the wait gave up. */
    drainMs: number;
    /** Left when the wait ended: 0 when all were stored, null when unknown. */
    eventsLeft: number | null;
  };
  /** Every answered request recorded once with its rating, no feedback refused and nothing lost: the check. */
  clean: boolean;
}

/** What the database holds against what was answered and rated (see verify). */
export interface SoakCheck {
  found: number;
  missing: string[];
  unrated: string[];
  duplicates: number;
  wrongRating: number;
}

const DB = 'switchyard_bench_soak';
const TENANT = 'soak';
/** Waiting for the backlog ends after this long without progress. */
const STALL_MS = 60_000;
const out = (line = '') => process.stdout.write(`${line}\n`);

/**
 * The system of record under sustained load: the six services (default policy, instant simulated
 * provider) take `rate` requests per second for `minutes`, each with its own request id, and feedback on a
 * share of the answers the moment they arrive (racing their records). At the end every answered request
 * must have exactly one record, and every rated one its rating: the numbers say what was lost, if anything.
 */
export async function runBenchSoak(opts: BenchSoakOptions): Promise<BenchOutcome<BenchSoakResult>> {
  const root = findWorkspaceRoot();
  ensureInfra(root);
  const teardown: Array<() => Promise<unknown>> = [];
  let exitCode = 0;
  let result: BenchSoakResult | undefined;
  try {
    const nats = await startPrivateNats();
    teardown.unshift(nats.stop);
    const run = `${Date.now().toString(36)}${process.pid.toString(36)}`;
    const { db, uri, key, drop } = await runDatabaseWithKey(opts.mongoServer, DB, run, TENANT);
    teardown.unshift(drop);
    const nc = await connect({ servers: nats.url, name: 'switchyard-bench-soak', noAsyncTraces: true });
    teardown.unshift(() => nc.close());

    const stack = instantStack({
      root,
      natsUrl: nats.url,
      redisUrl: opts.redisUrl,
      mongoUri: uri,
      timeoutMs: opts.timeoutMs,
      run: `soak-${run}`,
    });
    teardown.unshift(async () => {
      if (!(await stopStack(stack, out))) exitCode = 1;
    });
    out('Starting the six services (default policy, simulated provider, private NATS)...');
    await stack.start();
    result = await soak(nc, db, key, run, opts);
    exitCode = result.clean ? 0 : 1;
  } catch (err) {
    process.stderr.write(`bench soak failed: ${(err as Error).message}\n`);
    exitCode = 1;
  } finally {
    out('\nStopping the services and the private NATS...');
    for (const step of teardown) await step().catch((err: Error) => out(`  cleanup: ${err.message}`));
  }
  return { exitCode, result };
}

async function soak(
  nc: NatsConnection,
  db: Connection,
  key: string,
  run: string,
  opts: BenchSoakOptions,
): Promise<BenchSoakResult> {
  const headers = bearerHeaders(key);
  const answered: string[] = [];
  const rated = new Map<string, number>();
  const failures = new Map<string, number>();
  const feedbackSends: Array<Promise<unknown>> = [];
  let feedbackRefused = 0;
  let sent = 0;
  const send = async (): Promise<boolean> => {
    const requestId = `soak-${run}-${sent++}`;
    const body = JSON.stringify({ requestId, messages: [{ role: 'user', content: `soak question ${sent % 500}` }] });
    const reply = (await nc.request(SUBJECTS.request, body, { timeout: opts.timeoutMs, headers })).json<ChatReply>();
    if (!reply.ok) {
      failures.set(reply.error.code, (failures.get(reply.error.code) ?? 0) + 1);
      return false;
    }
    answered.push(requestId);
    if (Math.random() < opts.feedbackShare) {
      const rating = 1 + (sent % 5);
      rated.set(requestId, rating);
      feedbackSends.push(
        nc
          .request(SUBJECTS.feedback, JSON.stringify({ requestId, rating }), { timeout: opts.timeoutMs, headers })
          .then((m) => {
            if (!m.json<{ ok: boolean }>().ok) feedbackRefused++;
          }),
      );
    }
    return true;
  };

  const seconds = Math.round(opts.minutes * 60);
  out(
    `\nOffering ${opts.rate} requests/s for ${seconds} s, open loop, feedback on ${opts.feedbackShare * 100}% of answers...`,
  );
  // Progress from the events stream's consumer (what feedback-aggregator has yet to store), not from the
  // database: counting there would compete with the writes it measures.
  const jsm = await jetstreamManager(nc);
  const backlog = async () => {
    const info = await jsm.consumers.info(EVENTS_STREAM.name, DURABLE_CONSUMERS.records).catch(() => undefined);
    return info ? info.num_pending + info.num_ack_pending : undefined;
  };
  const started = Date.now();
  let worstBacklog = 0;
  const ticker = setInterval(() => {
    void backlog().then((n) => {
      worstBacklog = Math.max(worstBacklog, n ?? 0);
      out(
        `  ${Math.round((Date.now() - started) / 1000)} s: sent ${sent}, answered ${answered.length}, ` +
          `failed ${[...failures.values()].reduce((a, b) => a + b, 0)}, rated ${rated.size}, events not yet stored ${n ?? '?'}`,
      );
    });
  }, 15_000);
  const step = summarizeStep(await runOpenLoop(send, { rateRps: opts.rate, seconds }));
  clearInterval(ticker);
  await Promise.allSettled(feedbackSends);

  out(
    `\nLoad done: ${step.sent} sent, ${step.ok} answered, ${step.failed} refused, ${step.lost} with no reply in time;`,
  );
  out(`  latency from the scheduled send: p50 ${step.p50Ms?.toFixed(2)} ms, p99 ${step.p99Ms?.toFixed(2)} ms`);
  out('Waiting for every record and rating to be stored...');
  // A backlog left by the load (the machine's cores are shared by every process of the system) is waited
  // out for as long as it keeps shrinking; a minute without progress ends the wait, and the run says so.
  const settleStarted = Date.now();
  let left = await backlog();
  let lastProgress = Date.now();
  let lastReport = Date.now();
  while (left !== 0 && Date.now() - lastProgress < STALL_MS) {
    await sleep(1000);
    const before = left;
    left = await backlog();
    // An unreadable backlog is not progress: a consumer that stays unreadable ends the wait like a stall.
    if (left !== undefined && (before === undefined || left < before)) lastProgress = Date.now();
    if (Date.now() - lastReport >= 15_000) {
      lastReport = Date.now();
      out(`  ${Math.round((Date.now() - settleStarted) / 1000)} s after: ${left ?? '?'} events not yet stored`);
    }
  }
  const drainedMs = Date.now() - settleStarted;
  // Then the database is read once, all of it: what is there is what was stored.
  const check = await verify(db, answered, rated);
  const letters = (await jsm.streams.info(DEAD_LETTER_STREAM.name).catch(() => undefined))?.state.messages ?? 0;

  const result = summarizeSoak({
    settings: {
      minutes: opts.minutes,
      seconds,
      rateRps: opts.rate,
      feedbackShare: opts.feedbackShare,
      timeoutMs: opts.timeoutMs,
    },
    step,
    failures: Object.fromEntries(failures),
    check,
    rated: rated.size,
    feedbackRefused,
    deadLetters: letters,
    backlog: { maxEventsNotYetStored: worstBacklog, drainMs: drainedMs, eventsLeft: left ?? null },
  });
  out('');
  for (const line of soakReport(result)) out(line);
  return result;
}

/** The counts of a run, and whether it was clean. */
export function summarizeSoak(input: {
  settings: BenchSoakResult['settings'];
  step: StepSummary;
  failures: Record<string, number>;
  check: SoakCheck;
  /** Answers rated. */
  rated: number;
  feedbackRefused: number;
  deadLetters: number;
  backlog: BenchSoakResult['backlog'];
}): BenchSoakResult {
  const { step, check } = input;
  return {
    settings: input.settings,
    load: {
      sent: step.sent,
      answered: step.ok,
      refused: step.failed,
      lost: step.lost,
      achievedRps: step.achievedRps,
      p50Ms: finiteOrNull(step.p50Ms),
      p95Ms: finiteOrNull(step.p95Ms),
      p99Ms: finiteOrNull(step.p99Ms),
      maxMs: finiteOrNull(step.maxMs),
    },
    refusedByCode: input.failures,
    records: {
      stored: check.found,
      missing: check.missing.length,
      duplicated: check.duplicates,
      firstMissingRequestIds: check.missing.slice(0, 10),
    },
    ratings: {
      answersRated: input.rated,
      feedbackRefused: input.feedbackRefused,
      onRecords: input.rated - check.unrated.length,
      missing: check.unrated.length,
      wrong: check.wrongRating,
    },
    deadLetters: input.deadLetters,
    backlog: input.backlog,
    clean:
      check.missing.length === 0 &&
      check.unrated.length === 0 &&
      check.duplicates === 0 &&
      check.wrongRating === 0 &&
      input.feedbackRefused === 0 &&
      step.lost === 0,
  };
}

/** The report's closing lines: the result in words. */
export function soakReport(r: BenchSoakResult): string[] {
  const left = r.backlog.eventsLeft;
  const drained = left === 0 ? 'all stored' : left === null ? 'the backlog unknown' : `${left} still not stored`;
  const lines = [
    '== Soak result',
    `  requests answered            ${r.load.answered}`,
    `  records stored               ${r.records.stored} (${r.records.missing} missing, ${r.records.duplicated} duplicated)`,
    `  answers rated                ${r.ratings.answersRated} (${r.ratings.feedbackRefused} feedback refused at the door)`,
    `  ratings on their records     ${r.ratings.onRecords} (${r.ratings.missing} missing, ${r.ratings.wrong} wrong)`,
    `  dead letters                 ${r.deadLetters}`,
    `  refused requests by code     ${JSON.stringify(r.refusedByCode)}`,
    `  events not yet stored         at most ${r.backlog.maxEventsNotYetStored} during the load; ${drained} ${(r.backlog.drainMs / 1000).toFixed(1)} s after it ended`,
  ];
  if (r.records.missing > 0)
    lines.push(`  missing records, first ones: ${r.records.firstMissingRequestIds.join(', ')}`);
  lines.push(r.clean ? '  every answered request recorded exactly once, with its rating' : '  NOT CLEAN: see above');
  return lines;
}

/**
 * Which answered requests have no record yet, and which rated ones lack their rating: one pass over the
 * run's records (its own database), since FerretDB serves an `$in` on _id by scanning the collection anyway.
 */
async function verify(db: Connection, answered: string[], rated: Map<string, number>): Promise<SoakCheck> {
  const seen = new Map<string, number | undefined>();
  let duplicates = 0;
  const cursor = db
    .collection('routing_records')
    .find({ tenant: TENANT }, { projection: { requestId: 1, 'feedback.rating': 1 } });
  for await (const r of cursor) {
    const id = String(r['requestId']);
    if (seen.has(id)) duplicates++;
    seen.set(id, (r['feedback'] as { rating?: number } | undefined)?.rating);
  }
  const missing = answered.filter((id) => !seen.has(id));
  const unrated = [...rated.keys()].filter((id) => seen.get(id) === undefined);
  const wrongRating = [...rated.entries()].filter(([id, r]) => {
    const got = seen.get(id);
    return got !== undefined && got !== r;
  }).length;
  return { found: answered.length - missing.length, missing, unrated, duplicates, wrongRating };
}
