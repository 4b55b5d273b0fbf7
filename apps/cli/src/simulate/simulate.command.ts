import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type ChatReply, POLICIES_STREAM, SUBJECTS, policyUpdatedSchema } from '@switchyard/contracts';
import {
  decisionInputOf,
  expectedAnswer,
  livePolicyDocument,
  liveRequest,
  policyForDataset,
  splitDataset,
  trainEvalRouter,
} from '@switchyard/evaluation';
import { type DatasetRow, loadDataset } from '@switchyard/datasets';
import { loadComparable } from '../dataset-input';
import { type ServiceName, ServiceStack, findWorkspaceRoot } from '@switchyard/launcher';
import { MONGO_CONNECT_OPTIONS, RouterModelRepository, TenantKeyRepository } from '@switchyard/persistence';
import { type LoadedPolicy, loadPolicyText, storedModelsNamedBy } from '@switchyard/policy-store';
import {
  type CompiledPolicy,
  type LearnedContext,
  LearnedRouter,
  compilePolicy,
  decideRoute,
  mulberry32,
} from '@switchyard/routing';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import { parse, stringify } from 'yaml';
import { bearerHeaders } from '../auth-headers';
import { startPrivateNats } from '../bench/overhead/child-processes';
import { publishPolicyText } from '../policy/publish-policy.command';
import { pct, table, usd } from '../demo/table';
import { Progress } from '../progress/progress';
import { simulateHtml } from './simulate-html';

export interface SimulateOptions {
  dataset: string;
  days: number;
  requestsPerDay: number;
  out: string;
  split: number;
  seed: number;
  /** Share of answered requests that get feedback (the recorded score as success). */
  feedbackShare: number;
  /** Chance that a feedback says the opposite of the recorded score. */
  feedbackNoise: number;
  /** The policy's exploration share, percent. */
  explorationPercent: number;
  /** The canary share of a released router, percent. */
  canaryPercent: number;
  concurrency: number;
  redisUrl: string;
  /** Server part of the MongoDB URI; the run uses a database of its own on it. */
  mongoServer: string;
  /** Train the offline reference router (the learned router `switchyard eval` measures) for comparison. */
  reference: boolean;
  /** A dataset merged into every night's training (RETRAIN_SEED_DATASET), its test-part questions left out. */
  seedDataset?: string;
  /**
   * Start with a learned router in force (trained offline on this many rows of the train part, every
   * model's outcome, stored in the run's model store) instead of the rules and difficulty bands.
   */
  startRouterRows?: number;
  /** The nights continue from the router in force (`learning.warmStart`); true unless told. */
  warmStart?: boolean;
}

/** One simulated day, as `simulate.json` holds it. */
export interface SimulatedDay {
  day: number;
  requests: number;
  answered: number;
  /** Mean recorded score of the answers the services gave. */
  quality: number;
  costUsdPerRequest: number;
  /** The router version serving the control arm during the day (`none`: rules and difficulty only). */
  modelVersion: string;
  policyVersion: string;
  explorationShare: number;
  shareByModel: Record<string, number>;
  feedback: number;
  /** The policy in force at the end of the day (after the night's jobs), replayed on the test part. */
  testQuality: number;
  testCostUsdPerRequest: number;
  testPolicyVersion: string;
  /** The canary candidate at the end of the day, replayed on the test part, when one runs. */
  testCandidate?: { policyVersion: string; quality: number; costUsdPerRequest: number };
  gate: {
    outcome: string;
    reason: string;
    modelVersion?: string;
    releasedVersion?: string;
    /** What the night's router was trained from: `{ from: <router> }` (a warm start) or `{ none: <why> }`. */
    warmStart?: { from?: string; none?: string };
    /** Its passes over the training part (0: the router in force as it was). */
    passes?: number;
  };
  canary: { verdict: string; reason: string; publishedVersion?: string };
}

