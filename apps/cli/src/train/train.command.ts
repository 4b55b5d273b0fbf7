import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { referencePoints, replay, splitDataset, toExamples } from '@switchyard/evaluation';
import { type DatasetRow, rowContext } from '@switchyard/datasets';
import { loadComparable } from '../dataset-input';
import { mongoConnectOptions, RouterModelRepository } from '@switchyard/persistence';
import {
  LearnedRouter,
  type WordScanner,
  describeCandidate,
  foldModelsNote,
  resolveLearnedTarget,
  trainLearnedRouter,
} from '@switchyard/routing';
import mongoose from 'mongoose';
import { pct, table, usd } from '../demo/table';

export interface TrainOptions {
  dataset: string;
  split: number;
  seed: number;
  out: string;
  /** Fixed passes; tuned with `learningRate` when both are absent. */
  epochs?: number;
  dimsLog2: number;
  l2: number;
  learningRate?: number;
  /** Learn from the rows' task label as the request's task hint. */
  taskHint?: boolean;
  /** Weight of the rows' conversation context against their prompt (the training default when absent). */
  contextWeight?: number;
  /** What the featurizer reads as a word (the training default, `letters`, when absent). */
  words?: WordScanner;
  /** Platt-scale the predicted qualities (an experiment; off when absent). */
  scaleQuality?: boolean;
  /** Also store the artifact in the model store at this MongoDB URI (policies then name it `learned.model`). */
  publishTo?: string;
}

const out = (line = '') => process.stdout.write(`${line}\n`);

/**
 * Trains the learned router on the train part of a dataset, writes the artifact decision-engine loads,
 * and prints a first held-out check against the best and the cheapest single model and the oracle.
 */
export async function runTrain(opts: TrainOptions): Promise<number> {
  const {
    sets: [rows],
    models,
  } = loadComparable([opts.dataset], out);
  const { train, test } = splitDataset(rows, opts.split, opts.seed);
  out(
    `${opts.dataset}: ${rows.length} prompts, ${models.length} models; training on ${train.length}, holding out ${test.length} (seed ${opts.seed})`,
  );
  const version = `${basename(opts.dataset).replace(/\.jsonl?(\.gz)?$/, '')}@${new Date().toISOString().slice(0, 10)}-s${opts.seed}`;
  let lastStage = '';
  const artifact = trainLearnedRouter(toExamples(train), {
    version,
    models,
    ...(opts.epochs === undefined ? {} : { epochs: opts.epochs }),
    l2: opts.l2,
    ...(opts.learningRate === undefined ? {} : { learningRate: opts.learningRate }),
    seed: opts.seed,
    taskHint: opts.taskHint,
    ...(opts.contextWeight === undefined ? {} : { contextWeight: opts.contextWeight }),
    ...(opts.scaleQuality === true ? { scaleQuality: true } : {}),
    ...(opts.words === undefined ? {} : { words: opts.words }),
    dims: 1 << opts.dimsLog2,
    onProgress: (stage, done, total) => {
      if (stage !== lastStage) process.stdout.write(`${lastStage ? '\n' : ''}  ${stage}`);
      lastStage = stage;
      process.stdout.write(` ${done}/${total}`);
    },
  });
  out(`\nTrained ${artifact.version} in ${artifact.training.seconds.toFixed(1)} s`);
  const { tuning } = artifact.training;
  out(
    tuning
      ? `Tuned on ${tuning.folds === 1 ? 'a validation cut of' : `${tuning.folds} folds of`} ${tuning.validationExamples} rows (${tuning.criterion}): ${describeCandidate(tuning)}, ${tuning.epochs} epochs${foldModelsNote(artifact.training.foldModels)}`
      : `Step ${artifact.training.learningRate}, ${artifact.training.epochs} epochs (not tuned)`,
  );
  const calibration = artifact.calibration;
  if (calibration) {
    const at95 = resolveLearnedTarget(calibration, { quality: 0.95, of: calibration.bestModel });
    out(
      `Calibrated on ${calibration.validationExamples} held-out rows: a policy may set learned.target, e.g. { quality: 0.95, of: ${calibration.bestModel} } (on those rows: ${usd(at95.expectedCostUsd)} a request) or { maxCostPerRequestUsd: ${Number(at95.expectedCostUsd.toPrecision(2))} }`,
    );
  }
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(artifact));
  out(`Wrote ${opts.out}`);
  if (opts.publishTo) {
    const db = await mongoose.createConnection(opts.publishTo, mongoConnectOptions(opts.publishTo)).asPromise();
    try {
      const store = new RouterModelRepository(db);
      await store.ensureIndexes();
      const stored = await store.save(artifact, {
        source: `switchyard train ${opts.dataset}`,
        training: artifact.training,
      });
      out(
        `Stored ${stored.version} in the model store (${(stored.compressedBytes / 1e6).toFixed(1)} MB in ${stored.chunks} chunks, sha256 ${stored.sha256.slice(0, 12)}); a policy uses it with learned: { model: ${stored.version} }`,
      );
    } finally {
      await db.close();
    }
  }

  const router = new LearnedRouter(artifact);
  const predictions = test.map((row) => router.predict(row.prompt, row.task, rowContext(row)));
  const candidates = models.map((model) => ({ model, costUsd: artifact.meanCostUsd[model] }));
  const ref = referencePoints(test, models);
  const lines = [
    ref.best,
    ref.cheapest,
    ...[0, 0.03, 0.07, 0.1, 0.2, 0.5, 1].map((costWeight) =>
      replay(
        `cost-aware, cost weight ${costWeight}`,
        test,
        (_row: DatasetRow, i) =>
          router.chooseCostAware(predictions[i], candidates, { costWeight })?.model ?? ref.best.name,
      ),
    ),
    ...[0.3, 0.5, 0.6].map((th) =>
      replay(
        `classifier threshold ${th}`,
        test,
        (_row: DatasetRow, i) => router.chooseClassifier(predictions[i], new Set(models), th)?.model ?? ref.best.name,
      ),
    ),
    ref.oracle,
  ];
  out(`\nHeld-out check (${test.length} prompts; best single model: ${ref.best.name}):`);
  out(
    table(
      ['strategy', 'quality', 'vs best', 'cost/prompt', 'saving'],
      lines.map((l) => [
        l.name,
        l.quality.toFixed(3),
        pct(l.quality / ref.best.quality),
        usd(l.costUsd),
        pct(1 - l.costUsd / ref.best.costUsd),
      ]),
    ),
  );
  return 0;
}
