import { createHash } from 'node:crypto';
import { DEFAULT_CONTEXT_WEIGHT, LearnedRouter, trainLearnedRouter } from './learned-router';
import { SparseLinearModel, mulberry32 } from './sparse-linear-model';
import { ADAGRAD_INITIAL_ACCUMULATOR } from './tune-training';
import { TextFeaturizer } from './text-features';
import {
  type LabelledExample,
  WARM_START_EPOCH_CANDIDATES,
  WARM_START_LEARNING_RATE,
  labelledFromOutcomes,
  trainRouterFromLabels,
  withinOneStandardError,
} from './train-from-labels';

// A bandit world: "alpha" prompts are answered well by A and badly by B, "beta" prompts the reverse; each
// prompt was answered (and labelled) by one model only, picked at random.
function banditExamples(n: number, seed = 1): LabelledExample[] {
  const rand = mulberry32(seed);
  const topics = ['cats', 'rivers', 'prime numbers', 'old castles', 'jazz', 'tax forms', 'volcanoes'];
  return Array.from({ length: n }, (_, i) => {
    const alpha = rand() < 0.5;
    const model = rand() < 0.5 ? 'A' : 'B';
    const good = (alpha && model === 'A') || (!alpha && model === 'B');
    return {
      text: `${alpha ? 'alpha' : 'beta'} question ${i % 13} about ${topics[i % topics.length]}`,
      labels: { [model]: { score: good ? 1 : 0, costUsd: model === 'A' ? 0.002 : 0.001, outputTokens: 100 } },
    };
  });
}

const options = { version: 'bandit@1', models: ['A', 'B', 'C'], dims: 1 << 12, now: () => new Date(0) };
const artifact = trainRouterFromLabels(banditExamples(600), {
  ...options,
  expectedCostUsd: { C: 0.05 },
  expectedOutputTokens: { C: 300 },
});
const sut = new LearnedRouter(artifact);
const sameCost = ['A', 'B', 'C'].map((model) => ({ model, costUsd: 0.001 }));