const TENANT = 'simulate';
const out = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/**
 * The learning loop on real data, compressed in time: N days of traffic drawn from the training part of a
 * routing dataset go through the six services (answers and costs replayed from the dataset, feedback the
 * recorded score on a share of requests, with noise), and at the end of each day rule-optimizer's canary
 * check and retraining run as the nightly schedule would. Each day's policy is then replayed on the test
 * part (the split `switchyard eval` uses, never trained on), so days compare without their sample's noise.
 */
export async function runSimulate(opts: SimulateOptions): Promise<number> {
  const started = Date.now();
  const root = findWorkspaceRoot();
  const dataset = resolve(opts.dataset);
  const {
    sets: [rows],
    models,
  } = loadComparable([dataset], out);
  const { train, test } = splitDataset(rows, opts.split, opts.seed);
  out(
    `${opts.dataset}: ${rows.length} prompts, ${models.length} models; traffic from the train part (${train.length}), replayed on the test part (${test.length}) (split ${opts.split}, seed ${opts.seed})`,
  );
  mkdirSync(opts.out, { recursive: true });
  const run = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const policyFile = join(resolve(opts.out), 'simulate-policy.yaml');
  const cold = coldPolicy(train, models, opts);
  writeFileSync(
    policyFile,
    `# Written by switchyard simulate: the cold start (rules and difficulty bands, exploration, learning on).\n${stringify(cold)}`,
  );
  if (opts.startRouterRows !== undefined && opts.startRouterRows > train.length)
    throw new Error(`--start-router ${opts.startRouterRows}: the train part has ${train.length} rows`);
  if (opts.startRouterRows !== undefined)
    out(`Training the start router on the first ${opts.startRouterRows} rows of the train part...`);
  const startRouter =
    opts.startRouterRows === undefined
      ? undefined
      : trainEvalRouter(train.slice(0, opts.startRouterRows), models, opts.seed, { version: `simulate-start-${run}` });
  // A policy naming a stored router is published, never a service's file: the services load the file, then
  // the newest published policy, fetching the router it names from the store.
  const start = startRouter ? startPolicy(train, models, startRouter.version, opts) : undefined;
  const seed = opts.seedDataset ? writeSeed(opts.seedDataset, test, opts.out) : undefined;
  if (seed)
    out(
      `seed dataset ${opts.seedDataset}: ${seed.rows} rows join every night's training (${seed.leftOut} questions of the test part left out)`,
    );

  // Policies get published during the run: a nats-server of the run's own keeps them away from anything else.
  const nats = await startPrivateNats();
  const database = `switchyard_simulate_${run}`;
  const mongoUri = `${opts.mongoServer}/${database}`;
  const queueName = `switchyard-simulate-${run}`;
  const db = await mongoose.createConnection(mongoUri, MONGO_CONNECT_OPTIONS).asPromise();
  const nc = await connect({ servers: nats.url, name: 'switchyard-simulate' });
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection: redis });
  const events = new QueueEvents(queueName, { connection: redis.duplicate({ maxRetriesPerRequest: null }) });
  const stack = new ServiceStack({
    ports: 'free',
    root,
    env: {
      NATS_URL: nats.url,
      REDIS_URL: opts.redisUrl,
      MONGODB_URI: mongoUri,
      POLICY_FILE: policyFile,
      // Read as it is: the replay provider answers a renamed model under its routed id too.
      REPLAY_DATASET: dataset,
      ...(seed ? { RETRAIN_SEED_DATASET: seed.file } : {}),
      OPTIMIZER_QUEUE: queueName,
      // The nights are the simulation's: the real-time schedules never fire during a run.
      OPTIMIZER_CRON: '0 0 1 1 *',
      RETRAIN_CRON: '0 0 1 1 *',
      CANARY_CHECK_CRON: '0 0 1 1 *',
      ROUTING_STATE_PREFIX: `sy-simulate-${run}`,
      LOG_LEVEL: 'warn',
    },
  });
  const days: SimulatedDay[] = [];
  let exitCode = 0;
  let reference: { quality: number; costUsd: number } | undefined;
  const store = new RouterModelRepository(db);
  try {
    if (startRouter && start) {
      await store.ensureIndexes();
      await store.save(startRouter, { source: 'switchyard simulate --start-router', status: 'promoted' });
      out(
        `start router ${startRouter.version}: trained on the first ${opts.startRouterRows} rows of the train part, every model's outcome`,
      );
      const published = await publishPolicyText({
        text: stringify(start),
        source: 'switchyard simulate --start-router',
        baseDir: dirname(policyFile),
        nats: { servers: nats.url },
        mongoUri,
      });
      if (published !== 0) throw new Error(`the start policy ${String(start['version'])} was not published`);
    }
    const tenantKeys = new TenantKeyRepository(db);
    await tenantKeys.ensureIndexes();
    const { key } = await tenantKeys.create(TENANT, 'simulate');
    out(
      `Starting the six services (policy ${start ? `${String(start['version'])}, published over the file's ` : ''}${cold.version as string}, replay provider, private nats-server)...`,
    );
    await stack.start();
    await events.waitUntilReady();

    const draw = drawer(train, opts.seed);
    const rand = mulberry32(opts.seed + 1);
    let feedbackSent = 0;
    let requestsSent = 0;
    for (let day = 1; day <= opts.days; day++) {
      const dayStarted = Date.now();
      const inForceAtDawn = await policyInForce(nc, policyFile);
      const today = Array.from({ length: opts.requestsPerDay }, () => draw());
      const answers = await sendDay(nc, key, today, `sim-${run}-d${day}`, opts.concurrency, day);
      requestsSent += today.length;
      // Feedback on a share of the answers: the recorded score, flipped with the noise probability.
      const rated = answers.filter((a) => a.ok && rand() < opts.feedbackShare);
      await sendFeedback(
        nc,
        key,
        rated.map((a) => ({ requestId: a.requestId, success: a.score >= 0.5 !== rand() < opts.feedbackNoise })),
      );
      feedbackSent += rated.length;
      await waitForRecords(db, requestsSent, feedbackSent);

      const canary = await runJob(queue, events, 'canary-check');
      const gate = await runJob(queue, events, 'retrain');
      const inForce = await policyInForce(nc, policyFile);
      const loaded = await loadInForce(inForce, store, root);
      const control = replayOnTest(test, loaded.policy, loaded.learned);
      const entry: SimulatedDay = {
        day,
        requests: today.length,
        answered: answers.filter((a) => a.ok).length,
        ...dayTotals(answers),
        modelVersion: learnedVersionOf(inForceAtDawn.yaml),
        policyVersion: inForceAtDawn.version,
        feedback: rated.length,
        testQuality: control.quality,
        testCostUsdPerRequest: control.costUsd,
        testPolicyVersion: loaded.policy.version,
        gate: {
          outcome: String(gate['outcome'] ?? 'unknown'),
          // The gate's reasons start with its verdict; the outcome says it already.
          reason: String(gate['reason'] ?? '').replace(/^(passed|refused): /, ''),
          ...(gate['modelVersion'] ? { modelVersion: String(gate['modelVersion']) } : {}),
          ...(gate['releasedVersion'] ? { releasedVersion: String(gate['releasedVersion']) } : {}),
          ...(gate['warmStart'] ? { warmStart: gate['warmStart'] as { from?: string; none?: string } } : {}),
          ...(typeof gate['passes'] === 'number' ? { passes: gate['passes'] } : {}),
        },
        canary: {
          verdict: String(canary['verdict'] ?? 'unknown'),
          reason: String(canary['reason'] ?? ''),
          ...(canary['publishedVersion'] ? { publishedVersion: String(canary['publishedVersion']) } : {}),
        },
      };
      if (loaded.canary) {
        const c = replayOnTest(test, loaded.canary.candidate.policy, loaded.canary.candidate.learned);
        entry.testCandidate = {
          policyVersion: loaded.canary.candidate.policy.version,
          quality: c.quality,
          costUsdPerRequest: c.costUsd,
        };
      }
      days.push(entry);
      out(
        `day ${day}: ${entry.answered}/${entry.requests} answered, quality ${entry.quality.toFixed(3)}, ${usd(entry.costUsdPerRequest)}/request, explored ${pct(entry.explorationShare)}, router ${entry.modelVersion}; canary: ${entry.canary.verdict}; retraining: ${entry.gate.outcome}; in force now ${entry.testPolicyVersion}: test quality ${entry.testQuality.toFixed(4)} at ${usd(entry.testCostUsdPerRequest)}${entry.testCandidate ? `, its canary ${entry.testCandidate.policyVersion} ${candidateOnTest(entry)}` : ''} (${seconds(dayStarted)})`,
      );
      out(`  canary: ${entry.canary.reason}`);
      out(`  retraining: ${entry.gate.reason}${trainedFrom(entry.gate)}`);
    }
  } catch (err) {
    process.stderr.write(`simulate failed: ${(err as Error).message}\n`);
    exitCode = 1;
  } finally {
    await queue.close();
    await events.close();
    redis.disconnect();
    const codes = await stack.stop();
    const unclean = Object.entries(codes).filter(([, c]) => c !== 0);
    if (unclean.length > 0) {
      out(`Unclean service exits: ${unclean.map(([n, c]) => `${n}=${c}`).join(', ')}`);
      for (const [name] of unclean)
        out(
          `--- last lines of ${name}:\n${stack
            .get(name as ServiceName)
            .logs()
            .split('\n')
            .slice(-20)
            .join('\n')}`,
        );
      exitCode = 1;
    }
    await nc.close();
    await nats.stop();
    await db.dropDatabase().catch(() => undefined);
    await db.close();
  }
  if (days.length === 0) return 1;

  const singles = models.map((m) => ({
    model: m,
    quality: test.reduce((s, r) => s + r.outcomes[m].score, 0) / test.length,
    costUsd: test.reduce((s, r) => s + r.outcomes[m].cost_usd, 0) / test.length,
  }));
  if (opts.reference) {
    out(
      'Training the offline reference (the learned router switchyard eval trains, on every outcome of the train part)...',
    );
    const document = livePolicyDocument(train, models, 'reference.json', undefined, 'reference@1');
    const router = new LearnedRouter(trainEvalRouter(train, models, opts.seed));
    const compiled = compilePolicy(document);
    reference = replayOnTest(test, compiled, {
      router,
      settings: compiled.document.learned as NonNullable<typeof compiled.document.learned>,
    });
  }
  printSummary(days, singles, reference);
  const file = join(opts.out, 'simulate.json');
  const body = {
    dataset: opts.dataset,
    split: opts.split,
    seed: opts.seed,
    settings: {
      days: opts.days,
      requestsPerDay: opts.requestsPerDay,
      feedbackShare: opts.feedbackShare,
      feedbackNoise: opts.feedbackNoise,
      explorationPercent: opts.explorationPercent,
      canaryPercent: opts.canaryPercent,
      ...(seed ? { seedRows: seed.rows } : {}),
    },
    ...(startRouter ? { startRouter: { version: startRouter.version, rows: opts.startRouterRows } } : {}),
    warmStart: opts.warmStart !== false,
    ...(seed ? { seedDataset: opts.seedDataset } : {}),
    coldPolicy: policyFile,
    singles,
    ...(reference ? { reference } : {}),
    days,
  };
  writeFileSync(file, JSON.stringify(body, null, 2));
  const html = join(opts.out, 'simulate.html');
  writeFileSync(html, simulateHtml(body));
  out(`wrote ${file} and ${html} in ${seconds(started)}`);
  return exitCode;
}

