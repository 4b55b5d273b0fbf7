// Measured (docs/benchmarks.md, "Model-pair preferences"): a Bradley-Terry model of which model answers a
// prompt better, learned from the pairs of models whose outcomes differ on it (RouteLLM learns its routers from
// such pairwise preferences), alone and added to the learned router's logits. Settings (step, epochs, the
// blend's weight) are chosen on a validation cut of the training part, never on the test part. Not part of
// `npm test` (about 3 minutes a seed under jest; 30, and 70 for a held-out task, before its loops and the
// router's stopped looking up `Math` per call: docs/benchmarks.md, "Under jest"); run it with:
//
//   DATASET=../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl SEEDS=0,1,2 \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/pairwise.experiment.ts'
//
// TRAIN_SIZE=N subsamples the training part (the learning curve's `--train-size`); HOLD_OUT_TASK=name tests on
// one task and trains on the others (a `--cv task` fold).
import {
  LearnedRouter,
  TextFeaturizer,
  trainLearnedRouter,
  mulberry32,
  validationCut,
  type OutcomeExample,
  type SparseVector,
} from '@switchyard/routing';
import { experimentCases, experimentRows } from './experiment-rows';
import { experimentScorer } from './experiment-scorer';

jest.setTimeout(3_600_000);

// Module constants: under jest each `Math.x` in a loop is a slow global lookup (docs/benchmarks.md, "Under jest").
const { exp, floor, log, max, sqrt } = Math;

/** Per-model scores s_m(x) = b_m + w_m·x with P(m beats n on x) = σ(s_m − s_n), trained by AdaGrad. */
class PairwiseModel {
  readonly w: Float32Array;
  readonly b: Float64Array;
  private readonly g2: Float32Array;
  private readonly bg2: Float64Array;
  constructor(
    readonly dims: number,
    readonly models: number,
  ) {
    this.w = new Float32Array(dims * models);
    this.g2 = new Float32Array(dims * models);
    this.b = new Float64Array(models);
    this.bg2 = new Float64Array(models);
  }

  scores(x: SparseVector, out = new Float64Array(this.models)): Float64Array {
    const M = this.models;
    out.set(this.b);
    for (let n = 0; n < x.indices.length; n++) {
      const base = x.indices[n] * M;
      const v = x.values[n];
      for (let k = 0; k < M; k++) out[k] += this.w[base + k] * v;
    }
    return out;
  }

  /** One epoch over the rows in a seeded order; every pair whose scores differ counts |difference| times. */
  epoch(xs: readonly SparseVector[], ys: readonly Float64Array[], lr: number, seed: number): number {
    const M = this.models;
    const order = shuffled(xs.length, seed);
    const s = new Float64Array(M);
    const grad = new Float64Array(M);
    let loss = 0;
    for (const r of order) {
      const y = ys[r];
      this.scores(xs[r], s);
      grad.fill(0);
      let any = false;
      for (let a = 0; a < M; a++)
        for (let c = a + 1; c < M; c++) {
          const d = y[a] - y[c];
          if (d === 0) continue;
          any = true;
          const [i, j, wgt] = d > 0 ? [a, c, d] : [c, a, -d];
          const p = 1 / (1 + exp(-(s[i] - s[j])));
          loss -= wgt * log(max(p, 1e-12));
          const g = wgt * (p - 1);
          grad[i] += g;
          grad[j] -= g;
        }
      if (!any) continue;
      for (let k = 0; k < M; k++) {
        this.bg2[k] += grad[k] * grad[k];
        this.b[k] -= (lr * grad[k]) / sqrt(this.bg2[k] + 1e-8);
      }
      const x = xs[r];
      for (let n = 0; n < x.indices.length; n++) {
        const base = x.indices[n] * M;
        const v = x.values[n];
        for (let k = 0; k < M; k++) {
          const g = grad[k] * v;
          if (g === 0) continue;
          const at = base + k;
          this.g2[at] += g * g;
          this.w[at] -= (lr * g) / sqrt(this.g2[at] + 1e-8);
        }
      }
    }
    return loss / xs.length;
  }
}

