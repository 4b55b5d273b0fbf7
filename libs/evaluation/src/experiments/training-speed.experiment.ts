// How long featurising and training the learned router's model take where this runs: under jest (whose vm
// sandbox makes every global lookup, `Math.exp` included, slower than in plain node) or in plain node. The
// learned router's hot loops read Math's functions from module constants for that reason (docs/benchmarks.md,
// "Experiments under jest"). Not part of `npm test`; run it with:
//
//   npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/training-speed.experiment.ts'
//
// ROWS=N (3,000 by default) prompts of $DATASET (MMLU-Pro's routing file by default).
import { SparseLinearModel, TextFeaturizer, mulberry32 } from '@switchyard/routing';
import { experimentRows } from './experiment-rows';

jest.setTimeout(3_600_000);

it('prints the seconds to featurise, train and predict', () => {
  const rows = experimentRows().slice(0, Number(process.env['ROWS'] ?? 3000));
  const texts = rows.map((r) => r.prompt);
  const rand = mulberry32(1);
  const ys = texts.map(() => Float64Array.from({ length: 9 }, () => (rand() < 0.5 ? 1 : 0)));
  let started = Date.now();
  const fz = TextFeaturizer.fit(texts, 1 << 18);
  const xs = texts.map((t) => fz.transform(t));
  const featurise = (Date.now() - started) / 1000;
  started = Date.now();
  const model = SparseLinearModel.train('logistic', fz.dims, xs, ys, { epochs: 3, learningRate: 0.05, l2: 0 });
  const train = (Date.now() - started) / 1000;
  started = Date.now();
  for (let round = 0; round < 5; round++) for (const x of xs) model.predict(x);
  const predict = (Date.now() - started) / 1000;
  process.stdout.write(
    `${rows.length} prompts: featurise ${featurise.toFixed(1)} s, train 3 epochs ${train.toFixed(1)} s, predict 5 times ${predict.toFixed(1)} s\n`,
  );
});
