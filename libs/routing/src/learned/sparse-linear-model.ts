import type { SparseVector } from './text-features';

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

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  /** Deterministic shuffling. */
  seed: number;
  onEpoch?: (epoch: number, loss: number) => void;
}

// Few, gentle passes. Chosen on two validation cuts (80/20) of the MMLU-Pro training part, never on its test
// part: steps of 0.01-0.02 over 2-5 epochs routed best (APGR 1.31-1.33 on one cut, 1.08-1.09 on the other);
// 0.05 and above, more epochs or an L2 term overfit the hashed n-grams (1.05-1.20). 0.02 × 2 is the cheapest
// of the best. `npx switchyard eval` re-checks on any dataset.
export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { epochs: 2, learningRate: 0.02, l2: 0, seed: 0 };

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
   * Trains on rows `xs` with targets `ys`: for logistic, ys[i][k] in 0..1 (soft labels allowed); for softmax,
   * ys[i] is a distribution over the outputs (one-hot for a single best class).
   */
  static train(
    loss: LinearLoss,
    dims: number,
    xs: readonly SparseVector[],
    ys: readonly Float64Array[],
    options: Partial<TrainOptions> = {},
  ): SparseLinearModel {
    const opts = { ...DEFAULT_TRAIN_OPTIONS, ...options };
    const outputs = ys[0]?.length ?? 0;
    if (outputs === 0) throw new Error('no outputs to train');
    const w = new Float32Array(dims * outputs);
    const g2 = new Float32Array(dims * outputs);
    const b = new Float64Array(outputs);
    const bg2 = new Float64Array(outputs);
    // Start the biases at the base rates: the first epoch then learns what the text adds to them.
    if (loss === 'logistic') {
      for (let k = 0; k < outputs; k++) {
        let mean = 0;
        for (const y of ys) mean += y[k];
        mean = Math.min(Math.max(mean / ys.length, 1e-3), 1 - 1e-3);
        b[k] = Math.log(mean / (1 - mean));
      }
    }
    const model = new SparseLinearModel(loss, dims, outputs, w, b);
    const order = Array.from(xs.keys());
    const rand = mulberry32(opts.seed);
    const z = new Float64Array(outputs);
    const grad = new Float64Array(outputs);
    const eps = 1e-8;
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      let total = 0;
      for (const r of order) {
        const x = xs[r];
        const y = ys[r];
        model.scores(x, z);
        total += model.gradient(z, y, grad);
        for (let k = 0; k < outputs; k++) {
          bg2[k] += grad[k] * grad[k];
          b[k] -= (opts.learningRate * grad[k]) / Math.sqrt(bg2[k] + eps);
        }
        for (let n = 0; n < x.indices.length; n++) {
          const base = x.indices[n] * outputs;
          const xv = x.values[n];
          for (let k = 0; k < outputs; k++) {
            const at = base + k;
            const g = grad[k] * xv + opts.l2 * w[at];
            g2[at] += g * g;
            w[at] -= (opts.learningRate * g) / Math.sqrt(g2[at] + eps);
          }
        }
      }
      opts.onEpoch?.(epoch, total / order.length);
    }
    return model;
  }

  /** Probabilities per output for one row. */
  predict(x: SparseVector, out: Float64Array = new Float64Array(this.outputs)): Float64Array {
    this.scores(x, out);
    if (this.loss === 'logistic') {
      for (let k = 0; k < this.outputs; k++) out[k] = sigmoid(out[k]);
    } else {
      softmaxInPlace(out);
    }
    return out;
  }

  private scores(x: SparseVector, out: Float64Array): void {
    const m = this.outputs;
    for (let k = 0; k < m; k++) out[k] = this.b[k];
    for (let n = 0; n < x.indices.length; n++) {
      const base = x.indices[n] * m;
      const xv = x.values[n];
      for (let k = 0; k < m; k++) out[k] += this.w[base + k] * xv;
    }
  }

  /** Writes d(loss)/d(score) per output into grad; returns the row's loss. */
  private gradient(z: Float64Array, y: Float64Array, grad: Float64Array): number {
    let loss = 0;
    if (this.loss === 'logistic') {
      for (let k = 0; k < this.outputs; k++) {
        const p = sigmoid(z[k]);
        grad[k] = p - y[k];
        loss -= y[k] * Math.log(p + 1e-12) + (1 - y[k]) * Math.log(1 - p + 1e-12);
      }
    } else {
      softmaxInPlace(z);
      for (let k = 0; k < this.outputs; k++) {
        grad[k] = z[k] - y[k];
        if (y[k] > 0) loss -= y[k] * Math.log(z[k] + 1e-12);
      }
    }
    return loss;
  }
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function softmaxInPlace(z: Float64Array): void {
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    z[k] = Math.exp(z[k] - max);
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
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