/** The cold start: the dataset's rules and difficulty bands (policyForDataset), exploration, the learning loop on. */
export function coldPolicy(
  train: readonly DatasetRow[],
  models: readonly string[],
  opts: Pick<SimulateOptions, 'days' | 'explorationPercent' | 'canaryPercent' | 'warmStart'>,
): Record<string, unknown> {
  const policy = policyForDataset(train, models) as unknown as Record<string, unknown>;
  return {
    ...policy,
    version: 'simulate@1',
    ...(opts.explorationPercent > 0 ? { exploration: { percent: opts.explorationPercent } } : {}),
    learning: {
      windowDays: opts.days + 1,
      minLabels: 200,
      minHoldout: 100,
      holdoutShare: 0.5,
      margin: 0.005,
      ...(opts.warmStart === false ? { warmStart: false } : {}),
      canary: {
        percent: opts.canaryPercent,
        stickyBy: 'user',
        auto: { minRequests: 300, minLabels: 100, maxRequests: 3000, margin: 0.02 },
      },
    },
  };
}

/**
 * The start with a learned router in force (`--start-router`): the stored router over the dataset's priced
 * models, no rules or bands, the cheapest model by default, and the cold start's exploration and learning;
 * published over the cold start's file before the services start.
 */
export function startPolicy(
  train: readonly DatasetRow[],
  models: readonly string[],
  routerVersion: string,
  opts: Pick<SimulateOptions, 'days' | 'explorationPercent' | 'canaryPercent' | 'warmStart'>,
): Record<string, unknown> {
  const cold = coldPolicy(train, models, opts);
  const priced = cold['models'] as Array<{ id: string }>;
  return {
    version: 'simulate-start@1',
    models: priced,
    rules: [],
    learned: { enabled: true, model: routerVersion, mode: 'cost-aware' },
    default: { route: { model: priced[0].id }, params: {} },
    ...(cold['exploration'] ? { exploration: cold['exploration'] } : {}),
    learning: cold['learning'],
  };
}

