import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type ChatReply, DEAD_LETTER_STREAM, DURABLE_CONSUMERS, EVENTS_STREAM, SUBJECTS } from '@switchyard/contracts';
import { findWorkspaceRoot } from '@switchyard/launcher';
import type { Connection } from 'mongoose';
import { instantStack, runDatabaseWithKey, stopStack } from '../bench-stack';
import { bearerHeaders } from '../../auth-headers';
import { startPrivateNats } from '../overhead/child-processes';
import { ensureInfra } from '../overhead/overhead.command';
import { runOpenLoop } from '../overhead/open-loop';
import { summarizeStep } from '../overhead/overhead-stats';

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
export async function runBenchSoak(opts: BenchSoakOptions): Promise<number> {
  const root = findWorkspaceRoot();
  ensureInfra(root);
  const teardown: Array<() => Promise<unknown>> = [];
  let exitCode = 0;
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
    exitCode = await soak(nc, db, key, run, opts);
  } catch (err) {
    process.stderr.write(`bench soak failed: ${(err as Error).message}\n`);
    exitCode = 1;
  } finally {
    out('\nStopping the services and the private NATS...');
    for (const step of teardown) await step().catch((err: Error) => out(`  cleanup: ${err.message}`));
  }
  return exitCode;
}

async function soak(
  nc: NatsConnection,
  db: Connection,
  key: string,
  run: string,
  opts: BenchSoakOptions,
): Promise<number> {
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
    if (left === undefined || before === undefined || left < before) lastProgress = Date.now();
    if (Date.now() - lastReport >= 15_000) {
      lastReport = Date.now();
      out(`  ${Math.round((Date.now() - settleStarted) / 1000)} s after: ${left ?? '?'} events not yet stored`);
    }
  }
  const drainedMs = Date.now() - settleStarted;
  // Then the database is read once, all of it: what is there is what was stored.
  const check = await verify(db, answered, rated);
  const letters = (await jsm.streams.info(DEAD_LETTER_STREAM.name).catch(() => undefined))?.state.messages ?? 0;

  out('\n== Soak result');
  out(`  requests answered            ${answered.length}`);
  out(
    `  records stored               ${check.found} (${check.missing.length} missing, ${check.duplicates} duplicated)`,
  );
  out(`  answers rated                ${rated.size} (${feedbackRefused} feedback refused at the door)`);
  out(
    `  ratings on their records     ${rated.size - check.unrated.length} (${check.unrated.length} missing, ${check.wrongRating} wrong)`,
  );
  out(`  dead letters                 ${letters}`);
  out(`  refused requests by code     ${JSON.stringify(Object.fromEntries(failures))}`);
  out(
    `  events not yet stored         at most ${worstBacklog} during the load; all stored ${(drainedMs / 1000).toFixed(1)} s after it ended`,
  );
  if (check.missing.length > 0) out(`  missing records, first ones: ${check.missing.slice(0, 10).join(', ')}`);
  const clean =
    check.missing.length === 0 &&
    check.unrated.length === 0 &&
    check.duplicates === 0 &&
    check.wrongRating === 0 &&
    feedbackRefused === 0 &&
    step.lost === 0;
  out(clean ? '  every answered request recorded exactly once, with its rating' : '  NOT CLEAN: see above');
  return clean ? 0 : 1;
}

/**
 * Which answered requests have no record yet, and which rated ones lack their rating: one pass over the
 * run's records (its own database), since FerretDB serves an `$in` on _id by scanning the collection anyway.
 */
async function verify(db: Connection, answered: string[], rated: Map<string, number>) {
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
