import type { SparseVector } from './text-features';

// Math's functions as module constants: under jest's vm sandbox each `Math.x` in a hot loop is a slow global lookup.
const { exp, floor, fround, imul, log, max, min, sqrt } = Math;

/**
 * A linear model over sparse features with several outputs, trained by AdaGrad with L2 regularisation:
 * `logistic` gives one independent probability per output (per-model quality), `softmax` one distribution
 * over the outputs (which model is best). Weights are laid out feature-major so one feature's outputs sit
 * together in memory.
 */
export type LinearLoss = 'logistic' | 'softmax';

export interface LinearModelState {
  loss: LinearLoss;
  dims: number;
  outputs: number;
  /** dims × outputs weights, feature-major, base64 of a Float32Array. */
  weights: string;
  bias: number[];
}

/** What `TrainOptions.averageIterates` averages: the updates of the last epoch, or all of them. */
export type IterateAveraging = 'epoch' | 'all';
/** A trainer's `averageIterates` option: an averaging, or `'none'` for the last weights. */
export type IterateAveragingChoice = IterateAveraging | 'none';

/** The averaging a choice asks `TrainOptions.averageIterates` for: undefined for `'none'` (or no choice). */
export function iterateAveraging(choice: IterateAveragingChoice | undefined): IterateAveraging | undefined {
  return choice === 'none' ? undefined : choice;
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  /** Deterministic shuffling. */
  seed: number;
  /**
   * The constant under AdaGrad's square root, as if every parameter's sum of squared gradients started there:
   * `w -= step × g / √(initialAccumulator + Σg²)`. Absent (or below ADAGRAD_EPSILON), ADAGRAD_EPSILON, no
   * more than a guard against dividing by zero: then a parameter's first update is the full step whatever
   * its gradient, which lets a feature seen in one or two rows weigh as much as a common one (see
   * TRAINING_CANDIDATES).
   */
  initialAccumulator?: number;
  /**
   * Return (and show `onEpoch`) the average of the weights after each update of the epoch just run
   * (`'epoch'`, tail averaging) or of every update so far (`'all'`, Polyak-Ruppert), not the last weights
   * (absent). It damps the pull of the last rows seen; TRAINING_CANDIDATES' early-stopped settings average
   * per epoch (docs/benchmarks.md, "Iterates averaged").
   */
  averageIterates?: IterateAveraging;
  /**
   * After each epoch: its mean training loss, and the model as trained so far (it may predict, for early
   * stopping on a validation cut). Returning 'stop' ends the training after this epoch.
   */
  onEpoch?: (epoch: number, loss: number, model: SparseLinearModel) => void | 'stop';
}

// Few, gentle passes. Chosen on two validation cuts (80/20) of the MMLU-Pro training part, never on its test
// part: steps of 0.01-0.02 over 2-5 epochs routed best (APGR 1.31-1.33 on one cut, 1.08-1.09 on the other);
// 0.05 and above, more epochs or an L2 term overfit the hashed n-grams (1.05-1.20). 0.02 × 2 is the cheapest
// of the best. `npx switchyard eval` re-checks on any dataset.
export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { epochs: 2, learningRate: 0.02, l2: 0, seed: 0 };
/** AdaGrad's guard against dividing by zero, the default `TrainOptions.initialAccumulator`. */
export const ADAGRAD_EPSILON = 1e-8;

/** What a training set says beyond its rows and targets (kept apart from `TrainOptions`, the hyperparameters a router's trainer passes through). */
export interface TrainDataOptions {
  /** One weight per row, multiplying that row's gradient (and its loss in `onEpoch`); 1 for every row when absent. */
  weights?: Float64Array;
  /**
   * Logistic only: pseudo-count shrinking each output's starting bias from its labelled base rate toward the
   * mean of all labelled targets, so an output with three lucky labels does not start at 1.0. 0 (the default)
   * starts at the raw base rate.
   */
  priorStrength?: number;
  /**
   * Spread `l2` over the rows that have a feature, as full-batch L2 would weigh it: each update of feature j
   * shrinks it by l2 / (rows with j), so every weight gets l2 × itself per epoch however rare its feature
   * (plain per-update L2 barely touches a feature seen once, which then memorises its row). With l2 = 1/C
   * this is a logistic regression with sklearn's `C` (objective: C × summed loss + ½‖w‖²).
   */
  l2PerEpoch?: boolean;
  /**
   * Training continues from this model (a warm start): output k starts from `start.model`'s output
   * `start.from[k]` (its weights and bias), or, where `from[k]` is -1, from zero weights and the base-rate bias
   * as without a start. AdaGrad's sums start afresh. Same loss and dims; `from` has one entry per output.
   */
  start?: { model: SparseLinearModel; from: readonly number[] };
  /**
   * Logistic only: each output's weights are its own plus a part shared by every output (what makes a prompt
   * hard or easy for all of them), the shared part learned from the sum of the labelled outputs' gradients
   * at the same step, and folded into each output's weights at the end (the model served is the same
   * shape). With one label a row, an output alone learns from its own rows only; the shared part learns
   * from all. Not with `averageIterates`.
   */
  sharedPart?: boolean;
}

