import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type ChatReply, EVENTS_STREAM, SUBJECTS } from '@switchyard/contracts';
import {
  assertOfflineReplayable,
  type ExpectedAnswer,
  LIVE_TENANT,
  type LiveAnswer,
  type LiveComparison,
  compareLive,
  datasetModels,
  decisionInputOf,
  expectedAnswer,
  liveRequest,
  livePolicyDocument,
  splitDataset,
  trainEvalRouter,
} from '@switchyard/evaluation';
import { type DatasetRow } from '@switchyard/datasets';
import { loadComparable } from '../dataset-input';
import { type ServiceName, ServiceStack, findWorkspaceRoot } from '@switchyard/launcher';
import { MONGO_CONNECT_OPTIONS, TenantKeyRepository } from '@switchyard/persistence';
import { bearerHeaders } from '../auth-headers';
import { type LoadedPolicy, loadPolicyFile, policyForRequest } from '@switchyard/policy-store';
import { type CostAwareKnob, decideRoute } from '@switchyard/routing';
import mongoose from 'mongoose';
import { stringify } from 'yaml';
import { table, usd } from '../demo/table';
import { Progress } from '../progress/progress';

export interface EvalLiveOptions {
  dataset: string;
  split: number;
  seed: number;
  out: string;
  /** The cost-aware learned router's knob in the policy built for the dataset; the policy default when absent. */
  knob?: CostAwareKnob;
  /** A policy file to evaluate instead of the one built for the dataset. */
  policy?: string;
  /** Requests carry the row's task label as their task hint; the router built for the dataset learns from it. */
  taskHint: boolean;
  /** Weight of the rows' context for the router built for the dataset (its requests carry the context). */
  contextWeight?: number;
  concurrency: number;
  natsUrl: string;
  redisUrl: string;
  /** Server part of the MongoDB URI; the run uses a database of its own on it. */
  mongoServer: string;
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/**
 * The offline evaluation's numbers, reproduced by the running system: the test prompts of the same split
 * go through the six services on the public subject, every model answered by the replay provider, and each
 * answer is compared with the offline decision of the same policy. Exit code 1 when any differs or is lost.
 */
export async function runEvalLive(opts: EvalLiveOptions): Promise<number> {
  const started = Date.now();
  const root = findWorkspaceRoot();
  const dataset = resolve(opts.dataset);
  const [rows] = loadComparable([dataset], out).sets;
  const { train, test } = splitDataset(rows, opts.split, opts.seed);
  out(
    `${opts.dataset}: ${rows.length} prompts; train ${train.length}, test ${test.length} (split ${opts.split}, seed ${opts.seed})`,
  );
  mkdirSync(opts.out, { recursive: true });
  const policyFile = opts.policy ? resolve(opts.policy) : writeDatasetPolicy(train, rows, opts);
  const loaded = loadPolicyFile(policyFile);
  // The offline side of the comparison replays recorded outcomes: a policy it cannot replay is refused here.
  assertOfflineReplayable(loaded.policy, loaded.canary?.candidate.policy);
  const version = loaded.policy.version;
  // Names of this run's own: two runs at once (a user's and the e2e suite's) stay apart.
  const run = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const database = `switchyard_eval_live_${run}`;
  const durable = `switchyard-eval-live-${run}`;

  const requests = test.map((row, i) => liveRequest(row, `live-${run}-${i}`, opts.taskHint));
  const offline = test.map((row, i) => offlineAnswer(loaded, row, requests[i]));
  out(`Offline: policy ${version} decided the ${test.length} test prompts through decideRoute (${seconds(started)})`);

  ensureLocalServers(root);
  const nc = await connect({ servers: opts.natsUrl, name: 'switchyard-eval-live' });
  const db = await mongoose.createConnection(`${opts.mongoServer}/${database}`, MONGO_CONNECT_OPTIONS).asPromise();
  const stack = new ServiceStack({
    ports: 'free', // beside services the user may be running on the default ports
    root,
    env: {
      NATS_URL: opts.natsUrl,
      REDIS_URL: opts.redisUrl,
      MONGODB_URI: `${opts.mongoServer}/${database}`,
      POLICY_FILE: policyFile,
      // A policy published on router.policy.updated.v1 would supersede the file: pin the evaluated one.
      POLICY_WATCH: 'false',
      // Read as it is: the replay provider answers a renamed model under its routed id too.
      REPLAY_DATASET: dataset,
      DURABLE_NAME: durable,
      CONSUMER_START: 'new',
      OPTIMIZER_QUEUE: 'switchyard-eval-live-optimizer',
      // Cooldowns and counters of this run only: none left over from another run can turn a model away.
      ROUTING_STATE_PREFIX: `sy-eval-live-${run}`,
      LOG_LEVEL: 'warn',
    },
  });
  let exitCode = 0;
  let comparison: LiveComparison | undefined;
  let live: LiveAnswer[] = [];
  try {
    // The evaluation's tenant key, in the run's own database, as `switchyard keys create` would store it.
    const tenantKeys = new TenantKeyRepository(db);
    await tenantKeys.ensureIndexes();
    const { key } = await tenantKeys.create(LIVE_TENANT, 'eval --live');
    out(`Starting the six services (policy ${version}, replay provider on ${opts.dataset})...`);
    await stack.start();
    out(`Sending the ${test.length} test prompts on ${SUBJECTS.request} (${opts.concurrency} at a time)...`);
    live = await sendAll(nc, test, requests, opts.concurrency, key);
    comparison = compareLive(test, offline, live, version);
  } catch (err) {
    process.stderr.write(`eval --live failed: ${(err as Error).message}\n`);
    exitCode = 1;
  } finally {
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
    // The records served their purpose (live.json keeps the answers): leave nothing of the run behind.
    await deleteDurable(nc, durable);
    await db.dropDatabase();
    await nc.close();
    await db.close();
  }
  if (!comparison) return 1;

  printComparison(comparison);
  const file = join(opts.out, 'live.json');
  writeFileSync(
    file,
    JSON.stringify(
      {
        dataset: opts.dataset,
        split: opts.split,
        seed: opts.seed,
        policyFile,
        policyVersion: version,
        ...comparison,
        answers: test.map((row, i) => ({
          id: row.id,
          offline: offline[i].model,
          offlineCostUsd: offline[i].costUsd,
          live: live[i].model ?? null,
          costUsd: live[i].costUsd ?? null,
          ...(live[i].error ? { error: live[i].error } : {}),
        })),
      },
      null,
      2,
    ),
  );
  out(`wrote ${file} in ${seconds(started)}`);
  return comparison.matches ? exitCode : 1;
}

/** Trains the router as the offline evaluation does and writes it, with the policy that routes by it, to the out dir. */
function writeDatasetPolicy(train: readonly DatasetRow[], rows: readonly DatasetRow[], opts: EvalLiveOptions): string {
  const started = Date.now();
  const models = datasetModels(rows);
  out(`Training the learned router on ${train.length} prompts (${models.length} models), as switchyard eval does...`);
  const progress = new Progress(process.stdout);
  const artifact = trainEvalRouter(train, models, opts.seed, {
    taskHint: opts.taskHint,
    ...(opts.contextWeight === undefined ? {} : { contextWeight: opts.contextWeight }),
    onProgress: (stage, done, total) => progress.update(stage, done, total),
  });
  progress.done();
  const artifactFile = join(opts.out, 'learned-router.json');
  writeFileSync(artifactFile, JSON.stringify(artifact));
  const policyFile = resolve(opts.out, 'live-policy.yaml');
  const knob = !opts.knob
    ? 'default knob'
    : 'tolerance' in opts.knob
      ? `tolerance ${opts.knob.tolerance}`
      : `cost weight ${opts.knob.costWeight}`;
  const policy = livePolicyDocument(
    train,
    models,
    'learned-router.json',
    opts.knob,
    `live-eval@s${opts.seed}-${knob.replace(/ /g, '-')}${opts.taskHint ? '+task' : ''}`,
  );
  writeFileSync(
    policyFile,
    `# Written by switchyard eval --live for ${opts.dataset}: the cost-aware learned router as the only level.\n${stringify(policy)}`,
  );
  out(
    `  ${seconds(started)}; wrote ${artifactFile} and ${join(opts.out, 'live-policy.yaml')} (cost-aware, ${knob}${opts.taskHint ? ', task hint' : ''})`,
  );
  return policyFile;
}

/**
 * What the services should answer: the plan decision-engine decides for the request when every model is
 * available, run on the row's recorded outcomes as provider-adapters runs it.
 */
function offlineAnswer(loaded: LoadedPolicy, row: DatasetRow, request: ReturnType<typeof liveRequest>): ExpectedAnswer {
  const { policy, learned } = policyForRequest(loaded, LIVE_TENANT, request.user);
  return expectedAnswer(row, decideRoute(policy, decisionInputOf(request), learned).plan);
}

/** The local servers, brought up as `npm run demo` does (running ones are reused). */
function ensureLocalServers(root: string): void {
  const script = join(root, 'scripts', 'infra.sh');
  if (!existsSync(script)) return;
  const res = spawnSync('bash', [script, 'up'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (res.status !== 0) throw new Error(`${script} up failed (exit ${res.status ?? res.signal ?? '?'})`);
}

async function sendAll(
  nc: NatsConnection,
  rows: readonly DatasetRow[],
  requests: ReadonlyArray<ReturnType<typeof liveRequest>>,
  concurrency: number,
  key: string,
): Promise<LiveAnswer[]> {
  const answers: LiveAnswer[] = new Array(rows.length);
  const started = Date.now();
  const progress = new Progress(process.stdout);
  let next = 0;
  let done = 0;
  progress.update('sending the test prompts', 0, rows.length);
  const worker = async () => {
    for (let i = next++; i < rows.length; i = next++) {
      answers[i] = await ask(nc, rows[i].id, requests[i], key);
      progress.update('sending the test prompts', ++done, rows.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, worker));
  progress.done();
  out(`  ${done}/${rows.length} answered in ${seconds(started)}`);
  return answers;
}

async function ask(
  nc: NatsConnection,
  id: string,
  request: ReturnType<typeof liveRequest>,
  key: string,
): Promise<LiveAnswer> {
  try {
    const reply = (
      await nc.request(SUBJECTS.request, JSON.stringify(request), { timeout: 60_000, headers: bearerHeaders(key) })
    ).json<ChatReply>();
    if (!reply.ok) return { id, ok: false, error: `${reply.error.code}: ${reply.error.message}` };
    return {
      id,
      ok: true,
      model: reply.model,
      decidedModel: reply.decision.plan.model,
      costUsd: reply.costUsd,
      policyVersion: reply.decision.policyVersion,
    };
  } catch (err) {
    return { id, ok: false, error: (err as Error).message };
  }
}

async function deleteDurable(nc: NatsConnection, durable: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.delete(EVENTS_STREAM.name, durable).catch(() => undefined);
}

function printComparison(c: LiveComparison): void {
  out(`\n${c.offline.prompts} test prompts`);
  out(
    table(
      ['', 'offline (decided, replayed)', 'live (six services)'],
      [
        ['quality', c.offline.quality.toFixed(4), c.live.quality.toFixed(4)],
        ['cost / prompt', usd(c.offline.costUsd), usd(c.live.costUsd)],
        ['total cost', usd(c.offline.totalCostUsd), usd(c.live.totalCostUsd)],
        ['prompts answered', c.offline.answered, c.live.answered],
      ],
    ),
  );
  const models = [...new Set([...Object.keys(c.offline.byModel), ...Object.keys(c.live.byModel)])].sort(
    (a, b) => (c.offline.byModel[b] ?? 0) - (c.offline.byModel[a] ?? 0) || a.localeCompare(b),
  );
  out('');
  out(
    table(
      ['model', 'offline', 'live'],
      models.map((m) => [m, c.offline.byModel[m] ?? 0, c.live.byModel[m] ?? 0]),
    ),
  );
  out('');
  out(
    `decisions that differ: ${c.differing.length}; failed or lost: ${c.failed.length}; cost not the recorded one: ${c.costMismatches.length}; decided by another policy: ${c.otherPolicy.length}`,
  );
  const show = <T>(what: string, items: T[], line: (x: T) => string) => {
    for (const x of items.slice(0, 5)) out(`  ${what}: ${line(x)}`);
    if (items.length > 5) out(`  ... and ${items.length - 5} more (live.json)`);
  };
  show('differs', c.differing, (d) => `row ${d.id}: offline ${d.offline}, live ${d.live}`);
  show('failed', c.failed, (f) => `row ${f.id}: ${f.error}`);
  show('cost', c.costMismatches, (m) => `row ${m.id} ${m.model}: recorded ${m.recordedUsd}, live ${m.liveUsd}`);
  show('policy', c.otherPolicy, (p) => `row ${p.id} decided by ${p.version}`);
  out(
    c.matches
      ? 'MATCH: the live system reproduced the offline numbers, prompt by prompt.'
      : 'MISMATCH: the live system did not reproduce the offline numbers.',
  );
}
