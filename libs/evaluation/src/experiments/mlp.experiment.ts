// Measured (docs/benchmarks.md, "A hidden layer"): a network with one hidden layer on the learned router's own
// TF-IDF features (the same hashed vectors), one sigmoid output per model trained on every model's score at
// once (binary cross-entropy; AdaGrad, as the linear router), so the models share what the hidden units learn
// of a prompt (its topic, its kind of reasoning) and a model's quality may depend on two features together,
// which a linear model cannot draw. Epochs are chosen by early stopping on a 20% validation cut of the training
// part, then the network is trained again on the whole training part for that many epochs; the test part is
// scored once: the network alone, and its mean with the linear router (the served router, tuned as `eval`
// tunes it). Not part of `npm test` (several minutes a split); run it with:
//
//   DATASET=../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl SEEDS=0 HIDDEN=64 \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/mlp.experiment.ts'
//
// and with TRAIN_SIZE=1000 (a subsample of the training part) or HOLD_OUT_TASK=health (a leave-one-task-out fold).
import {
  LearnedRouter,
  mulberry32,
  type OutcomeExample,
  type SparseVector,
  TextFeaturizer,
  trainLearnedRouter,
  validationCut,
} from '@switchyard/routing';
import { experimentCases, experimentRows } from './experiment-rows';
import { experimentScorer } from './experiment-scorer';

jest.setTimeout(6 * 3_600_000);

/** One hidden layer (ReLU) of `hidden` units over sparse inputs, `outputs` sigmoids; AdaGrad. */
class Mlp {
  private readonly w1: Float32Array; // dims × hidden, feature-major
  private readonly g1: Float32Array;
  private readonly b1: Float64Array;
  private readonly gb1: Float64Array;
  private readonly w2: Float64Array; // hidden × outputs
  private readonly g2: Float64Array;
  private readonly b2: Float64Array;
  private readonly gb2: Float64Array;
  private readonly pre: Float64Array;
  private readonly act: Float64Array;
  private readonly dh: Float64Array;
  private readonly dz: Float64Array;

  constructor(
    dims: number,
    private readonly hidden: number,
    private readonly outputs: number,
    priors: readonly number[],
    seed: number,
  ) {
    const random = mulberry32(seed);
    this.w1 = Float32Array.from({ length: dims * hidden }, () => (2 * random() - 1) * 0.5);
    this.g1 = new Float32Array(dims * hidden).fill(0.1);
    this.b1 = new Float64Array(hidden);
    this.gb1 = new Float64Array(hidden).fill(0.1);
    this.w2 = Float64Array.from({ length: hidden * outputs }, () => (2 * random() - 1) * 0.1);
    this.g2 = new Float64Array(hidden * outputs).fill(0.1);
    this.b2 = Float64Array.from(priors, (p) => Math.log(Math.max(p, 1e-3) / Math.max(1 - p, 1e-3)));
    this.gb2 = new Float64Array(outputs).fill(0.1);
    this.pre = new Float64Array(hidden);
    this.act = new Float64Array(hidden);
    this.dh = new Float64Array(hidden);
    this.dz = new Float64Array(outputs);
  }

  /** The outputs' probabilities for `x`, written to `out`. */
  predict(x: SparseVector, out: Float64Array): void {
    const { hidden, outputs, w1, pre, act, w2 } = this;
    pre.set(this.b1);
    for (let k = 0; k < x.indices.length; k++) {
      const base = x.indices[k] * hidden;
      const v = x.values[k];
      for (let j = 0; j < hidden; j++) pre[j] += w1[base + j] * v;
    }
    for (let j = 0; j < hidden; j++) act[j] = pre[j] > 0 ? pre[j] : 0;
    for (let o = 0; o < outputs; o++) {
      let z = this.b2[o];
      for (let j = 0; j < hidden; j++) z += act[j] * w2[j * outputs + o];
      out[o] = 1 / (1 + Math.exp(-z));
    }
  }

  /** One AdaGrad step on the cross-entropy of `x`'s outputs against `targets` (0..1); returns the loss. */
  step(x: SparseVector, targets: readonly number[], rate: number, probs: Float64Array): number {
    this.predict(x, probs);
    const { hidden, outputs, w1, g1, act, pre, w2, g2, dh, dz } = this;
    let loss = 0;
    for (let o = 0; o < outputs; o++) {
      const p = Math.min(Math.max(probs[o], 1e-7), 1 - 1e-7);
      loss -= targets[o] * Math.log(p) + (1 - targets[o]) * Math.log(1 - p);
      dz[o] = probs[o] - targets[o];
    }
    dh.fill(0);
    for (let j = 0; j < hidden; j++) {
      for (let o = 0; o < outputs; o++) {
        const at = j * outputs + o;
        dh[j] += w2[at] * dz[o];
        const g = act[j] * dz[o];
        g2[at] += g * g;
        w2[at] -= (rate * g) / Math.sqrt(g2[at]);
      }
      if (pre[j] <= 0) dh[j] = 0;
    }
    for (let o = 0; o < outputs; o++) {
      this.gb2[o] += dz[o] * dz[o];
      this.b2[o] -= (rate * dz[o]) / Math.sqrt(this.gb2[o]);
    }
    for (let j = 0; j < hidden; j++) {
      this.gb1[j] += dh[j] * dh[j];
      this.b1[j] -= (rate * dh[j]) / Math.sqrt(this.gb1[j]);
    }
    for (let k = 0; k < x.indices.length; k++) {
      const base = x.indices[k] * hidden;
      const v = x.values[k];
      for (let j = 0; j < hidden; j++) {
        if (dh[j] === 0) continue;
        const g = dh[j] * v;
        const at = base + j;
        g1[at] += g * g;
        w1[at] -= (rate * g) / Math.sqrt(g1[at]);
      }
    }
    return loss;
  }
}