describe(trainRouterFromLabels.name, () => {
  it('learns each model from its own labels: A for alpha prompts, B for beta prompts', () => {
    for (const text of ['alpha question about wolves', 'alpha question 5 about rivers', 'alpha']) {
      const p = sut.predictQuality(text);
      expect(p.quality[0]).toBeGreaterThan(p.quality[1] + 0.15);
      expect(sut.chooseCostAware(p, sameCost.slice(0, 2), { costWeight: 0 })?.model).toBe('A');
    }
    for (const text of ['beta question about wolves', 'beta question 5 about rivers', 'beta']) {
      const p = sut.predictQuality(text);
      expect(p.quality[1]).toBeGreaterThan(p.quality[0] + 0.15);
      expect(sut.chooseCostAware(p, sameCost.slice(0, 2), { costWeight: 0 })?.model).toBe('B');
    }
  });

  it('keeps a model without labels at the mean of all labels, whatever the prompt', () => {
    // Half the labels are good: C starts at 0.5 and no row moves it.
    const a = sut.predictQuality('alpha question').quality[2];
    const b = sut.predictQuality('beta question').quality[2];
    expect(a).toBe(b);
    expect(a).toBeCloseTo(0.5, 1);
  });

  it('records the models, the labelled costs with fallbacks for unlabelled models, and what training chose', () => {
    expect(artifact).toMatchObject({
      version: 'bandit@1',
      models: ['A', 'B', 'C'],
      meanOutputTokens: { A: 100, B: 100, C: 300 },
      features: { taskHint: false },
    });
    expect(artifact.meanCostUsd['A']).toBeCloseTo(0.002, 12);
    expect(artifact.meanCostUsd['B']).toBeCloseTo(0.001, 12);
    expect(artifact.meanCostUsd['C']).toBe(0.05);
    expect(artifact.classifier).toBeUndefined();
    const { labelsPerModel, labels, chosenEpochs, epochs, validationLogLoss, examples } = artifact.training;
    expect(examples).toBe(600);
    expect(labels).toBe(600);
    expect((labelsPerModel?.['A'] ?? 0) + (labelsPerModel?.['B'] ?? 0)).toBe(600);
    expect(labelsPerModel?.['A']).toBeGreaterThan(250);
    expect(labelsPerModel?.['C']).toBe(0);
    expect([1, 2, 4, 8]).toContain(chosenEpochs);
    expect(epochs).toBe(chosenEpochs);
    // Better than a coin's log-loss (ln 2) on labels the prompt's word decides.
    expect(validationLogLoss).toBeLessThan(Math.log(2));
  });

  it('retrains on every example with the chosen epochs; given epochs skip the choice', () => {
    const chosen = artifact.training.chosenEpochs;
    const fixed = trainRouterFromLabels(banditExamples(600), { ...options, epochs: chosen });
    expect(fixed.quality.weights).toBe(artifact.quality.weights);
    expect(fixed.training.validationLogLoss).toBeUndefined();
  });

  it("starts AdaGrad's sums at ADAGRAD_INITIAL_ACCUMULATOR unless told, and averages iterates only when told", () => {
    expect(artifact.training).toMatchObject({ initialAccumulator: ADAGRAD_INITIAL_ACCUMULATOR, learningRate: 0.02 });
    expect(artifact.training.averageIterates).toBeUndefined();
    const epochs = artifact.training.chosenEpochs;
    // A zero start (the retraining before) and an averaged one train other weights, and say so.
    const zero = trainRouterFromLabels(banditExamples(600), { ...options, epochs, initialAccumulator: 0 });
    expect(zero.training.initialAccumulator).toBe(0);
    const averaged = trainRouterFromLabels(banditExamples(600), { ...options, epochs, averageIterates: 'epoch' });
    expect(averaged.training.averageIterates).toBe('epoch');
    const fixed = trainRouterFromLabels(banditExamples(600), { ...options, epochs });
    const weights = new Set([fixed.quality.weights, zero.quality.weights, averaged.quality.weights]);
    expect(weights.size).toBe(3);
    // 'none' is the default.
    const none = trainRouterFromLabels(banditExamples(600), { ...options, epochs, averageIterates: 'none' });
    expect(none.quality.weights).toBe(fixed.quality.weights);
    // Each still learns the bandit world.
    for (const a of [zero, averaged]) {
      const router = new LearnedRouter(a);
      expect(router.predictQuality('alpha question').quality[0]).toBeGreaterThan(
        router.predictQuality('alpha question').quality[1],
      );
    }
    expect(() => trainRouterFromLabels(banditExamples(10), { ...options, initialAccumulator: -1 })).toThrow(
      'initialAccumulator must be finite and 0 or above; got -1',
    );
    expect(() => trainRouterFromLabels(banditExamples(10), { ...options, epochCandidates: [2, 0.5] })).toThrow(
      'epochCandidates must be whole numbers from 1 (0 with a warm start); got [0.5, 2]',
    );
    expect(() => trainRouterFromLabels(banditExamples(10), { ...options, epochCandidates: [] })).toThrow(
      'epochCandidates must be whole numbers from 1 (0 with a warm start); got []',
    );
  });

  it('chooses the epochs among the candidates given, by log-loss or by concordance, and says which', () => {
    const chosen = trainRouterFromLabels(banditExamples(600), { ...options, epochCandidates: [3] });
    expect(chosen.training).toMatchObject({ chosenEpochs: 3, epochs: 3, epochsChosenBy: 'log-loss' });
    expect(artifact.training.epochsChosenBy).toBe('log-loss');
    const byOrder = trainRouterFromLabels(banditExamples(600), { ...options, chooseEpochsBy: 'concordance' });
    expect(byOrder.training.epochsChosenBy).toBe('concordance');
    expect([1, 2, 4, 8]).toContain(byOrder.training.chosenEpochs);
    // The bandit world's order is learnt in one pass: concordance keeps the fewest epochs on a tie.
    expect(byOrder.training.chosenEpochs).toBe(1);
  });

  it('uses the default epochs without a validation cut below 200 examples', () => {
    const small = trainRouterFromLabels(banditExamples(150), options);
    expect(small.training).toMatchObject({ chosenEpochs: 2, epochs: 2, examples: 150, labels: 150 });
    expect(small.training.validationLogLoss).toBeUndefined();
  });

  it('is deterministic for the same examples and seed', () => {
    const again = trainRouterFromLabels(banditExamples(600), {
      ...options,
      expectedCostUsd: { C: 0.05 },
      expectedOutputTokens: { C: 300 },
    });
    expect(again.quality.weights).toBe(artifact.quality.weights);
    expect(again.training.chosenEpochs).toBe(artifact.training.chosenEpochs);
  });

  it('ignores labels of models outside the list and examples with none of theirs', () => {
    const extra = [...banditExamples(150), { text: 'alpha', labels: { Z: { score: 1 } } }];
    const trained = trainRouterFromLabels(extra, options);
    expect(trained.training.examples).toBe(150);
    expect(trained.models).toEqual(['A', 'B', 'C']);
  });

  it('keeps a model with three lucky labels near the mean of all labels (the prior)', () => {
    // A: 200 labels, 30% good. B: 3 labels, all good. Overall mean 63/203 ≈ 0.31.
    const examples = Array.from({ length: 203 }, (_, i): LabelledExample => ({
      text: `question ${i % 17} about things`,
      labels: i < 200 ? { A: { score: i % 10 < 3 ? 1 : 0 } } : { B: { score: 1 } },
    }));
    const shrunk = new LearnedRouter(trainRouterFromLabels(examples, { ...options, models: ['A', 'B'] }));
    const raw = new LearnedRouter(
      trainRouterFromLabels(examples, { ...options, models: ['A', 'B'], priorStrength: 0 }),
    );
    const q = shrunk.predictQuality('question 5 about things').quality;
    expect(q[1]).toBeGreaterThan(0.31);
    expect(q[1]).toBeLessThan(0.55);
    expect(q[0]).toBeCloseTo(0.3, 1);
    expect(raw.predictQuality('question 5 about things').quality[1]).toBeGreaterThan(0.95);
  });

  it('trains from full outcomes as the special case where every model is labelled', () => {
    const full = labelledFromOutcomes([
      { text: 'alpha one', task: 'chat', outcomes: { A: { score: 1 }, B: { score: 0 } } },
      { text: 'beta one', outcomes: { A: { score: 0 }, B: { score: 1 } } },
    ]);
    expect(full[0]).toEqual({ text: 'alpha one', task: 'chat', labels: { A: { score: 1 }, B: { score: 0 } } });
    expect(trainRouterFromLabels(full, { ...options, models: ['A', 'B'] }).training.labels).toBe(4);
  });

  describe('with the conversation before the prompt', () => {
    // Every other row a follow-up ("and why is that?") after the bandit world's question: the question
    // before it decides which model answered well.
    const followUps = banditExamples(600).map((e, i) =>
      i % 2 ? { ...e, text: 'and why is that?', context: `You are terse.\n${e.text}` } : e,
    );
    const fixed = { ...options, models: ['A', 'B'], epochs: 4 };
    const after = (router: LearnedRouter, question: string) =>
      router.predictQuality('and why is that?', undefined, `You are terse.\n${question}`).quality;

    it('routes a follow-up by the question before it, weighed at DEFAULT_CONTEXT_WEIGHT unless told', () => {
      const trained = new LearnedRouter(trainRouterFromLabels(followUps, fixed));
      expect(trained.artifact.features).toEqual({ taskHint: false, contextWeight: DEFAULT_CONTEXT_WEIGHT });
      expect(trained.usesContext).toBe(true);
      const choose = (question: string) =>
        trained.chooseCostAware({ quality: after(trained, question) }, sameCost.slice(0, 2), { costWeight: 0 })?.model;
      expect(choose('alpha question 3 about rivers')).toBe('A');
      expect(choose('beta question 3 about rivers')).toBe('B');
    });

    it('learns from the prompt alone with weight 0, and refuses a weight below 0', () => {
      const blind = new LearnedRouter(trainRouterFromLabels(followUps, { ...fixed, contextWeight: 0 }));
      expect(blind.usesContext).toBe(false);
      expect(Array.from(after(blind, 'alpha question 3'))).toEqual(Array.from(after(blind, 'beta question 3')));
      expect(() => trainRouterFromLabels(followUps, { ...fixed, contextWeight: -1 })).toThrow(/context weight/);
    });

    it('keeps full outcomes’ context as labels', () => {
      const [row] = labelledFromOutcomes([{ text: 'and why?', context: 'alpha one', outcomes: { A: { score: 1 } } }]);
      expect(row).toEqual({ text: 'and why?', context: 'alpha one', labels: { A: { score: 1 } } });
    });
  });

  it('refuses no examples, fewer than two models, and examples without any label of the models', () => {
    expect(() => trainRouterFromLabels([], options)).toThrow(/no labelled examples/);
    expect(() => trainRouterFromLabels(banditExamples(10), { ...options, models: ['A'] })).toThrow(
      /at least two models/,
    );
    expect(() => trainRouterFromLabels(banditExamples(10), { ...options, models: ['A', 'A'] })).toThrow(/twice/);
    expect(() => trainRouterFromLabels(banditExamples(10), { ...options, models: ['X', 'Y'] })).toThrow(
      /none of the 10 examples has a label/,
    );
  });

  it('weighs each example by its weight: the heavier of two contradicting sets wins, weight 1 changes nothing', () => {
    // The same prompts labelled both ways for A: weights decide which side its prediction leans to.
    const contradicting = (goodWeight: number | undefined): LabelledExample[] =>
      banditExamples(300).flatMap((e, i) => [
        { text: e.text, labels: { A: { score: 1 }, B: { score: 0.5 } }, ...(goodWeight ? { weight: goodWeight } : {}) },
        { text: e.text, labels: { A: { score: i % 7 === 0 ? 1 : 0 }, B: { score: 0.5 } } },
      ]);
    const fixed = { ...options, models: ['A', 'B'], epochs: 2 };
    const plain = new LearnedRouter(trainRouterFromLabels(contradicting(undefined), fixed));
    const heavy = new LearnedRouter(trainRouterFromLabels(contradicting(4), fixed));
    const text = 'alpha question 3 about rivers';
    expect(heavy.predictQuality(text).quality[0]).toBeGreaterThan(plain.predictQuality(text).quality[0] + 0.1);
    expect(trainRouterFromLabels(contradicting(1), fixed).quality).toEqual(
      trainRouterFromLabels(contradicting(undefined), fixed).quality,
    );
    const bad = [{ ...banditExamples(1)[0], weight: 0 }];
    expect(() => trainRouterFromLabels(bad, options)).toThrow(/weight must be finite and above 0; got 0/);
  });
});

