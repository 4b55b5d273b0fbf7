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
  },
): { w: Float32Array; b: Float64Array; meanW: Float64Array; meanB: Float64Array; epochMeanW: Float64Array } {
  const outputs = ys[0].length;
  const start = o.initialAccumulator ?? 1e-8;
  const b = SparseLinearModel.train('logistic', dims, xs, ys, { ...o, epochs: 0 }).bias; // the base rates
  const w = new Float32Array(dims * outputs);
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