export class SparseLinearModel {
  private constructor(
    readonly loss: LinearLoss,
    readonly dims: number,
    readonly outputs: number,
    private readonly w: Float32Array,
    private readonly b: Float64Array,
  ) {}

  static fromJSON(state: LinearModelState): SparseLinearModel {
    const bytes = Buffer.from(state.weights, 'base64');
    const w = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    if (w.length !== state.dims * state.outputs)
      throw new Error(`weights hold ${w.length} values; expected ${state.dims} × ${state.outputs}`);
    return new SparseLinearModel(state.loss, state.dims, state.outputs, w, Float64Array.from(state.bias));
  }

  /**
   * The model whose scores are the mean of the given models' (same loss, dims and outputs): for logistic
   * outputs, the average of their logits, one model to serve however many were averaged.
   */
  static average(models: readonly SparseLinearModel[]): SparseLinearModel {
    const [first] = models;
    if (!first) throw new Error('nothing to average');
    for (const m of models)
      if (m.loss !== first.loss || m.dims !== first.dims || m.outputs !== first.outputs)
        throw new Error('only models of the same loss, dims and outputs can be averaged');
    const w = new Float32Array(first.w.length);
    const b = new Float64Array(first.b.length);
    for (const m of models) {
      for (let i = 0; i < w.length; i++) w[i] += m.w[i] / models.length;
      for (let k = 0; k < b.length; k++) b[k] += m.b[k] / models.length;
    }
    return new SparseLinearModel(first.loss, first.dims, first.outputs, w, b);
  }

  toJSON(): LinearModelState {
    return {
      loss: this.loss,
      dims: this.dims,
      outputs: this.outputs,
      weights: Buffer.from(this.w.buffer, this.w.byteOffset, this.w.byteLength).toString('base64'),
      bias: Array.from(this.b),
    };
  }

