import { SparseLinearModel, mulberry32, sigmoid } from './sparse-linear-model';
import type { SparseVector } from './text-features';

/**
 * AdaGrad as written in the textbook, one (feature, output) at a time with every sum stored and read back:
 * what `SparseLinearModel.train` must compute bit for bit, however its hot loop is arranged.
 */
function referenceTrain(
  dims: number,
  xs: SparseVector[],
  ys: Float64Array[],
  o: {
    learningRate: number;
    l2: number;
    l2PerEpoch?: boolean;
    initialAccumulator?: number;
    seed: number;
    epochs: number;
    /** Starting weights and biases per output (a warm start), NaN bias: the base rate and zero weights. */
    start?: { w: Float32Array; b: Float64Array };
  },
): { w: Float32Array; b: Float64Array; meanW: Float64Array; meanB: Float64Array; epochMeanW: Float64Array } {
  const outputs = ys[0].length;
  const start = o.initialAccumulator ?? 1e-8;
  const { start: _start, ...trainOptions } = o;
  const b = SparseLinearModel.train('logistic', dims, xs, ys, { ...trainOptions, epochs: 0 }).bias; // the base rates
  const w = new Float32Array(dims * outputs);
  if (o.start)
    for (let k = 0; k < outputs; k++) {
      if (Number.isNaN(o.start.b[k])) continue;
      b[k] = o.start.b[k];
      for (let f = 0; f < dims; f++) w[f * outputs + k] = o.start.w[f * outputs + k];
    }
  const g2 = new Float32Array(dims * outputs);
  const bg2 = new Float64Array(outputs);
  const l2At = new Float64Array(dims).fill(o.l2);
  if (o.l2PerEpoch && o.l2 > 0) {
    const rows = new Uint32Array(dims);
    for (const x of xs) for (const i of x.indices) rows[i]++;
    for (let i = 0; i < dims; i++) if (rows[i] > 0) l2At[i] = o.l2 / rows[i];
  }
  const order = Array.from(xs.keys());
  const rand = mulberry32(o.seed);
  // Every iterate summed, for the average of them all (`averageIterates`).
  const sumW = new Float64Array(w.length);
  const sumB = new Float64Array(outputs);
  let steps = 0;
  // And the iterates of the last epoch alone (`averageIterates: 'epoch'`).
  const epochSumW = new Float64Array(w.length);
  let epochSteps = 0;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    epochSumW.fill(0);
    epochSteps = 0;
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const r of order) {
      const x = xs[r];
      const z = Float64Array.from(b);
      for (let n = 0; n < x.indices.length; n++)
        for (let k = 0; k < outputs; k++) z[k] += w[x.indices[n] * outputs + k] * x.values[n];
      const grad = z.map((zk, k) => sigmoid(zk) - ys[r][k]);
      // A NaN target: that output learns nothing from the row (its weights stay, its iterate still counts).
      for (let k = 0; k < outputs; k++) {
        if (Number.isNaN(ys[r][k])) continue;
        bg2[k] += grad[k] * grad[k];
        b[k] -= (o.learningRate * grad[k]) / Math.sqrt(bg2[k] + start);
      }
      for (let n = 0; n < x.indices.length; n++)
        for (let k = 0; k < outputs; k++) {
          if (Number.isNaN(ys[r][k])) continue;
          const at = x.indices[n] * outputs + k;
          const g = grad[k] * x.values[n] + l2At[x.indices[n]] * w[at];
          g2[at] += g * g;
          w[at] -= (o.learningRate * g) / Math.sqrt(g2[at] + start);
        }
      steps++;
      epochSteps++;
      for (let i = 0; i < w.length; i++) sumW[i] += w[i];
      for (let i = 0; i < w.length; i++) epochSumW[i] += w[i];
      for (let k = 0; k < outputs; k++) sumB[k] += b[k];
    }
  }
  return {
    w,
    b,
    meanW: sumW.map((v) => v / steps),
    meanB: sumB.map((v) => v / steps),
    epochMeanW: epochSumW.map((v) => v / epochSteps),
  };
}