describe(`${trainRouterFromLabels.name} from a router (warmStart)`, () => {
  // The router in force knows the bandit world for A and B (C never answered); the night's log is twenty
  // "gamma" prompts, each answered by C (good) or B (bad), nothing about alpha or beta.
  const gamma: LabelledExample[] = Array.from({ length: 20 }, (_, i) => ({
    text: `gamma request ${i % 5}`,
    labels: { [i % 2 ? 'C' : 'B']: { score: i % 2 } },
  }));
  // A large step, for twenty rows to teach in two passes (a warm start's own is WARM_START_LEARNING_RATE).
  const night = { version: 'night@2', models: ['A', 'B', 'C'], epochs: 2, learningRate: 0.1, now: () => new Date(0) };
  const warm = trainRouterFromLabels(gamma, { ...night, warmStart: artifact });
  const cold = trainRouterFromLabels(gamma, { ...night, dims: 1 << 12 });

  it('keeps what the router knew and learns the log: A still over B on alpha, B over A on beta, C on gamma', () => {
    const router = new LearnedRouter(warm);
    const q = (text: string) => router.predictQuality(text).quality;
    expect(q('alpha question 3 about rivers')[0]).toBeGreaterThan(q('alpha question 3 about rivers')[1] + 0.15);
    expect(q('beta question 3 about rivers')[1]).toBeGreaterThan(q('beta question 3 about rivers')[0] + 0.15);
    expect(q('gamma request 2')[2]).toBeGreaterThan(q('gamma request 2')[1] + 0.15);
    // From scratch, the log alone knows nothing of alpha and beta: A sits at the prior whatever the prompt.
    const scratch = new LearnedRouter(cold);
    const a = scratch.predictQuality('alpha question 3 about rivers').quality;
    const b = scratch.predictQuality('beta question 3 about rivers').quality;
    expect(Math.abs(a[0] - b[0])).toBeLessThan(0.02);
  });

  it('keeps the router’s featurizer and inputs, maps models by name, and says what it started from', () => {
    expect(warm.featurizer).toEqual(artifact.featurizer);
    expect(warm.features).toEqual(artifact.features);
    expect(warm.training.warmStartedFrom).toBe('bandit@1');
    // Unless told, a quarter of the cold step, and the passes chosen among 0 (the router as it is) to 8.
    const { learningRate: _step, epochs: _epochs, ...untold } = night;
    const defaults = trainRouterFromLabels(banditExamples(300, 2), { ...untold, warmStart: artifact });
    expect(defaults.training.learningRate).toBe(WARM_START_LEARNING_RATE);
    expect(defaults.training.epochsRule).toBe('one-standard-error');
    const least = trainRouterFromLabels(banditExamples(300, 2), {
      ...untold,
      warmStart: artifact,
      epochsRule: 'least',
    });
    expect(least.training.epochsRule).toBeUndefined();
    expect(least.training.validationLogLoss).toBeLessThanOrEqual(defaults.training.validationLogLoss as number);
    expect(WARM_START_EPOCH_CANDIDATES).toContain(defaults.training.chosenEpochs);
    expect(trainRouterFromLabels(banditExamples(300, 2), untold).training.learningRate).toBe(0.02);
    // No pass: the router as it was, for the models it has.
    const kept = new LearnedRouter(trainRouterFromLabels(gamma, { ...night, epochs: 0, warmStart: artifact }));
    for (const text of ['alpha question 3 about rivers', 'gamma request 2'])
      expect(kept.predictQuality(text).quality.slice(0, 2)).toEqual(sut.predictQuality(text).quality.slice(0, 2));
    expect(() => trainRouterFromLabels(banditExamples(300, 2), { ...untold, epochCandidates: [0, 1] })).toThrow(
      'epochCandidates must be whole numbers from 1 (0 with a warm start); got [0, 1]',
    );
    expect(cold.training.warmStartedFrom).toBeUndefined();
    // Listed in another order, the models still start from their own outputs.
    const reordered = trainRouterFromLabels(gamma, { ...night, models: ['C', 'A', 'B'], warmStart: artifact });
    const router = new LearnedRouter(reordered);
    const alpha = router.predictQuality('alpha question 3 about rivers').quality;
    expect(alpha[1]).toBeGreaterThan(alpha[2] + 0.15);
  });

  it('refuses features other than the router’s, and a router whose quality model is not logistic', () => {
    expect(() => trainRouterFromLabels(gamma, { ...night, warmStart: artifact, dims: 1 << 10 })).toThrow(
      'a warm start from router bandit@1 keeps its features; asked for dims 1024 (it has 4096)',
    );
    expect(() =>
      trainRouterFromLabels(gamma, { ...night, warmStart: artifact, taskHint: true, contextWeight: 0.9 }),
    ).toThrow(
      `a warm start from router bandit@1 keeps its features; asked for taskHint true (it has false), contextWeight 0.9 (it has ${DEFAULT_CONTEXT_WEIGHT})`,
    );
    // Options that agree with the router are accepted.
    const same = trainRouterFromLabels(gamma, {
      ...night,
      warmStart: artifact,
      dims: 1 << 12,
      taskHint: false,
      contextWeight: DEFAULT_CONTEXT_WEIGHT,
    });
    expect(same.quality).toEqual(warm.quality);
    const softmax = { ...artifact, quality: { ...artifact.quality, loss: 'softmax' as const } };
    expect(() => trainRouterFromLabels(gamma, { ...night, warmStart: softmax })).toThrow(
      'router bandit@1 cannot be a warm start: its quality model is softmax, not logistic',
    );
  });
});

