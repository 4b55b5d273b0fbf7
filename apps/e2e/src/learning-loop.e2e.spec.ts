import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect, headers } from '@nats-io/transport-node';
import {
  type CanaryVerdict,
  type ChatReply,
  POLICIES_STREAM,
  SUBJECTS,
  canaryVerdictSchema,
  policyUpdatedSchema,
} from '@switchyard/contracts';
import { findWorkspaceRoot } from '@switchyard/launcher';
import { LearningRunRepository, MONGO_CONNECT_OPTIONS, RouterModelRepository } from '@switchyard/persistence';
import { TemporaryNats, mongoUriFor, testInfra, uniqueName, waitFor } from '@switchyard/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import { parse, stringify } from 'yaml';
import { TENANT_KEYS, e2eStack, natsUsersOf } from './stack';

// The learning loop end to end, under the committed NATS permissions, on real MMLU-Pro outcomes (the replay
// provider answers from the committed 3,000-row slice): labelled traffic from a cold policy with exploration,
// the retraining asked for twice at once (one run), its off-policy gate, the router stored in MongoDB and
// loaded by both decision-engine replicas without a file or a restart, a worse canary rolled back with its
// verdict announced, and rule-optimizer killed in the middle of a run.
const root = findWorkspaceRoot(__dirname);
const DATASET = join(root, 'datasets', 'sample', 'mmlu-pro-3000.jsonl.gz');

