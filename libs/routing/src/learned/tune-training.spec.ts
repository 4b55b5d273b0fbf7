import { TextFeaturizer } from './text-features';
import { SparseLinearModel } from './sparse-linear-model';
import {
  groupCut,
  meanConcordance,
  tuneLogistic,
  tuningFolds,
  validationCut,
  withinOneStandardErrorOf,
} from './tune-training';

// Two outputs: output 0 is right on "easy" texts only, output 1 always. Separable from the words.
const texts = Array.from({ length: 300 }, (_, i) =>
  i % 2 ? `prove lemma ${i % 7} by induction` : `add ${i % 5} and ${i % 3}`,
);
const featurizer = TextFeaturizer.fit(texts, 1 << 10);
const xs = texts.map((t) => featurizer.transform(t));
const ys = texts.map((_, i) => Float64Array.from([i % 2 ? 0 : 1, 1]));

describe(tuneLogistic.name, () => {
  it('validates every row exactly once over k folds, and reports every candidate', () => {
    const result = tuneLogistic(featurizer.dims, xs, ys, {
      seed: 0,
      maxEpochs: 4,
      candidates: [
        { learningRate: 0.05, l2: 0 },
        { learningRate: 0.5, l2: 0 },
      ],
    });
    expect(result.folds).toBe(5);
    expect([...result.heldOut.rows].sort((a, b) => a - b)).toEqual(texts.map((_, i) => i));
    expect(result.heldOut.predictions).toHaveLength(300);
    expect(result.trials.map((t) => t.learningRate)).toEqual([0.05, 0.5]);
    expect(result.criterion).toBe('-log-loss');
    // The larger step fits this separable toy faster: lower held-out log-loss within 4 epochs.
    expect(result.learningRate).toBe(0.5);
    expect(result.validationLogLoss).toBeLessThan(result.trials[0].validationLogLoss);
  });

  it('maximises the score it is given, and stops a candidate once the score stops improving', () => {
    // A score that prefers the first epoch whatever the loss: every trial stops after 1 + patience epochs.
    const result = tuneLogistic(featurizer.dims, xs, ys, {
      seed: 0,
      folds: 1,
      maxEpochs: 10,
      candidates: [{ learningRate: 0.05, l2: 0 }],
      score: { name: 'fewest epochs', of: () => 0 },
    });
    expect(result).toMatchObject({ criterion: 'fewest epochs', epochs: 1, validationScore: 0, folds: 1 });
    expect(result.trials[0].epochsRun).toBe(3);
    expect(result.heldOut.rows).toEqual(validationCut(300, 0).validation);
  });

  it('trains each candidate from its own AdaGrad starting sum, and the chosen setting carries it', () => {
    const tune = (initialAccumulator?: number) =>
      tuneLogistic(featurizer.dims, xs, ys, {
        seed: 0,
        folds: 1,
        maxEpochs: 1,
        candidates: [{ learningRate: 0.05, l2: 0, ...(initialAccumulator ? { initialAccumulator } : {}) }],
      });
    const plain = tune();
    const damped = tune(0.1);
    expect(plain.initialAccumulator).toBeUndefined();
    expect(damped.initialAccumulator).toBe(0.1);
    // A large starting sum shrinks every first step: after one epoch the predictions are nearer the base rates.
    expect(damped.heldOut.predictions).not.toEqual(plain.heldOut.predictions);
    const spread = (r: typeof plain) =>
      Math.max(...r.heldOut.predictions.map((p) => p[0])) - Math.min(...r.heldOut.predictions.map((p) => p[0]));
    expect(spread(damped)).toBeLessThan(spread(plain));
  });

  it('tries the best plain setting averaged with the regularised one, as one more trial', () => {
    const result = tuneLogistic(featurizer.dims, xs, ys, {
      seed: 0,
      maxEpochs: 4,
      candidates: [
        { learningRate: 0.05, l2: 0 },
        { learningRate: 0.1, l2: 1, l2PerEpoch: true },
      ],
    });
    expect(result.trials).toHaveLength(3);
    const blend = result.trials[2];
    expect(blend).toMatchObject({ learningRate: 0.05, l2: 0, epochs: result.trials[0].epochs });
    expect(blend.blendWith).toEqual({ learningRate: 0.1, l2: 1, l2PerEpoch: true, epochs: result.trials[1].epochs });
    // Averaged logits land between the two: its held-out loss is no worse than the worse of the two.
    expect(blend.validationLogLoss).toBeLessThanOrEqual(
      Math.max(result.trials[0].validationLogLoss, result.trials[1].validationLogLoss),
    );
  });

  it('trains a converging candidate until its training loss settles, whatever the score says', () => {
    const result = tuneLogistic(featurizer.dims, xs, ys, {
      seed: 0,
      folds: 1,
      maxEpochs: 30,
      candidates: [{ learningRate: 0.1, l2: 1, l2PerEpoch: true, converge: true }],
      score: { name: 'fewest epochs', of: () => 0 },
    });
    // The score never improves after epoch 1: an early-stopped candidate would stop at 3.
    expect(result.trials[0].epochsRun).toBeGreaterThan(3);
    expect(result.epochs).toBe(result.trials[0].epochsRun);
  });

  it('holds out whole groups when given them, and names them', () => {
    const groups = texts.map((_, i) => ['law', 'math', 'physics', 'history'][i % 4]);
    const result = tuneLogistic(featurizer.dims, xs, ys, {
      seed: 0,
      maxEpochs: 3,
      candidates: [{ learningRate: 0.05, l2: 0 }],
      groups,
    });
    const cut = groupCut(groups, 0);
    expect(result.folds).toBe(1);
    expect(result.heldOut.rows).toEqual(cut.validation);
    expect(result.heldOutGroups).toEqual([...new Set(cut.validation.map((r) => groups[r]))].sort());
    expect(result.validationExamples).toBe(75);
  });

  it('with groups alongside, adds the group cut as one more fold and calibrates on the random folds only', () => {
    const groups = texts.map((_, i) => ['law', 'math', 'physics', 'history'][i % 4]);
    const options = { seed: 0, maxEpochs: 3, candidates: [{ learningRate: 0.05, l2: 0 }], groups };
    const alongside = tuneLogistic(featurizer.dims, xs, ys, { ...options, groupsAlongside: true });
    const instead = tuneLogistic(featurizer.dims, xs, ys, options);
    const plain = tuneLogistic(featurizer.dims, xs, ys, { ...options, groups: undefined });
    expect(alongside.folds).toBe(6);
    // Calibration replays every row once: the five random folds, as without groups.
    expect(alongside.heldOut.rows).toEqual(plain.heldOut.rows);
    expect(alongside.validationExamples).toBe(300 + 75);
    expect(alongside.heldOutGroups).toEqual(instead.heldOutGroups);
    // Scored over six folds, one of them the group cut's: the mean of the two runs' scores, weighted 5:1.
    expect(alongside.validationLogLoss).toBeCloseTo(
      (5 * plain.trials[0].validationLogLoss + instead.trials[0].validationLogLoss) / 6,
      10,
    );
  });

  it('draws the folds again from other shuffles when told, scores on all, and calibrates on the first draw', () => {
    const options = { seed: 0, maxEpochs: 3, candidates: [{ learningRate: 0.05, l2: 0 }] };
    const once = tuneLogistic(featurizer.dims, xs, ys, options);
    const twice = tuneLogistic(featurizer.dims, xs, ys, { ...options, repeats: 2 });
    expect(twice.folds).toBe(10);
    expect(twice.validationExamples).toBe(600);
    // Calibration replays every row once, the first draw's folds: the same rows as drawn once.
    expect(twice.heldOut.rows).toEqual(once.heldOut.rows);
    // The second draw's five cuts are other rows: the mean over ten is not the first five's.
    expect(twice.trials[0].validationLogLoss).not.toBeCloseTo(once.trials[0].validationLogLoss, 6);
    // Drawn once, as without the option.
    expect(tuneLogistic(featurizer.dims, xs, ys, { ...options, repeats: 1 })).toEqual(once);
    for (const repeats of [0, 1.5])
      expect(() => tuneLogistic(featurizer.dims, xs, ys, { ...options, repeats })).toThrow(
        `repeats must be a whole number from 1, got ${repeats}`,
      );
  });

  it('uses one cut on large data and folds on small', () => {
    expect(tuningFolds(500)).toBe(5);
    expect(tuningFolds(4000)).toBe(3);
    expect(tuningFolds(10000)).toBe(1);
  });
});