/**
 * The seed file rule-optimizer reads: `file`'s rows but those asking a question of the test part (each day's
 * policy is measured there; trained on, the measure would flatter it). Written beside simulate.json.
 */
export function writeSeed(
  file: string,
  test: readonly DatasetRow[],
  dir: string,
): { file: string; rows: number; leftOut: number } {
  const testPrompts = new Set(test.map((r) => r.prompt));
  // Model names as the file has them: rule-optimizer reads the seed under routable ids (`loadSeedDataset`).
  const rows = loadDataset(resolve(file));
  const kept = rows.filter((r) => !testPrompts.has(r.prompt));
  if (kept.length === 0) throw new Error(`${file}: every row asks a question of the test part; no seed left`);
  const seedFile = join(resolve(dir), 'simulate-seed.jsonl');
  writeFileSync(seedFile, `${kept.map((r) => JSON.stringify(r)).join('\n')}\n`);
  return { file: seedFile, rows: kept.length, leftOut: rows.length - kept.length };
}

/** The train part in a shuffled order, cycled: each day's requests are the next ones. */
function drawer(rows: readonly DatasetRow[], seed: number): () => DatasetRow {
  const rand = mulberry32(seed + 7);
  const order = Array.from(rows.keys());
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  let next = 0;
  return () => rows[order[next++ % order.length]];
}