function randomData(seed: number, rows: number, dims: number, outputs: number) {
  const rand = mulberry32(seed);
  const xs: SparseVector[] = [];
  const ys: Float64Array[] = [];
  for (let r = 0; r < rows; r++) {
    const picked = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 12) }, () => Math.floor(rand() * dims)))];
    xs.push({ indices: Int32Array.from(picked), values: Float32Array.from(picked, () => rand() * 2 - 0.5) });
    ys.push(Float64Array.from({ length: outputs }, () => (rand() < 0.4 ? 1 : rand() < 0.2 ? 0.5 : 0)));
  }
  return { xs, ys };
}

describe('SparseLinearModel.train (logistic)', () => {
  const dims = 64;
  const { xs, ys } = randomData(11, 300, dims, 5);

  it.each([
    ['no L2', { learningRate: 0.1, l2: 0, seed: 3, epochs: 4 }],
    ['L2 on every update', { learningRate: 0.05, l2: 0.01, seed: 4, epochs: 3 }],
    ['L2 spread per epoch', { learningRate: 0.1, l2: 1, l2PerEpoch: true, seed: 5, epochs: 3 }],
    [
      'a starting sum of squared gradients',
      { learningRate: 0.05, l2: 0, initialAccumulator: 1e-3, seed: 6, epochs: 3 },
    ],
  ])('is textbook AdaGrad bit for bit: %s', (_name, o) => {
    const model = SparseLinearModel.train('logistic', dims, xs, ys, o);
    const expected = referenceTrain(dims, xs, ys, o);
    expect(Array.from(model.weights)).toEqual(Array.from(expected.w));
    expect(Array.from(model.bias)).toEqual(Array.from(expected.b));
    // And it learned something: the weights moved.
    expect(model.weights.some((v) => v !== 0)).toBe(true);
  });
});

describe('SparseLinearModel.train: a warm start (start)', () => {
  const dims = 64;
  const { xs, ys } = randomData(13, 200, dims, 4);
  // The start: a model of three outputs trained on other rows; this model's outputs 0, 1 and 3 continue from
  // its outputs 2, 0 and 1, output 2 starts as without a start.
  const other = randomData(14, 150, dims, 3);
  const startModel = SparseLinearModel.train('logistic', dims, other.xs, other.ys, { epochs: 2, learningRate: 0.1 });
  const from = [2, 0, -1, 1];
  const startWeights = () => {
    const w = new Float32Array(dims * 4);
    const b = new Float64Array(4);
    for (const [k, j] of from.entries()) {
      b[k] = j === -1 ? NaN : startModel.bias[j];
      if (j !== -1) for (let f = 0; f < dims; f++) w[f * 4 + k] = startModel.weights[f * 3 + j];
    }
    return { w, b };
  };

  it.each([
    ['no L2', { learningRate: 0.1, l2: 0, seed: 3, epochs: 2 }],
    [
      'a starting sum, L2 spread per epoch',
      { learningRate: 0.05, l2: 1, l2PerEpoch: true, initialAccumulator: 1e-2, seed: 4, epochs: 1 },
    ],
  ])('continues from the start model’s mapped outputs, bit for bit as textbook AdaGrad from there: %s', (_name, o) => {
    const model = SparseLinearModel.train('logistic', dims, xs, ys, { ...o, start: { model: startModel, from } });
    const expected = referenceTrain(dims, xs, ys, { ...o, start: startWeights() });
    expect(Array.from(model.weights)).toEqual(Array.from(expected.w));
    expect(Array.from(model.bias)).toEqual(Array.from(expected.b));
    // Not what training from scratch arrives at.
    const cold = SparseLinearModel.train('logistic', dims, xs, ys, o);
    expect(Array.from(model.weights)).not.toEqual(Array.from(cold.weights));
  });

  it('with no epochs, is the start model itself on the mapped outputs, and the base rate elsewhere', () => {
    const model = SparseLinearModel.train('logistic', dims, xs, ys, { epochs: 0, start: { model: startModel, from } });
    const baseRates = SparseLinearModel.train('logistic', dims, xs, ys, { epochs: 0 }).bias;
    expect(Array.from(model.bias)).toEqual([startModel.bias[2], startModel.bias[0], baseRates[2], startModel.bias[1]]);
    for (let f = 0; f < dims; f++) {
      expect(model.weights[f * 4]).toBe(startModel.weights[f * 3 + 2]);
      expect(model.weights[f * 4 + 2]).toBe(0);
      expect(model.weights[f * 4 + 3]).toBe(startModel.weights[f * 3 + 1]);
    }
  });

  it('refuses a start of other dims or loss, a map of the wrong length, and outputs the start does not have', () => {
    const train = (start: { model: SparseLinearModel; from: number[] }) => () =>
      SparseLinearModel.train('logistic', dims, xs, ys, { epochs: 1, start });
    const wide = SparseLinearModel.train('logistic', 128, other.xs, other.ys, { epochs: 0 });
    const softmax = SparseLinearModel.train(
      'softmax',
      dims,
      other.xs,
      other.ys.map(() => Float64Array.of(1, 0, 0)),
      {
        epochs: 0,
      },
    );
    expect(train({ model: wide, from })).toThrow(
      'a warm start needs the same loss and dims: the start is logistic over 128, this logistic over 64',
    );
    expect(train({ model: softmax, from })).toThrow('the start is softmax over 64');
    expect(train({ model: startModel, from: [0, 1] })).toThrow('a warm start maps 2 outputs; this model has 4');
    expect(train({ model: startModel, from: [0, 1, 3, -1] })).toThrow(
      "a warm start's output 2 maps to 3, not an output of the start (0..2) or -1",
    );
  });
});

