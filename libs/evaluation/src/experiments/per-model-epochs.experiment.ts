// Measured (docs/benchmarks.md, "Epochs per model"): tuning chooses one setting and one number of passes for
// the nine outputs together, by the routing score on its held-out rows. A cheap model near chance on a
// question carries noisier labels than a strong one and may stop improving sooner. Here the router's own
// setting (as `switchyard eval` tunes it) is trained on the fit part of tuning's cut for up to twice its
// epochs (at least 10), each output's validation log-loss read after every pass, and the model is trained
// again on the whole training part with each output taken at its own best pass; against it, the router
// itself and one common number of passes chosen by the summed log-loss. The test part is scored once each.
// Not part of `npm test` (one to three minutes a split); run it with:
//
//   DATASET=../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl SEEDS=0,1,2 \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/per-model-epochs.experiment.ts'
//
// and with TRAIN_SIZE=1000 or HOLD_OUT_TASK=health.
import {
  fitFeatures,
  LearnedRouter,
  SparseLinearModel,
  type SparseVector,
  trainLearnedRouter,
  type TrainOptions,
  validationCut,
} from '@switchyard/routing';
import { experimentCases, experimentRows } from './experiment-rows';
import { experimentScorer } from './experiment-scorer';

jest.setTimeout(6 * 3_600_000);

/** Per output, the summed log-loss of `model` on the rows. */
function outputLogLoss(model: SparseLinearModel, xs: readonly SparseVector[], ys: readonly Float64Array[]): number[] {
  const loss = new Array<number>(model.outputs).fill(0);
  const p = new Float64Array(model.outputs);
  xs.forEach((x, r) => {
    model.predict(x, p);
    for (let m = 0; m < model.outputs; m++) {
      const q = Math.min(Math.max(p[m], 1e-7), 1 - 1e-7);
      loss[m] -= ys[r][m] * Math.log(q) + (1 - ys[r][m]) * Math.log(1 - q);
    }
  });
  return loss;
}

/** Weights and bias per output, each copied at the pass `epochOf[m]`. */
function trainPerOutput(
  dims: number,
  xs: readonly SparseVector[],
  ys: readonly Float64Array[],
  options: Partial<TrainOptions>,
  epochOf: readonly number[],
): (x: SparseVector) => Float64Array {
  const outputs = epochOf.length;
  const w = new Float32Array(dims * outputs);
  const b = new Float64Array(outputs);
  SparseLinearModel.train('logistic', dims, xs, ys, {
    ...options,
    epochs: Math.max(...epochOf),
    onEpoch: (epoch, _loss, model) => {
      const weights = model.weights;
      const bias = model.bias;
      for (let m = 0; m < outputs; m++) {
        if (epochOf[m] !== epoch) continue;
        for (let j = 0; j < dims; j++) w[j * outputs + m] = weights[j * outputs + m];
        b[m] = bias[m];
      }
      return undefined;
    },
  });
  return (x) => {
    const out = Float64Array.from(b);
    for (let n = 0; n < x.indices.length; n++) {
      const base = x.indices[n] * outputs;
      for (let m = 0; m < outputs; m++) out[m] += w[base + m] * x.values[n];
    }
    return out.map((z) => 1 / (1 + Math.exp(-z)));
  };
}

it('prints the test-part curve of the router with each model stopped at its own best pass', () => {
  for (const { seed, label, trainEx, testEx } of experimentCases(experimentRows())) {
    const artifact = trainLearnedRouter(trainEx, { version: 'x' });
    const models = artifact.models;
    const t = artifact.training.tuning;
    if (!t) throw new Error(`${label}: the router was not tuned (too few rows)`);
    if (t.blendWith) {
      process.stdout.write(`${label}: tuning chose a blend; this experiment compares single settings, skipped\n`);
      continue;
    }
    const scorer = experimentScorer(models, testEx, { modelsAlone: true });
    const router = new LearnedRouter(artifact);
    const served = testEx.map((e) => Float64Array.from(router.predictQuality(e.text).quality));
    const { featurizer, xs } = fitFeatures(trainEx, {}, () => undefined);
    const ys = trainEx.map((e) => Float64Array.from(models, (m) => Math.min(1, Math.max(0, e.outcomes[m].score))));
    const setting: Partial<TrainOptions> = {
      learningRate: t.learningRate,
      l2: t.l2,
      seed: 0,
      ...(t.initialAccumulator === undefined ? {} : { initialAccumulator: t.initialAccumulator }),
      ...(t.l2PerEpoch ? { l2PerEpoch: true } : {}),
    };
    const cut = validationCut(xs.length, seed);
    const fitXs = cut.fit.map((r) => xs[r]);
    const fitYs = cut.fit.map((r) => ys[r]);
    const valXs = cut.validation.map((r) => xs[r]);
    const valYs = cut.validation.map((r) => ys[r]);
    const maxEpochs = Math.max(10, 2 * t.epochs);
    const losses: number[][] = [];
    SparseLinearModel.train('logistic', featurizer.dims, fitXs, fitYs, {
      ...setting,
      epochs: maxEpochs,
      onEpoch: (_epoch, _loss, model) => {
        losses.push(outputLogLoss(model, valXs, valYs));
        return undefined;
      },
    });
    const bestOf = (score: (epochLosses: number[]) => number) =>
      losses.reduce((best, l, e) => (score(l) < score(losses[best]) ? e : best), 0) + 1;
    const perModel = models.map((_, m) => bestOf((l) => l[m]));
    const common = bestOf((l) => l.reduce((a, b) => a + b, 0));
    const testXs = testEx.map((e) => featurizer.transform(e.text));
    const score = (epochOf: number[]) => {
      const predict = trainPerOutput(featurizer.dims, xs, ys, setting, epochOf);
      return scorer.summary(testXs.map(predict));
    };
    process.stdout.write(
      `${label}: setting step ${t.learningRate}, L2 ${t.l2} × ${t.epochs} (tuned on the routing score)\n` +
        `${label}, the router as served: ${scorer.summary(served)}\n` +
        `${label}, its setting retrained here at ${t.epochs} passes: ${score(models.map(() => t.epochs))}\n` +
        `${label}, one count by summed log-loss (${common}): ${score(models.map(() => common))}\n` +
        `${label}, each model its own (${models.map((m, i) => `${m} ${perModel[i]}`).join(', ')}): ${score(perModel)}\n`,
    );
  }
});