interface Row {
  id: string;
  prompt: string;
  outcomes: Record<string, { score: number }>;
}
const rows: Row[] = gunzipSync(readFileSync(DATASET))
  .toString('utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Row);

const LEARNING = {
  minLabels: 200,
  minHoldout: 60,
  holdoutShare: 0.5,
  margin: 0,
  canary: { percent: 50, stickyBy: 'user', auto: { minRequests: 100, minLabels: 40, maxRequests: 2000, margin: 0.02 } },
};

describe('the learning loop: retraining, the gate, the model store, the canary verdict', () => {
  const nats = new TemporaryNats(join(root, 'deploy', 'k8s', 'nats', 'nats-server.conf'));
  const database = uniqueName('learning');
  const queueName = uniqueName('e2e-learning-optimizer');
  const dir = mkdtempSync(join(tmpdir(), 'learning-'));
  const policyFile = join(dir, 'policy.yaml');
  // A poor cold start (every band to the weakest model) with exploration: what the first router learns is
  // worth a lot, so the gate's verdict does not hang on the sample. A released router takes the bands' place.
  // Exploration among four of the nine models: each explored choice has propensity 0.05 rather than 0.022, so
  // the gate's doubly robust estimate weighs a matching record by 20 rather than 45 and its interval is
  // narrower (with all nine, a run's lower bound came out at -0.001 once, for a utility gain of +0.16).
  writeFileSync(
    policyFile,
    stringify({
      ...(parse(readFileSync(join(root, 'policies', 'mmlu-pro-replay.yaml'), 'utf8')) as Record<string, unknown>),
      version: 'loop@1',
      difficulty: { enabled: true, bands: [{ route: { model: 'Mistral-7B-Instruct-v0.1' } }] },
      exploration: {
        percent: 20,
        models: ['gemini-1.5-flash-002', 'Meta-Llama-3_1-70B-Instruct', 'gemini-1.5-pro-002', 'gpt-4o-2024-05-13'],
      },
      learning: LEARNING,
    }),
  );
  let stack: ReturnType<typeof e2eStack>;
  let tenant: NatsConnection;
  let admin: NatsConnection;
  let db: Connection;
  let redis: Redis;
  let queue: Queue;
  let sentRow = 0;

  beforeAll(async () => {
    await nats.start();
    const users = natsUsersOf(nats) ?? {};
    stack = e2eStack(database, {
      env: {
        NATS_URL: nats.url,
        CONSUMER_START: 'all',
        POLICY_FILE: policyFile,
        REPLAY_DATASET: DATASET,
        OPTIMIZER_QUEUE: queueName,
        // The nights are the test's: no schedule fires during it.
        OPTIMIZER_CRON: '0 0 1 1 *',
        RETRAIN_CRON: '0 0 1 1 *',
        CANARY_CHECK_CRON: '0 0 1 1 *',
        RETRAIN_DIMS: String(1 << 16),
        // Small data here: a killed replica's run is picked up again within seconds.
        OPTIMIZER_LOCK_MS: '8000',
      },
      replicas: { 'decision-engine': 2 },
      serviceEnv: { ...users, 'decision-engine': { ...users['decision-engine'], LOG_LEVEL: 'info' } },
    });
    await stack.start();
    tenant = await connect({ servers: nats.url, user: 'demo', pass: nats.passwords.demo });
    admin = await connect({
      servers: nats.url,
      user: 'admin',
      pass: nats.passwords.admin,
      inboxPrefix: '_INBOX_switchyard-cli',
    });
    db = await mongoose.createConnection(mongoUriFor(database), MONGO_CONNECT_OPTIONS).asPromise();
    redis = new Redis(testInfra.redisUrl, { maxRetriesPerRequest: null });
    queue = new Queue(queueName, { connection: redis });
  }, 180_000);

  afterAll(async () => {
    await queue?.close();
    redis?.disconnect();
    await tenant?.close();
    await admin?.close();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
    await stack?.stop();
    await nats.stop();
  }, 60_000);

  const authed = () => {
    const h = headers();
    h.set('Authorization', `Bearer ${TENANT_KEYS.acme}`);
    return h;
  };

  /** `n` requests from the dataset with feedback (the recorded score), `concurrency` at a time. */
  const traffic = async (n: number, label: string): Promise<ChatReply[]> => {
    const batch = rows.slice(sentRow, sentRow + n);
    sentRow += n;
    const replies: ChatReply[] = new Array(batch.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < batch.length; i = next++) {
        const requestId = `${label}-${database}-${i}`;
        const request = {
          requestId,
          messages: [{ role: 'user', content: batch[i].prompt }],
          user: `user-${i % 40}`,
          metadata: { 'replay-row': batch[i].id },
        };
        const reply = (
          await tenant.request(SUBJECTS.request, JSON.stringify(request), { timeout: 30_000, headers: authed() })
        ).json<ChatReply>();
        replies[i] = reply;
        if (!reply.ok) continue;
        const feedback = { requestId, success: batch[i].outcomes[reply.model].score >= 0.5 };
        const ack = (
          await tenant.request(SUBJECTS.feedback, JSON.stringify(feedback), { timeout: 15_000, headers: authed() })
        ).json<{ ok: boolean }>();
        expect(ack.ok).toBe(true);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return replies;
  };

  const labelledRecords = () => db.collection('routing_records').countDocuments({ feedback: { $exists: true } });
  /**
   * Until `n` records carry their feedback; a timeout says how many did. Generous: the suite runs two spec
   * files at once, and the record store is shared with the other one.
   */
  const feedbackJoined = (n: number) =>
    waitFor(
      'the feedback joined',
      async () => {
        const labelled = await labelledRecords();
        if (labelled < n) throw new Error(`${labelled} of ${n} records labelled`);
        return true;
      },
      150_000,
      // A count scans the records on FerretDB: once a second is enough.
      1000,
    );

  const inForce = async () => {
    const jsm = await jetstreamManager(admin);
    const last = await jsm.streams.getMessage(POLICIES_STREAM.name, { last_by_subj: SUBJECTS.policyUpdated });
    if (!last) throw new Error('no policy published yet');
    return policyUpdatedSchema.parse(JSON.parse(Buffer.from(last.data).toString('utf8')));
  };

  const askFor = async (job: 'retrain' | 'canary-check') =>
    (await admin.request(SUBJECTS.optimizerRunRequested, JSON.stringify({ job }), { timeout: 10_000 })).json<{
      ok: boolean;
      jobId: string;
    }>();

  let released: { modelVersion: string; policyVersion: string } | undefined;

  it('retrains once when asked twice at once, passes the gate and releases the router as a canary', async () => {
    const replies = await traffic(2400, 'cold');
    expect(replies.filter((r) => r.ok).length).toBe(2400);
    expect(replies.filter((r) => r.ok && r.decision.method === 'explore').length).toBeGreaterThan(100);
    await feedbackJoined(2400);

    const [a, b] = await Promise.all([askFor('retrain'), askFor('retrain')]);
    expect(a.ok && b.ok).toBe(true);
    expect(b.jobId).toBe(a.jobId);

    const runs = new LearningRunRepository(db);
    const run = await waitFor('the retraining run', async () => (await runs.recent())[0], 120_000, 500);
    // The gate's verdict with its interval: how far from the line this run's traffic put it.
    console.log(`retraining run: ${run.outcome}: ${run.reason}`);
    expect(`${run.outcome}: ${run.reason} ${JSON.stringify(run.training)}`).toMatch(/^released/);
    expect(run.evaluation).toMatchObject({ pass: true });
    expect(run.training).toMatchObject({ labelled: 2400 });
    // One run for the two requests.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await runs.recent()).toHaveLength(1);

    const modelVersion = run.modelVersion as string;
    const stored = await new RouterModelRepository(db).find(modelVersion);
    expect(stored).toMatchObject({ status: 'candidate', version: modelVersion });
    const policy = await inForce();
    expect(policy.version).toBe(run.releasedVersion);
    expect(policy.yaml).toContain(`model: ${modelVersion}`);
    released = { modelVersion, policyVersion: policy.version };

    // Both replicas fetched it from the store and put the canary in force, without a restart or a file.
    for (const replica of stack.all('decision-engine'))
      await waitFor(
        `decision-engine (pid ${replica.pid}) to load ${modelVersion}`,
        () => (replica.logs().includes(`policy ${policy.version} published and applied`) ? true : undefined),
        30_000,
      );
    for (const replica of stack.all('decision-engine'))
      expect(replica.logs()).toContain(`learned router ${modelVersion} loaded from the model store`);

    const canary = await traffic(200, 'canary');
    const learned = canary.filter((r) => r.ok && r.decision.learnedModelVersion === modelVersion);
    expect(learned.length).toBeGreaterThan(20);
    expect(canary.filter((r) => r.ok && r.decision.canaryArm === 'control').length).toBeGreaterThan(20);
  }, 400_000);

  it('rolls a worse canary back by itself, and announces the verdict', async () => {
    expect(released).toBeDefined();
    // A candidate that sends everything to the weakest model, released on half the users.
    const cold = parse(readFileSync(policyFile, 'utf8')) as Record<string, unknown>;
    const candidate = {
      ...cold,
      version: 'loop@1+weak',
      difficulty: undefined,
      exploration: undefined,
      rules: [{ name: 'everything', when: { minChars: 1 }, route: { model: 'Mistral-7B-Instruct-v0.1' } }],
    };
    // Against the best-value model for everyone else.
    const policy = {
      ...cold,
      difficulty: undefined,
      rules: [{ name: 'everything', when: { minChars: 1 }, route: { model: 'gemini-1.5-flash-002' } }],
      version: 'loop@1+canary-weak',
      canary: {
        percent: 50,
        stickyBy: 'user',
        candidate: JSON.parse(JSON.stringify(candidate)),
        auto: LEARNING.canary.auto,
      },
    };
    const js = (await import('@nats-io/jetstream')).jetstream(admin);
    const event = { version: policy.version, yaml: stringify(policy), publishedAt: Date.now(), publishedBy: 'e2e' };
    await js.publish(SUBJECTS.policyUpdated, JSON.stringify(event), { msgID: `e2e:${policy.version}` });
    for (const replica of stack.all('decision-engine'))
      await waitFor(
        'the weak canary in force',
        () => (replica.logs().includes(`policy ${policy.version} published and applied`) ? true : undefined),
        30_000,
      );

    const verdicts: CanaryVerdict[] = [];
    const sub = admin.subscribe(SUBJECTS.canaryVerdict, {
      callback: (_err, msg) => {
        verdicts.push(canaryVerdictSchema.parse(msg.json()));
      },
    });
    const replies = await traffic(400, 'weak');
    const weak = replies.filter((r) => r.ok && r.decision.policyVersion === 'loop@1+weak').length;
    expect(weak).toBeGreaterThan(100);
    await feedbackJoined(3000);

    await askFor('canary-check');
    const verdict = await waitFor('the verdict', () => verdicts[0], 60_000, 200);
    sub.unsubscribe();
    expect(verdict).toMatchObject({ verdict: 'rollback', candidateVersion: 'loop@1+weak' });
    expect(verdict.reason).toMatch(/worse|not shown/);
    expect((await inForce()).version).toBe(verdict.publishedVersion);
    expect(verdict.publishedVersion).toContain('+rollback-');
    // Rolled back well before it had served 2,000 requests.
    expect(weak).toBeLessThan(2000);
  }, 400_000);

  it('keeps the policy in force when rule-optimizer dies mid-run, and the next run completes', async () => {
    const before = await inForce();
    const job = await queue.add('retrain', {}, { attempts: 3, backoff: { type: 'fixed', delay: 1000 } });
    await waitFor('the run to start', async () => ((await job.getState()) === 'active' ? true : undefined), 30_000, 20);
    const optimizer = stack.get('rule-optimizer');
    await optimizer.stop('SIGKILL');
    expect((await inForce()).version).toBe(before.version);
    await optimizer.start();
    // BullMQ finds the job stalled (its lock lapsed with the process) and runs it again to the end.
    const state = await waitFor(
      'the run to complete after the restart',
      async () => {
        const s = await job.getState();
        return s === 'completed' || s === 'failed' ? s : undefined;
      },
      120_000,
      500,
    );
    // With why, when it failed (a BullMQ reason such as a stalled limit, or the run's own error).
    const failedReason = state === 'failed' ? (await queue.getJob(job.id as string))?.failedReason : undefined;
    expect({ state, failedReason }).toEqual({ state: 'completed', failedReason: undefined });
    const runs = await new LearningRunRepository(db).recent();
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(['released', 'refused', 'skipped']).toContain(runs[0].outcome);
  }, 400_000);
});