describe(groupCut.name, () => {
  // 50 rows of a, 30 of b, 15 of c, 5 of d: 100 rows.
  const groups = [...Array(50).fill('a'), ...Array(30).fill('b'), ...Array(15).fill('c'), ...Array(5).fill('d')];

  it('validates on whole groups holding at least a fifth of the rows, and fits on every other row', () => {
    for (const seed of [0, 1, 2, 3, 4, 5]) {
      const { fit, validation } = groupCut(groups, seed);
      const held = new Set(validation.map((r) => groups[r]));
      // Whole groups: every row of a held-out group is in validation, none of the others.
      expect(validation).toEqual(groups.flatMap((g, i) => (held.has(g) ? [i] : [])));
      expect(fit).toEqual(groups.flatMap((g, i) => (held.has(g) ? [] : [i])));
      expect(validation.length).toBeGreaterThanOrEqual(20);
      expect(held.size).toBeLessThan(4);
    }
    expect(groupCut(groups, 3)).toEqual(groupCut(groups, 3));
  });

  it('never holds out every group, and needs two', () => {
    const two = [...Array(5).fill('x'), ...Array(95).fill('y')];
    for (const seed of [0, 1, 2, 3]) expect(new Set(groupCut(two, seed).validation.map((r) => two[r])).size).toBe(1);
    expect(() => groupCut(Array(10).fill('only'), 0)).toThrow(/at least two groups, got 1/);
  });
});

