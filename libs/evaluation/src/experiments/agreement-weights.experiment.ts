// Measured (docs/benchmarks.md, "Rows every model agrees on, weighted down"): a routing decision picks the
// model with the best predicted quality less its cost, so a shift shared by every model's prediction changes
// no choice. A row on which every model scores the same (all right, or all wrong) teaches mostly such a
// shift, its difficulty; the rows where models differ teach which model to choose. Here the router's own
// setting (tuned on the unweighted rows, as `switchyard eval` tunes it) is trained again with the rows every
// model agrees on weighted by FLOOR (1 reproduces the router), and the test part is scored once per weight.
// Not part of `npm test` (one to three minutes a split); run it with:
//
//   DATASET=../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl SEEDS=0,1,2 FLOORS=1,0.5,0.25 \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/agreement-weights.experiment.ts'
//
// and with TRAIN_SIZE=1000 or HOLD_OUT_TASK=health.
import {
  fitFeatures,
  LearnedRouter,
  SparseLinearModel,
  trainLearnedRouter,
  type TrainOptions,
} from '@switchyard/routing';
import { experimentCases, experimentRows } from './experiment-rows';
import { experimentScorer } from './experiment-scorer';

jest.setTimeout(6 * 3_600_000);

it('prints the test-part curve of the router trained with the rows every model agrees on weighted down', () => {
  const floors = (process.env['FLOORS'] ?? '1,0.5,0.25').split(',').map(Number);
  for (const { label, trainEx, testEx } of experimentCases(experimentRows())) {
    const artifact = trainLearnedRouter(trainEx, { version: 'x' });
    const models = artifact.models;
    const t = artifact.training.tuning;
    if (!t) throw new Error(`${label}: the router was not tuned (too few rows)`);
    const { featurizer, xs } = fitFeatures(trainEx, {}, () => undefined);
    const ys = trainEx.map((e) => Float64Array.from(models, (m) => Math.min(1, Math.max(0, e.outcomes[m].score))));
    const agreed = ys.map((y) => y.every((v) => Math.abs(v - y[0]) < 1e-9));
    const share = agreed.filter(Boolean).length / agreed.length;
    const testXs = testEx.map((e) => featurizer.transform(e.text));
    const scorer = experimentScorer(models, testEx, { modelsAlone: true });
    const setting = (s: typeof t | NonNullable<typeof t.blendWith>, epochs: number): Partial<TrainOptions> => ({
      learningRate: s.learningRate,
      l2: s.l2,
      epochs,
      seed: 0,
      ...(s.initialAccumulator === undefined ? {} : { initialAccumulator: s.initialAccumulator }),
      ...(s.l2PerEpoch ? { l2PerEpoch: true } : {}),
    });
    process.stdout.write(
      `${label}: ${(100 * share).toFixed(1)}% of the training rows agreed by every model; ` +
        `setting step ${t.learningRate}, L2 ${t.l2} × ${t.epochs}${t.blendWith ? ', blended' : ''}\n`,
    );
    const router = new LearnedRouter(artifact);
    const served = testEx.map((e) => Float64Array.from(router.predictQuality(e.text).quality));
    process.stdout.write(`${label}, the router as served: ${scorer.summary(served)}\n`);
    // `pairs`: every row weighted by the share of model pairs whose scores differ on it (1 where the models
    // split evenly), at least `floor`; else only the rows every model agrees on are weighted `floor`.
    const pairs = process.env['WEIGHTING'] === 'pairs';
    const split = ys.map((y) => {
      let differ = 0;
      for (let a = 0; a < y.length; a++) for (let b = a + 1; b < y.length; b++) differ += Math.abs(y[a] - y[b]);
      return differ / (Math.floor(y.length / 2) * Math.ceil(y.length / 2));
    });
    for (const floor of floors) {
      const weights = Float64Array.from(agreed, (a, r) =>
        pairs ? floor + (1 - floor) * Math.min(1, split[r]) : a ? floor : 1,
      );
      const train = (options: Partial<TrainOptions>) =>
        SparseLinearModel.train('logistic', featurizer.dims, xs, ys, { ...options, weights });
      const own = train(setting(t, t.epochs));
      const model = t.blendWith
        ? SparseLinearModel.average([own, train(setting(t.blendWith, t.blendWith.epochs))])
        : own;
      const preds = testXs.map((x) => model.predict(x));
      process.stdout.write(
        `${label}, ${pairs ? 'rows by split, floor' : 'agreed rows weighted'} ${floor}: ${scorer.summary(preds)}\n`,
      );
    }
  }
});