describe('SparseLinearModel.train: a part shared by every output (sharedPart)', () => {
  const dims = 32;
  const { xs, ys } = randomData(15, 200, dims, 3);
  // One label a row, as a bandit log has it.
  const partial = ys.map((y, r) => Float64Array.from(y, (v, k) => (k === r % 3 ? v : NaN)));

  /** Per row: scores b_k + x·(w_k + s) for the labelled k; AdaGrad on b_k, w_k with g_k, on s with Σ g_k. */
  function referenceShared(o: { learningRate: number; initialAccumulator: number; seed: number; epochs: number }) {
    const outputs = 3;
    const b = SparseLinearModel.train('logistic', dims, xs, partial, { epochs: 0 }).bias;
    const w = new Float64Array(dims * outputs);
    const s = new Float64Array(dims);
    const g2 = new Float64Array(dims * outputs);
    const sg2 = new Float64Array(dims);
    const bg2 = new Float64Array(outputs);
    const order = Array.from(xs.keys());
    const rand = mulberry32(o.seed);
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const r of order) {
        const x = xs[r];
        const grads: Array<[number, number]> = [];
        for (let k = 0; k < outputs; k++) {
          if (Number.isNaN(partial[r][k])) continue;
          let z = b[k];
          for (let n = 0; n < x.indices.length; n++)
            z += (w[x.indices[n] * outputs + k] + s[x.indices[n]]) * x.values[n];
          grads.push([k, sigmoid(z) - partial[r][k]]);
        }
        for (const [k, g] of grads) {
          bg2[k] += g * g;
          b[k] -= (o.learningRate * g) / Math.sqrt(bg2[k] + o.initialAccumulator);
        }
        for (let n = 0; n < x.indices.length; n++) {
          const f = x.indices[n];
          let sum = 0;
          for (const [k, g] of grads) {
            const gw = g * x.values[n];
            g2[f * outputs + k] += gw * gw;
            w[f * outputs + k] -= (o.learningRate * gw) / Math.sqrt(g2[f * outputs + k] + o.initialAccumulator);
            sum += g;
          }
          const gs = sum * x.values[n];
          sg2[f] += gs * gs;
          s[f] -= (o.learningRate * gs) / Math.sqrt(sg2[f] + o.initialAccumulator);
        }
      }
    }
    return { w: w.map((v, i) => v + s[Math.floor(i / outputs)]), b };
  }

  it('is AdaGrad on each output’s own weights and one shared vector, folded into every output at the end', () => {
    const o = { learningRate: 0.1, initialAccumulator: 0.01, seed: 7, epochs: 3, l2: 0 };
    const model = SparseLinearModel.train('logistic', dims, xs, partial, { ...o, sharedPart: true });
    const expected = referenceShared(o);
    for (let i = 0; i < expected.w.length; i++) expect(model.weights[i]).toBeCloseTo(expected.w[i], 4);
    for (let k = 0; k < 3; k++) expect(model.bias[k]).toBeCloseTo(expected.b[k], 6);
    // Not what each output learns alone.
    const alone = SparseLinearModel.train('logistic', dims, xs, partial, o);
    expect(Math.max(...model.weights.map((v, i) => Math.abs(v - alone.weights[i])))).toBeGreaterThan(0.01);
  });

  it('teaches an output what the other outputs’ rows say of a feature it never saw labelled', () => {
    // Feature 0 makes every output fail, feature 1 succeed; output 2 is labelled only on rows without either.
    const rows = 300;
    const fx: SparseVector[] = Array.from({ length: rows }, (_, r) => ({
      indices: Int32Array.of(r % 3 === 2 ? 2 : r % 2, 3),
      values: Float32Array.of(1, 0.2),
    }));
    const fy = fx.map((x, r) =>
      Float64Array.from({ length: 3 }, (_, k) =>
        k !== r % 3 ? NaN : x.indices[0] === 0 ? 0 : x.indices[0] === 1 ? 1 : 0.5,
      ),
    );
    const predict = (sharedPart: boolean, feature: number) =>
      SparseLinearModel.train('logistic', 8, fx, fy, { epochs: 5, learningRate: 0.2, sharedPart }).predict({
        indices: Int32Array.of(feature),
        values: Float32Array.of(1),
      })[2];
    expect(predict(true, 1) - predict(true, 0)).toBeGreaterThan(0.3);
    expect(Math.abs(predict(false, 1) - predict(false, 0))).toBeLessThan(1e-9);
  });

  it('refuses the softmax loss and averaged iterates', () => {
    expect(() => SparseLinearModel.train('softmax', dims, xs, ys, { sharedPart: true })).toThrow(
      'a shared part needs the logistic loss',
    );
    expect(() =>
      SparseLinearModel.train('logistic', dims, xs, ys, { sharedPart: true, averageIterates: 'epoch' }),
    ).toThrow('a shared part is not trained with averaged iterates');
  });
});