describe(withinOneStandardError.name, () => {
  it('compares the mean paired difference with its standard error', () => {
    const ones = Float64Array.of(1, 1, 1);
    // Differences 0, 1, 2: mean 1, standard deviation 1, standard error 1/√3 ≈ 0.577.
    expect(withinOneStandardError(Float64Array.of(1, 2, 3), ones)).toBe(false);
    // Differences 0, 0.5, -0.5: mean 0.
    expect(withinOneStandardError(Float64Array.of(1, 1.5, 0.5), ones)).toBe(true);
    // Differences 0.5, 1.5, -0.5: mean 0.5, standard deviation 1, standard error 0.577.
    expect(withinOneStandardError(Float64Array.of(1.5, 2.5, 0.5), ones)).toBe(true);
    // Always 0.1 worse: no spread, so clearly worse.
    expect(withinOneStandardError(Float64Array.of(1.1, 1.1, 1.1), ones)).toBe(false);
    expect(withinOneStandardError(Float64Array.of(0.9, 0.9, 0.9), ones)).toBe(true);
    expect(() => withinOneStandardError(ones, Float64Array.of(1))).toThrow(
      'paired losses of different lengths: 3 and 1',
    );
  });
});

describe('a router without a classifier', () => {
  it('round-trips through JSON and predicts the same quality', () => {
    const copy = new LearnedRouter(JSON.parse(JSON.stringify(artifact)));
    expect(copy.hasClassifier).toBe(false);
    expect(Array.from(copy.predictQuality('alpha again').quality)).toEqual(
      Array.from(sut.predictQuality('alpha again').quality),
    );
  });

  it('refuses the classifier mode with a clear error', () => {
    const message = /artifact bandit@1 has no classifier: it was trained from partial labels; use mode cost-aware/;
    expect(() => sut.predict('alpha')).toThrow(message);
    expect(() => sut.predictBest('alpha')).toThrow(message);
    expect(() => sut.chooseClassifier({ best: Float64Array.from([1, 0, 0]) }, new Set(['A']), 0.5)).toThrow(message);
  });

  it('is told apart from a router trained on full outcomes', () => {
    const full = trainLearnedRouter(
      [
        { text: 'a', outcomes: { A: { score: 1 }, B: { score: 0 } } },
        { text: 'b', outcomes: { A: { score: 0 }, B: { score: 1 } } },
      ],
      { version: 'full@1', dims: 1 << 10 },
    );
    expect(new LearnedRouter(full).hasClassifier).toBe(true);
  });
});

