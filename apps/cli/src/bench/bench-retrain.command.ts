import { performance } from 'node:perf_hooks';
import { type LearningRecord, learningRecordOf, retrainFromRecords } from '@switchyard/analytics';
import { policyForDataset, datasetModels, splitDataset } from '@switchyard/evaluation';
import { loadDataset } from '@switchyard/datasets';
import {
  MONGO_CONNECT_OPTIONS,
  RouterModelRepository,
  type RoutingRecordEntity,
  RoutingRecordRepository,
} from '@switchyard/persistence';
import { compilePolicy, extractFeatures, mulberry32, routeOptions } from '@switchyard/routing';
import mongoose from 'mongoose';
import { Progress } from '../progress/progress';

export interface BenchRetrainOptions {
  dataset: string;
  /** Server part of the MongoDB URI; the bench uses a database of its own there, dropped at the end. */
  mongoServer: string;
  records: number;
  dims: number;
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const BATCH = 2000;

/**
 * `switchyard bench retrain`: the nightly retraining at scale. Stores N routing records as the services
 * would have (a dataset's train-part prompts routed by its cold policy with 5% exploration, each labelled
 * with its recorded score as feedback), then times each step of the retrain job on them: reading the
 * labelled records from MongoDB, training (the two judging halves and the router released), the off-policy
 * comparison, and storing the router in the model store.
 */
export async function runBenchRetrain(opts: BenchRetrainOptions): Promise<number> {
  const rows = loadDataset(opts.dataset);
  const { train } = splitDataset(rows, 0.7, 0);
  const models = datasetModels(rows);
  const document = {
    ...(policyForDataset(train, models) as unknown as Record<string, unknown>),
    version: 'bench-retrain@1',
    exploration: { percent: 5 },
    learning: { windowDays: 30 },
  };
  const policy = compilePolicy(document);
  const run = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const db = await mongoose
    .createConnection(`${opts.mongoServer}/switchyard_bench_retrain_${run}`, MONGO_CONNECT_OPTIONS)
    .asPromise();
  try {
    const records = new RoutingRecordRepository(db);
    await records.ensureIndexes();
    const collection = db.collection<RoutingRecordEntity>('routing_records');
    const random = mulberry32(1);
    const now = Date.now();
    const progress = new Progress(process.stdout);
    const writeStarted = performance.now();
    for (let start = 0; start < opts.records; start += BATCH) {
      const batch: RoutingRecordEntity[] = [];
      for (let i = start; i < Math.min(opts.records, start + BATCH); i++) {
        const row = train[i % train.length];
        const messages = [{ role: 'user' as const, content: row.prompt }];
        const features = extractFeatures(messages);
        const option = routeOptions(policy, { request: { messages }, tenant: 'bench', features }, undefined, {
          random,
        }).next().value;
        if (!option) throw new Error('the policy names no model');
        const outcome = row.outcomes[option.model];
        const completedAt = new Date(now - (opts.records - i) * 1000);
        batch.push({
          _id: `bench:r${i}`,
          requestId: `r${i}`,
          tenant: 'bench',
          status: 'succeeded',
          receivedAt: completedAt,
          completedAt,
          prompt: row.prompt.slice(0, 4000),
          features,
          decision: {
            plan: { kind: 'single', model: option.model },
            method: option.method,
            reason: option.reason,
            params: {},
            policyVersion: policy.version,
            alternatives: [option.model],
            ...(option.propensity !== undefined ? { propensity: option.propensity } : {}),
            ...(option.policyChoice !== undefined ? { policyChoice: option.policyChoice } : {}),
          },
          model: option.model,
          method: option.method,
          costUsd: outcome.cost_usd,
          usage: { inputTokens: outcome.input_tokens ?? 0, outputTokens: outcome.output_tokens ?? 0, estimated: true },
          feedback: { feedbackId: `f${i}`, success: outcome.score >= 0.5, submittedAt: completedAt },
        });
      }
      await collection.insertMany(batch as never[], { ordered: false });
      progress.update('storing records', Math.min(opts.records, start + BATCH), opts.records);
    }
    progress.done();
    out(`stored ${opts.records} labelled records in ${seconds(writeStarted)}`);

    const started = performance.now();
    const learning: LearningRecord[] = [];
    for await (const stored of records.learningSource({ from: now - 40 * 86_400_000, to: now + 1000 })) {
      const record = learningRecordOf(stored);
      if (record) learning.push(record);
    }
    const read = performance.now();
    out(`read ${learning.length} labelled records back: ${seconds(started)}`);
    const result = retrainFromRecords(document, learning, {
      version: `bench-${run}`,
      dims: opts.dims,
      onProgress: (stage, done, total) => progress.update(stage, done, total),
    });
    progress.done();
    const trained = performance.now();
    out(`trained and compared: ${seconds(read)} (gate ${result.reason})`);
    if (result.outcome === 'skipped') return 1;
    const stored = await new RouterModelRepository(db).save(result.artifact, { source: 'bench retrain' });
    const saved = performance.now();
    out(
      `stored the router: ${seconds(trained)} (${(stored.bytes / 1e6).toFixed(1)} MB of JSON, ${(stored.compressedBytes / 1e6).toFixed(1)} MB gzipped, ${stored.chunks} chunks)`,
    );
    out(
      `retraining from ${opts.records} stored records: ${((saved - started) / 1000).toFixed(1)} s in all (read ${((read - started) / 1000).toFixed(1)} s, train and compare ${((trained - read) / 1000).toFixed(1)} s, store ${((saved - trained) / 1000).toFixed(1)} s)`,
    );
    return 0;
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await db.close();
  }
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}
