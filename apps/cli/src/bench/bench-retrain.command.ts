import { performance } from 'node:perf_hooks';
import { type LearningRecord, learningRecordOf, retrainFromRecords } from '@switchyard/analytics';
import { policyForDataset, splitDataset } from '@switchyard/evaluation';
import { rowContext, rowMessages } from '@switchyard/datasets';
import { loadComparable } from '../dataset-input';
import {
  MONGO_CONNECT_OPTIONS,
  RouterModelRepository,
  type RoutingRecordEntity,
  RoutingRecordRepository,
} from '@switchyard/persistence';
import { compilePolicy, extractFeatures, mulberry32, routeOptions } from '@switchyard/routing';
import mongoose from 'mongoose';
import { Progress } from '../progress/progress';
import type { BenchOutcome } from './bench-outcome';

export interface BenchRetrainOptions {
  dataset: string;
  /** Server part of the MongoDB URI; the bench uses a database of its own there, dropped at the end. */
  mongoServer: string;
  records: number;
  dims: number;
}

/** What `bench retrain` measured (`--json`). */
export interface BenchRetrainResult {
  settings: {
    dataset: string;
    records: number;
    /** Hashed feature dimensions. */
    dims: number;
    /** The cold policy's exploration, which gives the off-policy comparison its propensities. */
    explorationPercent: number;
  };
  /** Writing the labelled records first (setup, not part of the job). */
  storeRecordsMs: number;
  /** Labelled records the job read back. */
  labelledRecordsRead: number;
  /** The job's steps; the router is stored only when the gate did not skip. */
  steps: { readMs: number; trainAndCompareMs: number; storeRouterMs: number | null; totalMs: number };
  gate: { outcome: 'skipped' | 'refused' | 'passed'; reason: string };
  /** The router as stored; null when the gate skipped. */
  router: { bytes: number; compressedBytes: number; chunks: number } | null;
}

/** performance.now() when each step began and ended; `saved` only once the router is stored. */
export interface RetrainMarks {
  writeStarted: number;
  written: number;
  started: number;
  read: number;
  trained: number;
  saved?: number;
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const BATCH = 2000;
const EXPLORATION_PERCENT = 5;

/**
 * `switchyard bench retrain`: the nightly retraining at scale. Stores N routing records as the services
 * would have (a dataset's train-part prompts routed by its cold policy with 5% exploration, each labelled
 * with its recorded score as feedback), then times each step of the retrain job on them: reading the
 * labelled records from MongoDB, training (the two judging halves and the router released), the off-policy
 * comparison, and storing the router in the model store.
 */
export async function runBenchRetrain(opts: BenchRetrainOptions): Promise<BenchOutcome<BenchRetrainResult>> {
  const {
    sets: [rows],
    models,
  } = loadComparable([opts.dataset], out);
  const { train } = splitDataset(rows, 0.7, 0);
  const document = {
    ...(policyForDataset(train, models) as unknown as Record<string, unknown>),
    version: 'bench-retrain@1',
    exploration: { percent: EXPLORATION_PERCENT },
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
        const messages = rowMessages(row);
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
          ...(row.context ? { context: rowContext(row) } : {}),
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
    const written = performance.now();
    out(`stored ${opts.records} labelled records in ${seconds(writeStarted, written)}`);

    const started = performance.now();
    const learning: LearningRecord[] = [];
    for await (const stored of records.learningSource({ from: now - 40 * 86_400_000, to: now + 1000 })) {
      const record = learningRecordOf(stored);
      if (record) learning.push(record);
    }
    const read = performance.now();
    out(`read ${learning.length} labelled records back: ${seconds(started, read)}`);
    const result = retrainFromRecords(document, learning, {
      version: `bench-${run}`,
      dims: opts.dims,
      onProgress: (stage, done, total) => progress.update(stage, done, total),
    });
    progress.done();
    const trained = performance.now();
    out(`trained and compared: ${seconds(read, trained)} (gate ${result.reason})`);
    const settings = {
      dataset: opts.dataset,
      records: opts.records,
      dims: opts.dims,
      explorationPercent: EXPLORATION_PERCENT,
    };
    const gate = { outcome: result.outcome, reason: result.reason };
    const marks = { writeStarted, written, started, read, trained };
    if (result.outcome === 'skipped')
      return { exitCode: 1, result: summarizeRetrain(settings, marks, learning.length, gate, null) };
    const stored = await new RouterModelRepository(db).save(result.artifact, { source: 'bench retrain' });
    const saved = performance.now();
    const router = { bytes: stored.bytes, compressedBytes: stored.compressedBytes, chunks: stored.chunks };
    const summary = summarizeRetrain(settings, { ...marks, saved }, learning.length, gate, router);
    for (const line of retrainReport(summary)) out(line);
    return { exitCode: 0, result: summary };
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await db.close();
  }
}

/** The durations between the marks, and what the job read, decided and stored. */
export function summarizeRetrain(
  settings: BenchRetrainResult['settings'],
  marks: RetrainMarks,
  labelledRecordsRead: number,
  gate: BenchRetrainResult['gate'],
  router: BenchRetrainResult['router'],
): BenchRetrainResult {
  const end = marks.saved ?? marks.trained;
  return {
    settings,
    storeRecordsMs: marks.written - marks.writeStarted,
    labelledRecordsRead,
    steps: {
      readMs: marks.read - marks.started,
      trainAndCompareMs: marks.trained - marks.read,
      storeRouterMs: marks.saved === undefined ? null : marks.saved - marks.trained,
      totalMs: end - marks.started,
    },
    gate,
    router,
  };
}

/** The report's closing lines, once the router is stored (the steps before print as they end). */
export function retrainReport(r: BenchRetrainResult): string[] {
  const s = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);
  const lines: string[] = [];
  if (r.router)
    lines.push(
      `stored the router: ${s(r.steps.storeRouterMs)} (${(r.router.bytes / 1e6).toFixed(1)} MB of JSON, ${(r.router.compressedBytes / 1e6).toFixed(1)} MB gzipped, ${r.router.chunks} chunks)`,
    );
  lines.push(
    `retraining from ${r.settings.records} stored records: ${s(r.steps.totalMs)} in all (read ${s(r.steps.readMs)}, train and compare ${s(r.steps.trainAndCompareMs)}, store ${s(r.steps.storeRouterMs)})`,
  );
  return lines;
}

function seconds(from: number, to: number): string {
  return `${((to - from) / 1000).toFixed(1)} s`;
}