function shuffled(n: number, seed: number): number[] {
  const rand = mulberry32(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

const logit = (p: number) => log(max(p, 1e-6) / max(1 - p, 1e-6));
const sigmoid = (z: number) => 1 / (1 + exp(-z));

/** The pseudo-quality the cost sweep reads: σ(logit(router) + β·(s − mean s)), or σ(s − mean s) alone. */
function combine(router: Float64Array | undefined, s: Float64Array, beta: number): Float64Array {
  let mean = 0;
  for (const v of s) mean += v / s.length;
  return Float64Array.from(s, (v, k) => sigmoid((router ? logit(router[k]) : 0) + beta * (v - mean)));
}

const STEPS = [0.02, 0.05, 0.1];
const BETAS = [0.25, 0.5, 1, 2];
const MAX_EPOCHS = 12;

it('prints the APGR of the router, the pairwise model and their blends', () => {
  for (const { seed, label, trainEx, testEx } of experimentCases(experimentRows())) {
    const log = (s: string) => process.stdout.write(s + '\n');
    log(`${label}: ${trainEx.length} train, ${testEx.length} test`);

    // 1. Settings chosen on a validation cut of the training part.
    const cut = validationCut(trainEx.length, seed);
    const fitEx = cut.fit.map((i) => trainEx[i]);
    const valEx = cut.validation.map((i) => trainEx[i]);
    const fitRouter = new LearnedRouter(trainLearnedRouter(fitEx, { version: 'x' }));
    const models = [...fitRouter.models];
    const val = experimentScorer(models, valEx);
    const valRouter = valEx.map((e) => fitRouter.predictQuality(e.text).quality);
    log(`  validation: router alone ${val.apgr(valRouter).toFixed(3)}`);
    const fz = new TextFeaturizer(fitRouter.artifact.featurizer);
    const ys = (ex: readonly OutcomeExample[]) => ex.map((e) => Float64Array.from(models, (m) => e.outcomes[m].score));
    const fitX = fitEx.map((e) => fz.transform(e.text));
    const valX = valEx.map((e) => fz.transform(e.text));
    let bestPure = { apgr: -Infinity, step: 0, epochs: 0 };
    let bestBlend = { apgr: -Infinity, step: 0, epochs: 0, beta: 0 };
    for (const step of STEPS) {
      const pm = new PairwiseModel(fz.dims, models.length);
      let sinceBest = 0;
      let stepBest = -Infinity;
      for (let ep = 1; ep <= MAX_EPOCHS && sinceBest < 3; ep++) {
        pm.epoch(fitX, ys(fitEx), step, seed * 100 + ep);
        const s = valX.map((x) => pm.scores(x));
        const pure = val.apgr(s.map((v) => combine(undefined, v, 1)));
        const blends = BETAS.map((beta) => val.apgr(s.map((v, i) => combine(valRouter[i], v, beta))));
        log(
          `    step ${step} epoch ${ep}: pairwise ${pure.toFixed(3)}, blends ${blends.map((a, i) => `β${BETAS[i]} ${a.toFixed(3)}`).join(' ')}`,
        );
        if (pure > bestPure.apgr) bestPure = { apgr: pure, step, epochs: ep };
        blends.forEach((a, i) => {
          if (a > bestBlend.apgr) bestBlend = { apgr: a, step, epochs: ep, beta: BETAS[i] };
        });
        const top = max(pure, ...blends);
        if (top > stepBest) {
          stepBest = top;
          sinceBest = 0;
        } else sinceBest++;
      }
    }
    log(
      `  chosen: pairwise step ${bestPure.step} × ${bestPure.epochs}; blend step ${bestBlend.step} × ${bestBlend.epochs}, β ${bestBlend.beta}`,
    );

    // 2. Trained on the whole training part with the chosen settings, measured once on the test part.
    const router = new LearnedRouter(trainLearnedRouter(trainEx, { version: 'x' }));
    const onTest = experimentScorer(router.models, testEx);
    const fzAll = new TextFeaturizer(router.artifact.featurizer);
    const trainX = trainEx.map((e) => fzAll.transform(e.text));
    const testX = testEx.map((e) => fzAll.transform(e.text));
    const testRouter = testEx.map((e) => router.predictQuality(e.text).quality);
    const trained = (step: number, epochs: number) => {
      const pm = new PairwiseModel(fzAll.dims, router.models.length);
      for (let ep = 1; ep <= epochs; ep++) pm.epoch(trainX, ys(trainEx), step, seed * 100 + ep);
      return testX.map((x) => pm.scores(x));
    };
    const pureS = trained(bestPure.step, bestPure.epochs);
    const blendS =
      bestBlend.step === bestPure.step && bestBlend.epochs === bestPure.epochs
        ? pureS
        : trained(bestBlend.step, bestBlend.epochs);
    const blendAt = (beta: number) => blendS.map((v, i) => combine(testRouter[i], v, beta));
    log(
      `  test: router alone ${onTest.summary(testRouter)}; pairwise alone ${onTest.summary(
        pureS.map((v) => combine(undefined, v, 1)),
      )}; blend ${onTest.summary(blendAt(bestBlend.beta))}` +
        ` (other β on the test part, for the record: ${BETAS.map((b) => `${b} ${onTest.summary(blendAt(b))}`).join(', ')})`,
    );
  }
});