describe(SparseLinearModel.name, () => {
  const texts = Array.from(
    { length: 60 },
    (_, i) => `${i % 2 ? 'alpha' : 'beta'} question ${i % 7} about ${['cats', 'maths', '证明'][i % 3]}`,
  );
  const featurizer = TextFeaturizer.fit(texts, 1 << 10);
  const xs = texts.map((t) => featurizer.transform(t));
  const ys = texts.map((_, i) => Float64Array.from([i % 2, (i % 3) / 2, i % 5 === 0 ? 1 : 0]));
  const hyper = { epochs: 3, learningRate: 0.1, l2: 0.001, seed: 7 };
  const sha = (weights: string) => createHash('sha256').update(weights).digest('hex');

  describe('train', () => {
    it('gives the same bits as before partial labels when no target is missing', () => {
      // Recorded from the implementation before NaN targets, weights and the prior existed.
      const logistic = SparseLinearModel.train('logistic', 1 << 10, xs, ys, hyper).toJSON();
      expect(sha(logistic.weights)).toBe('ed5bf99d6946eef20a563a8b08c20dddd0e15355654bb196eced504056e76a3f');
      expect(logistic.bias).toEqual([-0.023971171406978464, 0.005717002836653115, -1.3476703106878143]);
      const onehot = texts.map((_, i) => Float64Array.from([0, 1, 2], (k) => (k === i % 3 ? 1 : 0)));
      const softmax = SparseLinearModel.train('softmax', 1 << 10, xs, onehot, hyper).toJSON();
      expect(sha(softmax.weights)).toBe('97044ac32d4dcac6f061e127264f677092162174e89a9c71a53e7626560214b6');
      // Weights of 1 change nothing.
      const ones = SparseLinearModel.train('logistic', 1 << 10, xs, ys, {
        ...hyper,
        weights: new Float64Array(60).fill(1),
      });
      expect(ones.toJSON().weights).toBe(logistic.weights);
    });

    it('leaves an output untouched by a row that does not label it, L2 included', () => {
      // Row 0 labels output 0 only. Whatever its text, output 1 trains the same; output 0 does not.
      const partial = ys.map((y, i) => (i === 0 ? Float64Array.from([1, NaN, 0]) : y));
      const withText = (text: string) => {
        const rows = xs.map((x, i) => (i === 0 ? featurizer.transform(text) : x));
        return SparseLinearModel.train('logistic', 1 << 10, rows, partial, hyper);
      };
      const one = withText(texts[1]);
      const other = withText('something else entirely, 完全不同');
      for (const probe of [texts[1], texts[4], 'something else']) {
        const x = featurizer.transform(probe);
        expect(one.predict(x)[1]).toBe(other.predict(x)[1]);
      }
      expect(one.predict(featurizer.transform(texts[1]))[0]).not.toBe(other.predict(featurizer.transform(texts[1]))[0]);
    });

    it('starts a bias from the labelled rows only', () => {
      // Output 1: labelled 1 on every other row, unlabelled elsewhere. Zero epochs: the model is its start.
      const targets = ys.map((_, i) => Float64Array.from([i % 2, i % 2 ? 1 : NaN]));
      const empty = { indices: new Int32Array(0), values: new Float32Array(0) };
      const start = SparseLinearModel.train('logistic', 1 << 10, xs, targets, { epochs: 0 }).predict(empty);
      expect(start[0]).toBeCloseTo(0.5, 12);
      expect(start[1]).toBeCloseTo(0.999, 12);
      // With a prior of 30 pseudo-labels at the overall mean (60 of 90 labels good): (30 + 30 × 2/3) / 60.
      const shrunk = SparseLinearModel.train('logistic', 1 << 10, xs, targets, { epochs: 0, priorStrength: 30 });
      expect(shrunk.predict(empty)[1]).toBeCloseTo(50 / 60, 12);
    });

    it('multiplies each row gradient by its weight: zero weights learn nothing', () => {
      const zero = SparseLinearModel.train('logistic', 1 << 10, xs, ys, {
        ...hyper,
        l2: 0,
        weights: new Float64Array(60),
      });
      const start = SparseLinearModel.train('logistic', 1 << 10, xs, ys, { epochs: 0 });
      expect(zero.toJSON()).toEqual(start.toJSON());
      const heavy = new Float64Array(60).fill(1);
      heavy[3] = 5;
      const weighted = SparseLinearModel.train('logistic', 1 << 10, xs, ys, { ...hyper, weights: heavy });
      const plain = SparseLinearModel.train('logistic', 1 << 10, xs, ys, hyper);
      // Row 3 (alpha, output 0 = 1) weighs more: its own prediction moves toward its target.
      expect(weighted.predict(xs[3])[0]).toBeGreaterThan(plain.predict(xs[3])[0]);
    });

    it('refuses missing targets under softmax and mismatched weights', () => {
      const nan = ys.map((y, i) => (i === 0 ? Float64Array.from([NaN, 1, 0]) : y));
      expect(() => SparseLinearModel.train('softmax', 1 << 10, xs, nan, hyper)).toThrow(/logistic/);
      expect(() => SparseLinearModel.train('logistic', 1 << 10, xs, ys, { weights: new Float64Array(3) })).toThrow(
        /60 rows but 3 weights/,
      );
    });
  });
});