describe('SparseLinearModel.average', () => {
  it('scores as the mean of the models’ logits', () => {
    const a = SparseLinearModel.train('logistic', featurizer.dims, xs, ys, { epochs: 1, learningRate: 0.05 });
    const b = SparseLinearModel.train('logistic', featurizer.dims, xs, ys, { epochs: 3, learningRate: 0.3 });
    const avg = SparseLinearModel.average([a, b]);
    const logit = (p: number) => Math.log(p / (1 - p));
    for (const x of xs.slice(0, 5)) {
      const [pa, pb, pm] = [a.predict(x), b.predict(x), avg.predict(x)];
      for (let k = 0; k < 2; k++) expect(logit(pm[k])).toBeCloseTo((logit(pa[k]) + logit(pb[k])) / 2, 4);
    }
    expect(() => SparseLinearModel.average([])).toThrow('nothing to average');
  });
});

describe(meanConcordance.name, () => {
  // Two outputs over four one-hot features: output 0's logits 1, 2, 3, 4 by feature, output 1's 4, 3, 2, 1.
  const weights = Float32Array.from([1, 4, 2, 3, 3, 2, 4, 1]);
  const model = SparseLinearModel.fromJSON({
    loss: 'logistic',
    dims: 4,
    outputs: 2,
    weights: Buffer.from(weights.buffer).toString('base64'),
    bias: [0, 0],
  });
  const xs = [0, 1, 2, 3].map((i) => ({ indices: Int32Array.of(i), values: Float32Array.of(1) }));
  const predict = xs.map((x) => model.predict(x));

  it('is the share of differently labelled pairs each output orders as their labels, averaged over outputs', () => {
    // Output 0 ranks rows 0 < 1 < 2 < 3; labels 0, 1, 0, 1: pairs (0,1) yes, (0,3) yes, (1,2) no, (2,3) yes -> 3/4.
    // Output 1 ranks them the other way; labels 1, 1, 0, 0: all four pairs in order -> 1.
    const ys = [
      [0, 1],
      [1, 1],
      [0, 0],
      [1, 0],
    ].map((y) => Float64Array.from(y));
    expect(meanConcordance(predict, ys)).toBeCloseTo((3 / 4 + 1) / 2, 12);
  });

  it('counts only labelled rows, weighs graded pairs by their gap, and skips outputs without a pair', () => {
    // Output 0: rows 1 and 3 labelled 0.2 and 0.9 -> in order (1). Output 1: one label, no pair: skipped.
    const ys = [
      [NaN, NaN],
      [0.2, 1],
      [NaN, NaN],
      [0.9, NaN],
    ].map((y) => Float64Array.from(y));
    expect(meanConcordance(predict, ys)).toBe(1);
    // Graded labels: each pair weighs by its gap. Rows 0-2 labelled 0.6, 0.5 and 1 on output 0: the pair
    // (0, 1) is out of order but 0.1 apart, the two in order 0.4 and 0.5 apart -> 0.9 (2/3 unweighed).
    const graded = [
      [0.6, NaN],
      [0.5, NaN],
      [1, NaN],
      [NaN, NaN],
    ].map((y) => Float64Array.from(y));
    expect(meanConcordance(predict, graded)).toBeCloseTo(0.9, 12);
    // Nothing to order at all: 0.5, a coin.
    expect(
      meanConcordance(
        predict,
        [
          [1, 1],
          [1, 1],
          [1, 1],
          [1, 1],
        ].map((y) => Float64Array.from(y)),
      ),
    ).toBe(0.5);
  });
});

describe(withinOneStandardErrorOf.name, () => {
  const trial = (name: string, foldScores: number[]) => ({ name, foldScores });

  it('keeps the winner when its lead, fold by fold, is more than one standard error of its mean', () => {
    // differences 0.1, 0.2, 0: mean 0.1, sd 0.1, standard error 0.0577
    expect(withinOneStandardErrorOf(trial('top', [1, 1.2, 1.1]), trial('simple', [0.9, 1, 1.1])).name).toBe('top');
  });

  it('takes the simpler model when the lead is within one standard error', () => {
    // differences 0, -0.1, 0.3: mean 0.067, sd 0.208, standard error 0.120
    expect(withinOneStandardErrorOf(trial('top', [1, 1, 1.3]), trial('simple', [1, 1.1, 1])).name).toBe('simple');
  });

  it('keeps the winner on one fold (no standard error to read)', () => {
    expect(withinOneStandardErrorOf(trial('top', [1]), trial('simple', [1])).name).toBe('top');
  });
});