  /**
   * Trains on rows `xs` with targets `ys`: for logistic, ys[i][k] in 0..1 (soft labels allowed), or NaN when
   * row i has no label for output k (a bandit log labels only the model that answered): that output then
   * gets no update from the row, not even L2 decay, and the row does not count in its starting bias. For
   * softmax, ys[i] is a distribution over the outputs (one-hot for a single best class), never NaN.
   */
  static train(
    loss: LinearLoss,
    dims: number,
    xs: readonly SparseVector[],
    ys: readonly Float64Array[],
    options: Partial<TrainOptions> & TrainDataOptions = {},
  ): SparseLinearModel {
    const opts = { ...DEFAULT_TRAIN_OPTIONS, ...options };
    const outputs = ys[0]?.length ?? 0;
    if (outputs === 0) throw new Error('no outputs to train');
    if (ys.length !== xs.length) throw new Error(`${xs.length} rows but ${ys.length} targets`);
    const weights = opts.weights;
    if (weights && weights.length !== xs.length) throw new Error(`${xs.length} rows but ${weights.length} weights`);
    const w = new Float32Array(dims * outputs);
    const g2 = new Float32Array(dims * outputs);
    const b = new Float64Array(outputs);
    const bg2 = new Float64Array(outputs);
    // Rows with a missing target, flagged once so the rows without any keep the original loop untouched.
    const partial = rowsWithMissingTargets(ys, outputs);
    if (partial && loss !== 'logistic') throw new Error('missing (NaN) targets need the logistic loss');
    // Start the biases at the base rates: the first epoch then learns what the text adds to them.
    if (loss === 'logistic') initialBiases(ys, outputs, opts.priorStrength ?? 0, b);
    if (opts.start) startFrom(opts.start, loss, dims, outputs, w, b);
    if (opts.sharedPart) {
      if (loss !== 'logistic') throw new Error('a shared part needs the logistic loss');
      if (opts.averageIterates) throw new Error('a shared part is not trained with averaged iterates');
      SparseLinearModel.trainSharedPart(xs, ys, opts, w, b, outputs, dims);
      return new SparseLinearModel(loss, dims, outputs, w, b);
    }
    const model = new SparseLinearModel(loss, dims, outputs, w, b);
    // The L2 strength of each feature's updates: l2 everywhere, or spread over the rows having it.
    const l2At = l2PerFeature(dims, xs, opts.l2, options.l2PerEpoch === true);
    const order = Array.from(xs.keys());
    const rand = mulberry32(opts.seed);
    const z = new Float64Array(outputs);
    const grad = new Float64Array(outputs);
    // The labelled outputs of a partial row, refilled per row (no allocation in the loop).
    const labelled = new Int32Array(outputs);
    const eps = max(opts.initialAccumulator ?? 0, ADAGRAD_EPSILON);
    const avg = opts.averageIterates ? new IterateAverage(w, g2, b, bg2, l2At, opts.learningRate, eps) : undefined;
    // Every output, for the averaged updates of a full row (a partial row passes `labelled`).
    const everyOutput = Int32Array.from({ length: outputs }, (_, k) => k);
    // Rows trained on so far, partial or not: each leaves one iterate.
    let step = 0;
    // The model as it stands: its weights, or their average so far.
    const current = () => (avg ? new SparseLinearModel(loss, dims, outputs, ...avg.averaged(step)) : model);
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      if (avg && opts.averageIterates === 'epoch') avg.restart(step);
      shuffleInPlace(order, rand);
      let total = 0;
      for (const r of order) {
        const x = xs[r];
        const y = ys[r];
        model.scores(x, z);
        const rowLoss = model.gradient(z, y, grad);
        if (weights) {
          const rw = weights[r];
          for (let k = 0; k < outputs; k++) grad[k] *= rw;
          total += rowLoss * rw;
        } else {
          total += rowLoss;
        }
        if (partial && partial[r] === 1) {
          let count = 0;
          for (let k = 0; k < outputs; k++) if (!Number.isNaN(y[k])) labelled[count++] = k;
          step++;
          if (avg) {
            avg.update(x, grad, step, labelled, count);
            continue;
          }
          for (let c = 0; c < count; c++) {
            const k = labelled[c];
            bg2[k] += grad[k] * grad[k];
            b[k] -= (opts.learningRate * grad[k]) / sqrt(bg2[k] + eps);
          }
          for (let n = 0; n < x.indices.length; n++) {
            const base = x.indices[n] * outputs;
            const xv = x.values[n];
            const l2 = l2At[x.indices[n]];
            for (let c = 0; c < count; c++) {
              const at = base + labelled[c];
              const g = grad[labelled[c]] * xv + l2 * w[at];
              g2[at] += g * g;
              w[at] -= (opts.learningRate * g) / sqrt(g2[at] + eps);
            }
          }
          continue;
        }
        step++;
        if (avg) {
          avg.update(x, grad, step, everyOutput, outputs);
          continue;
        }
        for (let k = 0; k < outputs; k++) {
          bg2[k] += grad[k] * grad[k];
          b[k] -= (opts.learningRate * grad[k]) / sqrt(bg2[k] + eps);
        }
        // The hot loop of training (three quarters of it, profiled): each sum kept in a local rounded as the
        // Float32Array would store it, so nothing is read back, and no L2 term read where there is none.
        // The same arithmetic as `g2[at] += g * g; w[at] -= lr * g / sqrt(g2[at] + eps)`, bit for bit.
        const lr = opts.learningRate;
        for (let n = 0; n < x.indices.length; n++) {
          const base = x.indices[n] * outputs;
          const xv = x.values[n];
          const l2 = l2At[x.indices[n]];
          if (l2 === 0)
            for (let k = 0; k < outputs; k++) {
              const at = base + k;
              const g = grad[k] * xv;
              const sum = fround(g2[at] + g * g);
              g2[at] = sum;
              w[at] -= (lr * g) / sqrt(sum + eps);
            }
          else
            for (let k = 0; k < outputs; k++) {
              const at = base + k;
              const g = grad[k] * xv + l2 * w[at];
              const sum = fround(g2[at] + g * g);
              g2[at] = sum;
              w[at] -= (lr * g) / sqrt(sum + eps);
            }
        }
      }
      if (opts.onEpoch?.(epoch, total / order.length, current()) === 'stop') break;
    }
    return current();
  }

  /**
   * `train` with `sharedPart`: AdaGrad over each output's weights w (from their start) and one shared vector s
   * (from zero), a row's score for output k being b_k + x·(w_k + s); an update of s takes the sum of the
   * labelled outputs' gradients. s is added to every output's weights when done. L2 applies to w and s alike.
   */
  private static trainSharedPart(
    xs: readonly SparseVector[],
    ys: readonly Float64Array[],
    opts: TrainOptions & TrainDataOptions,
    w: Float32Array,
    b: Float64Array,
    outputs: number,
    dims: number,
  ): void {
    const shared = new Float64Array(dims);
    const sg2 = new Float64Array(dims);
    const g2 = new Float32Array(dims * outputs);
    const bg2 = new Float64Array(outputs);
    const l2At = l2PerFeature(dims, xs, opts.l2, opts.l2PerEpoch === true);
    const eps = max(opts.initialAccumulator ?? 0, ADAGRAD_EPSILON);
    const lr = opts.learningRate;
    const order = Array.from(xs.keys());
    const rand = mulberry32(opts.seed);
    const grad = new Float64Array(outputs);
    // The labelled outputs of the row, refilled per row.
    const labelled = new Int32Array(outputs);
    const weights = opts.weights;
    const folded = () => {
      const wf = Float32Array.from(w);
      for (let f = 0; f < dims; f++)
        if (shared[f] !== 0) for (let k = 0; k < outputs; k++) wf[f * outputs + k] += shared[f];
      return new SparseLinearModel('logistic', dims, outputs, wf, Float64Array.from(b));
    };
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      shuffleInPlace(order, rand);
      let total = 0;
      for (const r of order) {
        const { indices, values } = xs[r];
        const y = ys[r];
        const rw = weights ? weights[r] : 1;
        let count = 0;
        for (let k = 0; k < outputs; k++) if (!Number.isNaN(y[k])) labelled[count++] = k;
        let sharedScore = 0;
        for (let n = 0; n < indices.length; n++) sharedScore += shared[indices[n]] * values[n];
        let gradSum = 0;
        for (let c = 0; c < count; c++) {
          const k = labelled[c];
          let z = b[k] + sharedScore;
          for (let n = 0; n < indices.length; n++) z += w[indices[n] * outputs + k] * values[n];
          const p = sigmoid(z);
          total -= rw * (y[k] * log(p + 1e-12) + (1 - y[k]) * log(1 - p + 1e-12));
          const gk = (p - y[k]) * rw;
          grad[c] = gk;
          gradSum += gk;
          bg2[k] += gk * gk;
          b[k] -= (lr * gk) / sqrt(bg2[k] + eps);
        }
        for (let n = 0; n < indices.length; n++) {
          const f = indices[n];
          const xv = values[n];
          const l2 = l2At[f];
          for (let c = 0; c < count; c++) {
            const at = f * outputs + labelled[c];
            const g = grad[c] * xv + l2 * w[at];
            g2[at] += g * g;
            w[at] -= (lr * g) / sqrt(g2[at] + eps);
          }
          const g = gradSum * xv + l2 * shared[f];
          sg2[f] += g * g;
          shared[f] -= (lr * g) / sqrt(sg2[f] + eps);
        }
      }
      if (opts.onEpoch?.(epoch, total / order.length, folded()) === 'stop') break;
    }
    w.set(folded().w);
  }

  /** Probabilities per output for one row. */
  predict(x: SparseVector, out: Float64Array = new Float64Array(this.outputs)): Float64Array {
    this.scores(x, out);
    return activateInPlace(this.loss, out);
  }

  /** The weights, dims × outputs, feature-major: a view, not to be written. */
  get weights(): Float32Array {
    return this.w;
  }

  /** The bias per output (a copy). */
  get bias(): Float64Array {
    return Float64Array.from(this.b);
  }

  private scores(x: SparseVector, out: Float64Array): void {
    const m = this.outputs;
    const { w, b } = this;
    const { indices, values } = x;
    for (let k = 0; k < m; k++) out[k] = b[k];
    for (let n = 0; n < indices.length; n++) {
      const base = indices[n] * m;
      const xv = values[n];
      for (let k = 0; k < m; k++) out[k] += w[base + k] * xv;
    }
  }

  /** Writes d(loss)/d(score) per output into grad; returns the row's loss. */
  private gradient(z: Float64Array, y: Float64Array, grad: Float64Array): number {
    let loss = 0;
    if (this.loss === 'logistic') {
      for (let k = 0; k < this.outputs; k++) {
        // No label: no gradient, no loss.
        if (Number.isNaN(y[k])) {
          grad[k] = 0;
          continue;
        }
        const p = sigmoid(z[k]);
        grad[k] = p - y[k];
        loss -= y[k] * log(p + 1e-12) + (1 - y[k]) * log(1 - p + 1e-12);
      }
    } else {
      softmaxInPlace(z);
      for (let k = 0; k < this.outputs; k++) {
        grad[k] = z[k] - y[k];
        if (y[k] > 0) loss -= y[k] * log(z[k] + 1e-12);
      }
    }
    return loss;
  }
}