function meanLoss(net: Mlp, xs: readonly SparseVector[], ys: readonly number[][], outputs: number): number {
  const probs = new Float64Array(outputs);
  let loss = 0;
  for (let i = 0; i < xs.length; i++) {
    net.predict(xs[i], probs);
    for (let o = 0; o < outputs; o++) {
      const p = Math.min(Math.max(probs[o], 1e-7), 1 - 1e-7);
      loss -= ys[i][o] * Math.log(p) + (1 - ys[i][o]) * Math.log(1 - p);
    }
  }
  return loss / xs.length;
}

function trainMlp(
  xs: readonly SparseVector[],
  ys: readonly number[][],
  options: { dims: number; hidden: number; rate: number; epochs: number; seed: number },
  validation?: { xs: readonly SparseVector[]; ys: readonly number[][]; patience: number },
): { net: Mlp; bestEpochs: number; losses: number[] } {
  const outputs = ys[0].length;
  const priors = Array.from({ length: outputs }, (_, o) => ys.reduce((a, y) => a + y[o], 0) / ys.length);
  const net = new Mlp(options.dims, options.hidden, outputs, priors, options.seed);
  const random = mulberry32(options.seed ^ 0x9e37);
  const order = Array.from(xs.keys());
  const probs = new Float64Array(outputs);
  const losses: number[] = [];
  let best = Infinity;
  let bestEpochs = options.epochs;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const i of order) net.step(xs[i], ys[i], options.rate, probs);
    if (!validation) continue;
    const loss = meanLoss(net, validation.xs, validation.ys, outputs);
    losses.push(loss);
    if (loss < best) {
      best = loss;
      bestEpochs = epoch;
    } else if (epoch - bestEpochs >= validation.patience) break;
  }
  return { net, bestEpochs, losses };
}

it('prints the test-part curve of the linear router, the hidden-layer network and their mean', () => {
  const hidden = Number(process.env['HIDDEN'] ?? 64);
  const rate = Number(process.env['RATE'] ?? 0.05);
  for (const { seed, label, trainEx, testEx } of experimentCases(experimentRows())) {
    let started = Date.now();
    const artifact = trainLearnedRouter(trainEx, { version: 'x' });
    const router = new LearnedRouter(artifact);
    const models = artifact.models;
    const scorer = experimentScorer(models, testEx, { modelsAlone: true });
    const linear = testEx.map((e) => Float64Array.from(router.predictQuality(e.text).quality));
    process.stdout.write(
      `${label}, linear router: ${scorer.summary(linear)} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
    );

    started = Date.now();
    const fz = new TextFeaturizer(artifact.featurizer);
    const vec = (e: OutcomeExample) => fz.transform(e.text);
    const target = (e: OutcomeExample) => models.map((m) => e.outcomes[m].score);
    // The validation cut: tuning's own (a seeded 20% of the training part).
    const cut = validationCut(trainEx.length, seed);
    const fitRows = cut.fit.map((i) => trainEx[i]);
    const validRows = cut.validation.map((i) => trainEx[i]);
    const options = { dims: fz.dims, hidden, rate, epochs: 40, seed };
    const tuned = trainMlp(fitRows.map(vec), fitRows.map(target), options, {
      xs: validRows.map(vec),
      ys: validRows.map(target),
      patience: 3,
    });
    const { net } = trainMlp(trainEx.map(vec), trainEx.map(target), { ...options, epochs: tuned.bestEpochs });
    const network = testEx.map((e) => {
      const out = new Float64Array(models.length);
      net.predict(vec(e), out);
      return out;
    });
    const mean = network.map((p, i) => Float64Array.from(p, (q, m) => (q + linear[i][m]) / 2));
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    process.stdout.write(
      `${label}, hidden ${hidden}, rate ${rate}: validation loss by epoch ${tuned.losses.map((l) => l.toFixed(4)).join(' ')}; ` +
        `${tuned.bestEpochs} epochs (${seconds} s)\n` +
        `${label}, network alone: ${scorer.summary(network)}\n` +
        `${label}, mean of the two: ${scorer.summary(mean)}\n`,
    );
  }
});