describe('SparseLinearModel.train: averaged iterates (averageIterates)', () => {
  const dims = 64;
  const { xs, ys } = randomData(12, 200, dims, 4);

  it.each([
    ['no L2', { learningRate: 0.1, l2: 0, seed: 3, epochs: 3 }],
    ['L2 spread per epoch', { learningRate: 0.1, l2: 1, l2PerEpoch: true, seed: 5, epochs: 2 }],
  ])('returns the mean of the weights after every update: %s', (_name, o) => {
    const model = SparseLinearModel.train('logistic', dims, xs, ys, { ...o, averageIterates: 'all' });
    const expected = referenceTrain(dims, xs, ys, o);
    const last = SparseLinearModel.train('logistic', dims, xs, ys, o);
    for (let i = 0; i < expected.meanW.length; i++) expect(model.weights[i]).toBeCloseTo(expected.meanW[i], 5);
    for (let k = 0; k < expected.meanB.length; k++) expect(model.bias[k]).toBeCloseTo(expected.meanB[k], 9);
    // Not the last weights, which training arrives at as it does without averaging.
    expect(Array.from(last.weights)).toEqual(Array.from(expected.w));
    expect(Array.from(model.weights)).not.toEqual(Array.from(last.weights));
  });

  it("'epoch': the mean of the weights after each update of the last epoch", () => {
    const o = { learningRate: 0.1, l2: 0, seed: 3, epochs: 3 };
    const model = SparseLinearModel.train('logistic', dims, xs, ys, { ...o, averageIterates: 'epoch' });
    const expected = referenceTrain(dims, xs, ys, o);
    for (let i = 0; i < expected.epochMeanW.length; i++)
      expect(model.weights[i]).toBeCloseTo(expected.epochMeanW[i], 5);
    expect(Array.from(model.weights)).not.toEqual(Array.from(Float32Array.from(expected.meanW)));
  });

  it('shows each epoch the average so far', () => {
    const seen: Float32Array[] = [];
    const o = { learningRate: 0.1, l2: 0, seed: 3, epochs: 2 };
    SparseLinearModel.train('logistic', dims, xs, ys, {
      ...o,
      averageIterates: 'all',
      onEpoch: (_e, _loss, m) => void seen.push(Float32Array.from(m.weights)),
    });
    const afterOne = referenceTrain(dims, xs, ys, { ...o, epochs: 1 });
    for (let i = 0; i < afterOne.meanW.length; i++) expect(seen[0][i]).toBeCloseTo(afterOne.meanW[i], 5);
  });

  it.each(['all', 'epoch'] as const)(
    "with missing (NaN) targets, '%s': a partial row moves only its labelled outputs, and still counts as an iterate",
    (averageIterates) => {
      // A bandit log's rows: one output labelled in most rows, two or every one in some.
      const rand = mulberry32(21);
      const partial = ys.map((y, r) => {
        if (r % 5 === 0) return y;
        const keep = new Set([Math.floor(rand() * y.length), r % 3 === 0 ? Math.floor(rand() * y.length) : -1]);
        return Float64Array.from(y, (v, k) => (keep.has(k) ? v : NaN));
      });
      const o = { learningRate: 0.1, l2: 0.01, seed: 7, epochs: 3 };
      const model = SparseLinearModel.train('logistic', dims, xs, partial, { ...o, averageIterates });
      const expected = referenceTrain(dims, xs, partial, o);
      const mean = averageIterates === 'all' ? expected.meanW : expected.epochMeanW;
      for (let i = 0; i < mean.length; i++) expect(model.weights[i]).toBeCloseTo(mean[i], 5);
      // The last weights, unaveraged, are the textbook's bit for bit with the same partial rows.
      const last = SparseLinearModel.train('logistic', dims, xs, partial, o);
      expect(Array.from(last.weights)).toEqual(Array.from(expected.w));
      expect(Array.from(model.weights)).not.toEqual(Array.from(last.weights));
    },
  );
});