/**
 * AdaGrad's updates with the running average of the iterates (`TrainOptions.averageIterates`). With Δ_s the
 * update of step s, Σ_{t≤T} w_t = T·w_0 + (T + 1)·(w_T − w_0) − Σ_s s·Δ_s: one more sum per weight, kept as
 * updates happen, gives the average at any step without touching the weights a row does not have.
 */
class IterateAverage {
  private readonly u: Float64Array;
  private readonly ub: Float64Array;
  /** The weights and biases the average starts from (the last `restart`'s), and the step they are at. */
  private w0: Float32Array;
  private b0: Float64Array;
  private start = 0;

  constructor(
    private readonly w: Float32Array,
    private readonly g2: Float32Array,
    private readonly b: Float64Array,
    private readonly bg2: Float64Array,
    private readonly l2At: Float64Array,
    private readonly lr: number,
    private readonly eps: number,
  ) {
    this.u = new Float64Array(w.length);
    this.ub = new Float64Array(b.length);
    this.w0 = Float32Array.from(w);
    this.b0 = Float64Array.from(b);
  }

  /**
   * One row's AdaGrad step (as `train` takes it) for the outputs `outs[0..count)` (a partial row's labelled
   * ones; the others keep their weights, so their iterate is unchanged), weighed by `step` into the sums.
   */
  update(x: SparseVector, grad: Float64Array, step: number, outs: Int32Array, count: number): void {
    const { w, g2, b, bg2, u, ub, l2At, lr, eps } = this;
    const outputs = b.length;
    for (let c = 0; c < count; c++) {
      const k = outs[c];
      bg2[k] += grad[k] * grad[k];
      const d = -(lr * grad[k]) / sqrt(bg2[k] + eps);
      b[k] += d;
      ub[k] += step * d;
    }
    for (let n = 0; n < x.indices.length; n++) {
      const base = x.indices[n] * outputs;
      const xv = x.values[n];
      const l2 = l2At[x.indices[n]];
      for (let c = 0; c < count; c++) {
        const k = outs[c];
        const at = base + k;
        // As `train`'s own loop: no L2 term read where there is none (x + 0 is x, so the same bits).
        const g = l2 === 0 ? grad[k] * xv : grad[k] * xv + l2 * w[at];
        const sum = fround(g2[at] + g * g);
        g2[at] = sum;
        // The new weight as the Float32Array stores it, so the sums are of the iterates as kept.
        const before = w[at];
        const after = fround(before - (lr * g) / sqrt(sum + eps));
        w[at] = after;
        u[at] += step * (after - before);
      }
    }
  }