interface DayAnswer {
  requestId: string;
  ok: boolean;
  model?: string;
  method?: string;
  costUsd: number;
  score: number;
  error?: string;
}

async function sendDay(
  nc: NatsConnection,
  key: string,
  rows: readonly DatasetRow[],
  prefix: string,
  concurrency: number,
  day: number,
): Promise<DayAnswer[]> {
  const answers: DayAnswer[] = new Array(rows.length);
  const progress = new Progress(process.stdout);
  let next = 0;
  let done = 0;
  const stage = `day ${day}: requests`;
  const worker = async () => {
    for (let i = next++; i < rows.length; i = next++) {
      const requestId = `${prefix}-${i}`;
      const request = { ...liveRequest(rows[i], requestId), tenant: TENANT, user: `user-${i % 500}` };
      try {
        const reply = (
          await nc.request(SUBJECTS.request, JSON.stringify(request), { timeout: 60_000, headers: bearerHeaders(key) })
        ).json<ChatReply>();
        answers[i] = reply.ok
          ? {
              requestId,
              ok: true,
              model: reply.model,
              method: reply.decision.method,
              costUsd: reply.costUsd,
              score: rows[i].outcomes[reply.model]?.score ?? 0,
            }
          : { requestId, ok: false, costUsd: 0, score: 0, error: `${reply.error.code}: ${reply.error.message}` };
      } catch (err) {
        answers[i] = { requestId, ok: false, costUsd: 0, score: 0, error: (err as Error).message };
      }
      progress.update(stage, ++done, rows.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, worker));
  progress.done();
  const failed = answers.filter((a) => !a.ok);
  if (failed.length > 0) out(`  ${failed.length} requests failed, e.g. ${failed[0].error}`);
  return answers;
}

async function sendFeedback(
  nc: NatsConnection,
  key: string,
  feedback: ReadonlyArray<{ requestId: string; success: boolean }>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < feedback.length; i = next++) {
      const reply = (
        await nc.request(SUBJECTS.feedback, JSON.stringify(feedback[i]), {
          timeout: 30_000,
          headers: bearerHeaders(key),
        })
      ).json<{ ok: boolean; error?: { message: string } }>();
      if (!reply.ok) throw new Error(`feedback on ${feedback[i].requestId} refused: ${reply.error?.message}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, feedback.length) }, worker));
}

/** Waits until feedback-aggregator has stored every record and joined every feedback sent so far. */
async function waitForRecords(db: Connection, records: number, feedback: number): Promise<void> {
  const collection = db.collection('routing_records');
  const deadline = Date.now() + 180_000;
  for (;;) {
    const [stored, joined] = [
      await collection.estimatedDocumentCount(),
      await collection.countDocuments({ feedback: { $exists: true } }),
    ];
    if (stored >= records && joined >= feedback) return;
    if (Date.now() > deadline)
      throw new Error(`after 3 minutes ${stored}/${records} records and ${joined}/${feedback} feedback are stored`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** ` (from router X, 2 passes)`: what a night's router continued from, when the run says. */
export function trainedFrom(gate: SimulatedDay['gate']): string {
  const passes = gate.passes === undefined ? '' : `, ${gate.passes} pass${gate.passes === 1 ? '' : 'es'}`;
  if (gate.warmStart?.from) return ` (from router ${gate.warmStart.from}${passes})`;
  if (gate.warmStart?.none) return ` (from scratch: ${gate.warmStart.none}${passes})`;
  return '';
}

/** Runs one of rule-optimizer's jobs now, as its schedule would, and returns what it returned. */
async function runJob(queue: Queue, events: QueueEvents, name: string): Promise<Record<string, unknown>> {
  const job = await queue.add(name, {}, { removeOnComplete: 100, removeOnFail: 100 });
  return ((await job.waitUntilFinished(events, 600_000)) ?? {}) as Record<string, unknown>;
}

async function policyInForce(nc: NatsConnection, file: string): Promise<{ version: string; yaml: string }> {
  const jsm = await jetstreamManager(nc);
  const last = await jsm.streams
    .getMessage(POLICIES_STREAM.name, { last_by_subj: SUBJECTS.policyUpdated })
    .catch(() => null);
  if (!last) {
    const yaml = readFileSync(file, 'utf8');
    return { version: String((parse(yaml) as { version?: unknown }).version), yaml };
  }
  const event = policyUpdatedSchema.parse(JSON.parse(Buffer.from(last.data).toString('utf8')));
  return { version: event.version, yaml: event.yaml };
}

async function loadInForce(
  inForce: { version: string; yaml: string },
  store: RouterModelRepository,
  root: string,
): Promise<LoadedPolicy> {
  const routers = new Map<string, LearnedRouter>();
  for (const version of storedModelsNamedBy(inForce.yaml))
    routers.set(version, new LearnedRouter((await store.load(version)) as LearnedRouter['artifact']));
  return loadPolicyText(inForce.yaml, root, `policy ${inForce.version}`, undefined, {
    stored: (v) => routers.get(v),
  });
}

/** The stored router the control arm of a policy routes by; `none` for rules and difficulty alone. */
function learnedVersionOf(yaml: string): string {
  const doc = parse(yaml) as { learned?: { model?: string; enabled?: boolean } };
  return doc.learned?.enabled !== false && doc.learned?.model ? doc.learned.model : 'none';
}

function dayTotals(answers: readonly DayAnswer[]) {
  const ok = answers.filter((a) => a.ok);
  const share: Record<string, number> = {};
  for (const a of ok) share[a.model as string] = (share[a.model as string] ?? 0) + 1 / ok.length;
  return {
    quality: ok.reduce((s, a) => s + a.score, 0) / Math.max(ok.length, 1),
    costUsdPerRequest: ok.reduce((s, a) => s + a.costUsd, 0) / Math.max(ok.length, 1),
    explorationShare: ok.filter((a) => a.method === 'explore').length / Math.max(ok.length, 1),
    shareByModel: share,
  };
}

/** A policy's decisions on the test part, every model available, scored on the recorded outcomes. */
export function replayOnTest(
  test: readonly DatasetRow[],
  policy: CompiledPolicy,
  learned: LearnedContext | undefined,
): { quality: number; costUsd: number } {
  let quality = 0;
  let cost = 0;
  test.forEach((row, i) => {
    const request = { ...liveRequest(row, `test-${i}`), tenant: TENANT };
    const answer = expectedAnswer(row, decideRoute(policy, decisionInputOf(request), learned).plan);
    quality += row.outcomes[answer.model].score;
    cost += answer.costUsd;
  });
  return { quality: quality / test.length, costUsd: cost / test.length };
}

/** What a canary candidate at the end of a day did on the test part, as the day's line and table show it. */
function candidateOnTest(d: SimulatedDay): string {
  return d.testCandidate ? `${d.testCandidate.quality.toFixed(4)} at ${usd(d.testCandidate.costUsdPerRequest)}` : '';
}

/** The summary table, a row per day; `canary arm on test` is the canary's candidate at the end of the day. */
export function daysTable(days: readonly SimulatedDay[]): string {
  return table(
    [
      'day',
      'quality',
      'cost/request',
      'explored',
      'router in force',
      'canary',
      'retraining',
      'test quality',
      'test cost',
      'canary arm on test',
    ],
    days.map((d) => [
      d.day,
      d.quality.toFixed(3),
      usd(d.costUsdPerRequest),
      pct(d.explorationShare),
      d.modelVersion,
      d.canary.verdict,
      d.gate.outcome,
      d.testQuality.toFixed(4),
      usd(d.testCostUsdPerRequest),
      candidateOnTest(d),
    ]),
  );
}

function printSummary(
  days: readonly SimulatedDay[],
  singles: ReadonlyArray<{ model: string; quality: number; costUsd: number }>,
  reference: { quality: number; costUsd: number } | undefined,
): void {
  out('');
  out(daysTable(days));
  const best = singles.reduce((a, b) => (b.quality > a.quality ? b : a));
  const last = days[days.length - 1];
  out(
    `\non the test part: best single model ${best.model} ${best.quality.toFixed(4)} at ${usd(best.costUsd)}; the policy in force after day ${last.day}: ${last.testQuality.toFixed(4)} at ${usd(last.testCostUsdPerRequest)}`,
  );
  const dominating = singles.filter((s) => s.quality >= last.testQuality && s.costUsd <= last.testCostUsdPerRequest);
  out(
    dominating.length
      ? `single models as good and as cheap: ${dominating.map((s) => s.model).join(', ')}`
      : 'no single model is both as good and as cheap on the test part',
  );
  if (reference)
    out(
      `offline reference (learned router trained on every outcome of the train part, default cost weight): ${reference.quality.toFixed(4)} at ${usd(reference.costUsd)}; after day ${last.day}: ${(last.testQuality - reference.quality >= 0 ? '+' : '') + (100 * (last.testQuality - reference.quality)).toFixed(1)} points of quality at ${pct(last.testCostUsdPerRequest / reference.costUsd)} of its cost`,
    );
}