describe('SparseLinearModel.train: AdaGrad starting sum (initialAccumulator)', () => {
  // One row, one feature of value 0.5, one output labelled 1, the bias at its base rate (1, clamped): the
  // first update's gradient on the weight is (σ(b) - 1) × 0.5 = g, and the weight moves by step × g / √(G0 + g²).
  const xs: SparseVector[] = [{ indices: Int32Array.of(3), values: Float32Array.of(0.5) }];
  const ys = [Float64Array.of(1)];
  const firstStep = (initialAccumulator?: number) => {
    const bias = SparseLinearModel.train('logistic', 8, xs, ys, { epochs: 0 }).bias[0];
    const g = (sigmoid(bias) - 1) * 0.5;
    const model = SparseLinearModel.train('logistic', 8, xs, ys, {
      learningRate: 0.1,
      l2: 0,
      seed: 0,
      epochs: 1,
      ...(initialAccumulator === undefined ? {} : { initialAccumulator }),
    });
    return { g, w: model.weights[3] };
  };

  it('from (almost) zero, the first update is about the full step however small the gradient', () => {
    const { g, w } = firstStep();
    expect(Math.abs(g)).toBeLessThan(0.01);
    expect(w).toBeCloseTo((-0.1 * g) / Math.sqrt(1e-8 + g * g), 6);
    expect(w).toBeGreaterThan(0.09);
  });

  it('from G0, the first update is step × g / sqrt(G0 + g^2): a small gradient moves the weight a little', () => {
    const { g, w } = firstStep(1e-3);
    expect(w).toBeCloseTo((-0.1 * g) / Math.sqrt(1e-3 + g * g), 6);
    expect(w).toBeLessThan(0.1 / 3);
  });
});