  /** Averages from here on only: the iterates after step `step` (the sums start again from the weights now). */
  restart(step: number): void {
    this.start = step;
    this.w0 = Float32Array.from(this.w);
    this.b0 = Float64Array.from(this.b);
    this.u.fill(0);
    this.ub.fill(0);
  }

  /**
   * The weights and biases averaged over the iterates after `steps` steps, those since the last `restart`
   * (copies of the weights as they are before any): with n of them from w0, w0 + ((T + 1)·(w_T − w0) − Σ s·Δ_s) / n.
   */
  averaged(steps: number): [Float32Array, Float64Array] {
    const n = steps - this.start;
    const { w, b, u, ub, b0, w0 } = this;
    if (n === 0) return [Float32Array.from(w), Float64Array.from(b)];
    const wa = new Float32Array(w.length);
    for (let i = 0; i < w.length; i++) wa[i] = w0[i] + ((steps + 1) * (w[i] - w0[i]) - u[i]) / n;
    const ba = new Float64Array(b.length);
    for (let k = 0; k < b.length; k++) ba[k] = b0[k] + ((steps + 1) * (b[k] - b0[k]) - ub[k]) / n;
    return [wa, ba];
  }
}

function l2PerFeature(dims: number, xs: readonly SparseVector[], l2: number, perEpoch: boolean): Float64Array {
  const l2At = new Float64Array(dims).fill(l2);
  if (!perEpoch || l2 === 0) return l2At;
  const rows = new Uint32Array(dims);
  for (const x of xs) for (const i of x.indices) rows[i]++;
  for (let i = 0; i < dims; i++) if (rows[i] > 0) l2At[i] = l2 / rows[i];
  return l2At;
}

