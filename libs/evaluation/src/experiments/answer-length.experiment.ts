// Measured (docs/benchmarks.md, "Answer lengths predicted per prompt"): a served decision prices a model by
// the prompt's estimated input tokens and the model's mean answer length (`pricedAsServed` stands in for
// that on training data), while the recorded cost knew how long each answer turned out. How much would a
// per-prompt prediction of each model's answer length add? The router is trained as `switchyard eval`
// trains it, and its test-part curve is read with three ways of pricing a choice: the mean answer length
// (as served), a predicted one (per model, a logistic model of log(1 + answer tokens) scaled into [0, 1] on
// the same features, its mean matched to the training rows'), and the recorded cost (no decision can know
// it: the ceiling).
// Not part of `npm test` (a minute or more a split); run it with:
//
//   DATASET=../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl SEEDS=0,1,2 \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/answer-length.experiment.ts'
//
// and with TRAIN_SIZE=1000.
import {
  type DecisionCost,
  fitFeatures,
  inputTokensOf,
  LearnedRouter,
  type OutcomeExample,
  pricedAsServed,
  SparseLinearModel,
  trainLearnedRouter,
} from '@switchyard/routing';
import { experimentCases, experimentRows } from './experiment-rows';
import { experimentScorer } from './experiment-scorer';

jest.setTimeout(6 * 3_600_000);

/** Per model, the input and output price per token: least squares of the recorded cost on both counts. */
function fittedPrices(models: readonly string[], rows: readonly OutcomeExample[]): Map<string, [number, number]> {
  const prices = new Map<string, [number, number]>();
  for (const m of models) {
    let aa = 0;
    let ab = 0;
    let bb = 0;
    let ay = 0;
    let by = 0;
    for (const e of rows) {
      const a = inputTokensOf(e.text, e.context);
      const b = e.outcomes[m].outputTokens ?? 0;
      const y = e.outcomes[m].costUsd ?? 0;
      aa += a * a;
      ab += a * b;
      bb += b * b;
      ay += a * y;
      by += b * y;
    }
    const det = aa * bb - ab * ab;
    prices.set(m, det === 0 ? [0, 0] : [(ay * bb - by * ab) / det, (by * aa - ay * ab) / det]);
  }
  return prices;
}

it('prints the test-part curve with choices priced by mean, predicted and recorded answer lengths', () => {
  for (const { seed, label, trainEx, testEx } of experimentCases(experimentRows())) {
    const artifact = trainLearnedRouter(trainEx, { version: 'x', seed });
    const models = artifact.models;
    const router = new LearnedRouter(artifact);
    const preds = testEx.map((e) => Float64Array.from(router.predictQuality(e.text, undefined, e.context).quality));

    // Answer lengths: log(1 + tokens) over the training rows' largest, a soft label for a logistic model.
    const { featurizer, xs } = fitFeatures(trainEx, {}, () => undefined);
    const top = Math.max(...trainEx.flatMap((e) => models.map((m) => Math.log1p(e.outcomes[m].outputTokens ?? 0))));
    const ys = trainEx.map((e) => Float64Array.from(models, (m) => Math.log1p(e.outcomes[m].outputTokens ?? 0) / top));
    const lengthModel = SparseLinearModel.train('logistic', featurizer.dims, xs, ys, {
      learningRate: 0.05,
      epochs: 3,
      seed: 0,
    });
    const rawLength = (p: number) => Math.expm1(p * top);
    // exp(E[log]) is below the mean: scale each model's predictions so their mean is the training rows'.
    const trainPredicted = xs.map((x) => lengthModel.predict(x));
    const scale = models.map((m, k) => {
      const actual = trainEx.reduce((a, e) => a + (e.outcomes[m].outputTokens ?? 0), 0);
      const predicted = trainPredicted.reduce((a, p) => a + rawLength(p[k]), 0);
      return predicted > 0 ? actual / predicted : 1;
    });
    const predictedLength = new Map<OutcomeExample, Float64Array>();
    const lengthOf = (e: OutcomeExample): Float64Array => {
      let l = predictedLength.get(e);
      if (!l) {
        const p = lengthModel.predict(featurizer.transform(e.text));
        l = Float64Array.from(p, (q, k) => rawLength(q) * scale[k]);
        predictedLength.set(e, l);
      }
      return l;
    };
    const prices = fittedPrices(models, trainEx);
    const meanLength = Object.fromEntries(
      models.map((m) => [m, trainEx.reduce((a, e) => a + (e.outcomes[m].outputTokens ?? 0), 0) / trainEx.length]),
    );
    const served = pricedAsServed(models, trainEx);
    const predicted: DecisionCost = (e, m) =>
      Math.max(0, served(e, m) + (lengthOf(e)[models.indexOf(m)] - meanLength[m]) * (prices.get(m)?.[1] ?? 0));

    // How well the lengths are predicted on the test part: mean absolute error against the mean's.
    const error = models.map((m, k) => {
      let mine = 0;
      let mean = 0;
      for (const e of testEx) {
        const actual = e.outcomes[m].outputTokens ?? 0;
        mine += Math.abs(lengthOf(e)[k] - actual);
        mean += Math.abs(meanLength[m] - actual);
      }
      return `${m} ${(mine / mean).toFixed(2)}`;
    });
    const read = (decisionCost?: DecisionCost) =>
      experimentScorer(models, testEx, { modelsAlone: true, ...(decisionCost ? { decisionCost } : {}) }).summary(preds);
    process.stdout.write(
      `${label}: answer-length error, predicted over mean: ${error.join(', ')}\n` +
        `${label}, priced as served (mean answer length): ${read(served)}\n` +
        `${label}, priced by predicted answer length: ${read(predicted)}\n` +
        `${label}, priced by the recorded cost (the ceiling): ${read()}\n`,
    );
  }
});
