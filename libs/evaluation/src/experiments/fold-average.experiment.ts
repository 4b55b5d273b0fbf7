// Measured (docs/benchmarks.md, "Fold models averaged"; not adopted): after tuning, the router trains its
// quality model once more on every training row at the chosen setting and passes. The passes were chosen for
// models that saw 80% of the rows (or fewer, on k folds); on all of them the same passes take more steps.
// Here the alternative cross-validation ensembles use: k models, each trained on one fold's complement at
// the chosen setting and passes, their weights averaged (a linear model: one model, served at the same
// cost), with and without the whole-data model as one more member. The folds are this file's own shuffle,
// not tuning's (`switchyard eval --average-folds k` measures those). The test part is scored once per router.
// Not part of `npm test` (a minute or more a split); run it with:
//
//   DATASET=../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl SEEDS=0,1,2 FOLDS=3,5 \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/fold-average.experiment.ts'
//
// and with TRAIN_SIZE=1000 or HOLD_OUT_TASK=health, or DATASET=out/stress-sets/graded-noisy.jsonl.
import {
  fitFeatures,
  type LearnedRouterArtifact,
  SparseLinearModel,
  type SparseVector,
  trainLearnedRouter,
  type TrainingCandidate,
  type TrainOptions,
} from '@switchyard/routing';
import { experimentCases, experimentRows } from './experiment-rows';
import { routerSummary } from './experiment-scorer';

jest.setTimeout(6 * 3_600_000);

/** Row indices split into k folds by a seeded shuffle: per fold, the rows it trains on. */
function foldComplements(n: number, k: number, seed: number): number[][] {
  let state = (seed ^ 0x9e3779b9) >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return Array.from({ length: k }, (_, f) => order.filter((_, position) => position % k !== f));
}

it('prints the test-part curve of the router with its quality model averaged over fold models', () => {
  const foldCounts = (process.env['FOLDS'] ?? '3,5').split(',').map(Number);
  for (const { seed, label, trainEx, testEx } of experimentCases(experimentRows())) {
    const started = Date.now();
    const artifact = trainLearnedRouter(trainEx, { version: 'x' });
    process.stdout.write(`${label}, the router as trained: ${routerSummary(artifact, testEx, { started })}\n`);
    const t = artifact.training.tuning;
    if (!t) throw new Error(`${label}: the router was not tuned (too few rows)`);
    const { featurizer, xs } = fitFeatures(trainEx, {}, () => undefined);
    const ys = trainEx.map((e) =>
      Float64Array.from(artifact.models, (m) => Math.min(1, Math.max(0, e.outcomes[m].score))),
    );
    const fitOn = (rows: readonly number[]): SparseLinearModel => {
      const fx: SparseVector[] = rows.map((r) => xs[r]);
      const fy = rows.map((r) => ys[r]);
      const train = (s: TrainingCandidate, epochs: number) => {
        const options: Partial<TrainOptions> = {
          learningRate: s.learningRate,
          l2: s.l2,
          seed: 0,
          epochs,
          ...(s.initialAccumulator === undefined ? {} : { initialAccumulator: s.initialAccumulator }),
          ...(s.l2PerEpoch ? { l2PerEpoch: true } : {}),
        };
        return SparseLinearModel.train('logistic', featurizer.dims, fx, fy, options);
      };
      const main = train(t, artifact.training.epochs);
      return t.blendWith ? SparseLinearModel.average([main, train(t.blendWith, t.blendWith.epochs)]) : main;
    };
    const whole = SparseLinearModel.fromJSON(artifact.quality);
    const withQuality = (model: SparseLinearModel): LearnedRouterArtifact => ({
      ...artifact,
      quality: model.toJSON(),
    });
    for (const k of foldCounts) {
      const members = foldComplements(xs.length, k, seed).map(fitOn);
      const averaged = SparseLinearModel.average(members);
      const withWhole = SparseLinearModel.average([...members, whole]);
      process.stdout.write(
        `${label}, ${k} fold models averaged: ${routerSummary(withQuality(averaged), testEx)}\n` +
          `${label}, ${k} fold models and the whole-data model averaged: ${routerSummary(withQuality(withWhole), testEx)}\n`,
      );
    }
  }
});