/** A flag per row that has a NaN target; undefined when no row has one (the common, full-label case). */
function rowsWithMissingTargets(ys: readonly Float64Array[], outputs: number): Uint8Array | undefined {
  let flags: Uint8Array | undefined;
  for (let r = 0; r < ys.length; r++) {
    const y = ys[r];
    if (y.length !== outputs) throw new Error(`target row ${r} has ${y.length} outputs; expected ${outputs}`);
    for (let k = 0; k < outputs; k++) {
      if (Number.isNaN(y[k])) {
        flags ??= new Uint8Array(ys.length);
        flags[r] = 1;
        break;
      }
    }
  }
  return flags;
}

/**
 * Each output's starting bias: the logit of its labelled base rate, shrunk toward the mean of every labelled
 * target by `priorStrength` pseudo-labels, (sum + s × mean) / (count + s). An output with no label starts at
 * the overall mean (0.5 when nothing is labelled). With s = 0 and no NaN this is the plain base rate, computed
 * as before (same sums in the same order: same bits).
 */
function initialBiases(ys: readonly Float64Array[], outputs: number, priorStrength: number, b: Float64Array): void {
  const sums = new Float64Array(outputs);
  const counts = new Float64Array(outputs);
  for (const y of ys) {
    for (let k = 0; k < outputs; k++) {
      if (Number.isNaN(y[k])) continue;
      sums[k] += y[k];
      counts[k]++;
    }
  }
  let allSum = 0;
  let allCount = 0;
  for (let k = 0; k < outputs; k++) {
    allSum += sums[k];
    allCount += counts[k];
  }
  const overall = allCount > 0 ? allSum / allCount : 0.5;
  for (let k = 0; k < outputs; k++) {
    let mean =
      priorStrength > 0 ? (sums[k] + priorStrength * overall) / (counts[k] + priorStrength) : sums[k] / counts[k];
    if (counts[k] === 0 && priorStrength <= 0) mean = overall;
    mean = min(max(mean, 1e-3), 1 - 1e-3);
    b[k] = log(mean / (1 - mean));
  }
}

/** Fisher-Yates with the trainer's generator: each epoch's order of the rows. */
function shuffleInPlace(order: number[], rand: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
}

/** Copies the start model's outputs into a new model's weights and biases (`TrainDataOptions.start`). */
function startFrom(
  start: NonNullable<TrainDataOptions['start']>,
  loss: LinearLoss,
  dims: number,
  outputs: number,
  w: Float32Array,
  b: Float64Array,
): void {
  const { model, from } = start;
  const sw = model.weights;
  const sb = model.bias;
  if (model.loss !== loss || model.dims !== dims)
    throw new Error(
      `a warm start needs the same loss and dims: the start is ${model.loss} over ${model.dims}, this ${loss} over ${dims}`,
    );
  if (from.length !== outputs) throw new Error(`a warm start maps ${from.length} outputs; this model has ${outputs}`);
  for (const k of from.keys()) {
    const j = from[k];
    if (j === -1) continue;
    if (!(Number.isInteger(j) && j >= 0 && j < model.outputs))
      throw new Error(
        `a warm start's output ${k} maps to ${j}, not an output of the start (0..${model.outputs - 1}) or -1`,
      );
    b[k] = sb[j];
    for (let f = 0; f < dims; f++) w[f * outputs + k] = sw[f * model.outputs + j];
  }
}

/** A linear model's scores (bias added) to its predictions, in place: sigmoid per output, or softmax. */
export function activateInPlace(loss: LinearLoss, z: Float64Array): Float64Array {
  if (loss === 'logistic') for (let k = 0; k < z.length; k++) z[k] = sigmoid(z[k]);
  else softmaxInPlace(z);
  return z;
}

export function sigmoid(x: number): number {
  return 1 / (1 + exp(-x));
}

function softmaxInPlace(z: Float64Array): void {
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    z[k] = exp(z[k] - max);
    sum += z[k];
  }
  for (let k = 0; k < z.length; k++) z[k] /= sum;
}

/** Small deterministic PRNG (mulberry32): same seed, same shuffles, same model. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
