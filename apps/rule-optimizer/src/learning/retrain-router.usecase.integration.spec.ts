import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { CompletionSucceeded } from '@switchyard/contracts';
import { findWorkspaceRoot } from '@switchyard/launcher';
import type { EventPublisher } from '@switchyard/messaging';
import {
  LearningRunRepository,
  MONGO_CONNECT_OPTIONS,
  RouterModelRepository,
  RoutingRecordRepository,
} from '@switchyard/persistence';
import {
  WARM_START_LEARNING_RATE,
  compilePolicy,
  extractFeatures,
  labelledFromOutcomes,
  mulberry32,
  routeOptions,
  trainRouterFromLabels,
} from '@switchyard/routing';
import { mongoUriFor, recorder, strictFake, uniqueName } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { parse, stringify } from 'yaml';
import { optimizerEnvSchema } from '../config';
import type { PolicyRelease } from './policy-release';
import { RetrainRouter } from './retrain-router.usecase';
import { loadSeedDataset } from './seed-dataset';

const root = findWorkspaceRoot(__dirname);
const NOW = Date.UTC(2026, 10, 21, 3, 30);
const MINUTE = 60_000;

interface Row {
  id: string;
  task?: string;
  prompt: string;
  outcomes: Record<string, { score: number; cost_usd: number; input_tokens?: number; output_tokens?: number }>;
}
const rows: Row[] = gunzipSync(readFileSync(join(root, 'datasets', 'sample', 'mmlu-pro-3000.jsonl.gz')))
  .toString('utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Row);

// A retraining run with RETRAIN_SEED_DATASET, against the real MongoDB-wire server: labelled records of a
// cold policy's traffic in routing_records, a seed file on disk read as the service reads it at start-up,
// the run stored in learning_runs. The policy store and NATS are fakes (what is in force, what is published).
describe(`${RetrainRouter.name} with a seed dataset`, () => {
  const document = {
    ...(parse(readFileSync(join(root, 'policies', 'mmlu-pro-replay.yaml'), 'utf8')) as Record<string, unknown>),
    version: 'seeded@1',
    difficulty: { enabled: true, bands: [{ route: { model: 'Mistral-7B-Instruct-v0.1' } }] },
    exploration: { percent: 20 },
    learning: { minLabels: 100, minHoldout: 100, holdoutShare: 0.5, margin: 0 },
  };
  const TRAFFIC = 300;
  const traffic = rows.slice(0, TRAFFIC);
  const trafficPrompts = new Set(traffic.map((r) => r.prompt));
  // The seed: other questions (each with a model the policy does not have), plus the questions of the 50
  // most recent requests, which the gate holds out and which must not be trained on.
  const others = rows.filter((r) => !trafficPrompts.has(r.prompt)).slice(0, 100);
  const seedRows = [
    ...others.map((r) => ({ ...r, outcomes: { ...r.outcomes, 'retired-model': { score: 1, cost_usd: 0 } } })),
    ...traffic.slice(TRAFFIC - 50),
  ];
  const dir = mkdtempSync(join(tmpdir(), 'retrain-seed-'));
  const seedFile = join(dir, 'seed.jsonl.gz');
  writeFileSync(seedFile, gzipSync(seedRows.map((r) => JSON.stringify(r)).join('\n')));

  let connection: Connection;
  let runs: LearningRunRepository;
  let models: RouterModelRepository;
  const published = recorder((_subject: string, _event: unknown) => undefined);
  const released = recorder(async (doc: Record<string, unknown>, _by: string) => String(doc['version']));
  let sut: RetrainRouter;
  // The policy the fake store has in force (the tests of a warm start put one with a learned router).
  let inForce: Record<string, unknown> = document;

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(mongoUriFor(uniqueName('retrain_seed')), MONGO_CONNECT_OPTIONS)
      .asPromise();
    const records = new RoutingRecordRepository(connection);
    runs = new LearningRunRepository(connection);
    models = new RouterModelRepository(connection);
    await Promise.all([records.ensureIndexes(), models.ensureIndexes()]);

    // The cold policy's traffic as the services log it: model, propensity, the policy's own choice; feedback
    // (the recorded score as success) on every request, and 20 more labelled requests stored without text.
    const policy = compilePolicy(document);
    const random = mulberry32(3);
    const event = (r: Row, i: number, minutesAgo: number): CompletionSucceeded => {
      const messages = [{ role: 'user' as const, content: r.prompt }];
      const option = routeOptions(
        policy,
        { request: { messages }, tenant: 'acme', features: extractFeatures(messages) },
        undefined,
        { random },
      ).next().value;
      if (!option) throw new Error('no option');
      const outcome = r.outcomes[option.model];
      const at = NOW - minutesAgo * MINUTE;
      return {
        requestId: `r-${i}`,
        tenant: 'acme',
        receivedAt: at - 500,
        completedAt: at,
        prompt: r.prompt,
        decision: {
          plan: { kind: 'single', model: option.model },
          method: option.policyChoice && option.policyChoice !== option.model ? 'explore' : 'difficulty',
          reason: 'test',
          params: {},
          policyVersion: 'seeded@1',
          alternatives: [option.model],
          ...(option.propensity !== undefined ? { propensity: option.propensity } : {}),
          ...(option.policyChoice !== undefined ? { policyChoice: option.policyChoice } : {}),
        },
        attempts: [{ model: option.model, provider: 'replay', ok: true, latencyMs: 10 }],
        model: option.model,
        provider: 'replay',
        answer: 'a',
        finishReason: 'stop',
        usage: {
          inputTokens: outcome.input_tokens ?? 100,
          outputTokens: outcome.output_tokens ?? 100,
          estimated: false,
        },
        costUsd: outcome.cost_usd,
        latency: { totalMs: 20, routingMs: 1, providerMs: 10 },
      };
    };
    const store = async (r: Row, i: number, minutesAgo: number, keepPrompt: boolean) => {
      const e = event(r, i, minutesAgo);
      await records.upsertCompletion(e, { keepPrompt });
      const score = e.model ? r.outcomes[e.model].score : 0;
      await records.attachFeedback('acme', e.requestId, {
        feedbackId: `f-${i}`,
        success: score >= 0.5,
        submittedAt: new Date(NOW - MINUTE),
      });
    };
    // Oldest first: request i completed (TRAFFIC - i) minutes before the run.
    await Promise.all(traffic.map((r, i) => store(r, i, TRAFFIC - i + 20, true)));
    await Promise.all(others.slice(0, 20).map((r, i) => store(r, TRAFFIC + i, 500 + i, false)));

    const config = optimizerEnvSchema.parse({
      RETRAIN_DIMS: String(1 << 14),
      RETRAIN_SEED_DATASET: seedFile,
      RETRAIN_SEED_WEIGHT: '0.5',
    });
    const release = strictFake<PolicyRelease>('PolicyRelease', {
      inForce: async () => ({ version: String(inForce['version']), yaml: stringify(inForce), source: 'test' }),
      publish: released,
    });
    const publisher = strictFake<EventPublisher>('EventPublisher', { publish: published });
    sut = new RetrainRouter(config, records, models, runs, release, publisher, loadSeedDataset(config));
  }, 120_000);

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('trains on the records and the seed rows, holds out records only, and stores what the seed gave', async () => {
    const run = await sut.execute({ runId: 'seeded-run@1', now: new Date(NOW) });
    expect(['released', 'refused']).toContain(run.outcome);
    expect(run.training).toMatchObject({
      recordsRead: TRAFFIC + 20,
      withoutText: 20,
      labelled: TRAFFIC,
      seed: {
        file: seedFile,
        fileRows: 150,
        rows: 150,
        // The 50 questions of held-out requests are left out; the others train, every model's outcome a label.
        used: 100,
        heldOut: 50,
        withoutPolicyModel: 0,
        weight: 0.5,
        ignoredModels: ['retired-model'],
      },
    });
    const training = run.training as { train: number; holdout: number; examples: number; labels: number };
    expect(training.train + training.holdout).toBe(TRAFFIC);
    expect(training.examples).toBe(training.train + 100);
    expect(training.labels).toBe(training.train + 100 * 9);
    // The gate graded the held-out records, nothing else.
    expect(run.evaluation).toMatchObject({ n: training.holdout });
    expect(run.reason).toMatch(/20 labelled records had no text/);

    const [stored] = await runs.recent(1);
    expect(stored).toMatchObject({
      runId: 'seeded-run@1',
      outcome: run.outcome,
      training: { withoutText: 20, seed: { used: 100, heldOut: 50, rows: 150 } },
    });
    if (run.outcome === 'released') {
      expect(released.calls).toHaveLength(1);
      expect(await models.find(run.modelVersion as string)).toMatchObject({
        training: { seed: { used: 100 } },
      });
    } else {
      expect(released.calls).toHaveLength(0);
    }
  }, 300_000);

  it('keeps the outcome of a run that ended when its job runs again (a lapsed lock), and does nothing more', async () => {
    const [first] = await runs.recent(1);
    const releases = released.calls.length;
    const again = await sut.execute({ runId: 'seeded-run@1', now: new Date(NOW + MINUTE) });
    expect(again).toMatchObject({ runId: 'seeded-run@1', outcome: first.outcome, reason: first.reason });
    expect(again.modelVersion).toBe(first.modelVersion);
    expect(released.calls).toHaveLength(releases);
    expect(await runs.find('seeded-run@1')).toMatchObject({ outcome: first.outcome, finishedAt: first.finishedAt });
  });

  describe('continuing from the router in force (learning.warmStart)', () => {
    // The router in force: trained offline on 100 other questions, every label, over 4,096 features (the
    // optimizer's RETRAIN_DIMS is 16,384: a warm start keeps the router's).
    const offline = trainRouterFromLabels(
      labelledFromOutcomes(
        others.map((r) => ({
          text: r.prompt,
          outcomes: Object.fromEntries(
            Object.entries(r.outcomes).map(([m, o]) => [m, { score: o.score, costUsd: o.cost_usd }]),
          ),
        })),
      ),
      { version: 'offline-1', models: Object.keys(others[0].outcomes), dims: 1 << 12 },
    );
    const withRouter = (model: string, learning: Record<string, unknown> = {}) => ({
      ...document,
      version: `learned@${model}`,
      learned: { model },
      learning: { ...(document.learning as object), ...learning },
    });
    afterAll(() => {
      inForce = document;
    });

    it('trains from the stored router the policy names, keeping its features, and says so', async () => {
      await models.save(offline, { source: 'test', status: 'promoted' });
      inForce = withRouter('offline-1');
      const run = await sut.execute({ runId: 'warm-run@1', now: new Date(NOW) });
      expect(['released', 'refused']).toContain(run.outcome);
      expect(run.training).toMatchObject({
        warmStart: { from: 'offline-1' },
        warmStartedFrom: 'offline-1',
        learningRate: WARM_START_LEARNING_RATE,
        featureDims: 1 << 12,
      });
      if (run.outcome === 'released') {
        const artifact = (await models.load(run.modelVersion as string)) as typeof offline;
        expect(artifact.featurizer).toEqual(offline.featurizer);
      }
    }, 300_000);

    it('trains from scratch when the named router does not load, or when told not to continue, and says why', async () => {
      inForce = withRouter('missing-1');
      const missing = await sut.execute({ runId: 'warm-run@2', now: new Date(NOW) });
      expect(missing.training?.['warmStart']).toEqual({
        none: expect.stringMatching(/^router missing-1 did not load: /),
      });
      expect(missing.training?.['warmStartedFrom']).toBeUndefined();
      expect(missing.training?.['learningRate']).toBe(0.02);
      inForce = withRouter('offline-1', { warmStart: false });
      const cold = await sut.execute({ runId: 'warm-run@3', now: new Date(NOW) });
      expect(cold.training?.['warmStart']).toBeUndefined();
      expect(cold.training?.['warmStartedFrom']).toBeUndefined();
      expect(cold.training?.['featureDims']).toBe(1 << 14);
    }, 300_000);
  });
});
