import {
  LearnedRouter,
  type LearnedRouterArtifact,
  type OutcomeExample,
  fitFeatures,
  topBandSaving,
  trainLearnedRouter,
} from './learned-router';
import { SparseLinearModel } from './sparse-linear-model';
import { TextFeaturizer, type TextFeaturizerState, type WordScanner } from './text-features';
import { ADAGRAD_INITIAL_ACCUMULATOR, randomCuts } from './tune-training';

// A synthetic world: the small model answers arithmetic and greetings, only the big one answers proofs.
function examples(n: number): OutcomeExample[] {
  const easy = ['what is 2 plus 2', 'say hello to my friend', '你好,今天怎么样', 'add 7 and 5 please', 'hello there'];
  const hard = [
    'prove the theorem by induction on n',
    '证明这个定理并推导公式',
    'derive the closed form and prove convergence',
    'prove that the series diverges',
  ];
  return Array.from({ length: n }, (_, i) => {
    const isEasy = i % 2 === 0;
    const pool = isEasy ? easy : hard;
    const text = `${pool[(i >> 1) % pool.length]} #${i % 7}`;
    return {
      text,
      outcomes: {
        small: { score: isEasy ? 1 : 0, costUsd: 0.0001, outputTokens: 50 },
        big: { score: 1, costUsd: 0.01, outputTokens: 80 },
      },
    };
  });
}

const artifact = trainLearnedRouter(examples(400), {
  version: 'synthetic@1',
  dims: 1 << 14,
  epochs: 4,
  learningRate: 0.1,
  now: () => new Date(0),
});
const sut = new LearnedRouter(artifact);
const candidates = [
  { model: 'small', costUsd: 0.0001 },
  { model: 'big', costUsd: 0.01 },
];

describe(trainLearnedRouter.name, () => {
  it('tunes on whole tasks held out when asked and every example has one of three or more, else on random rows', () => {
    const tasks = ['arithmetic', 'greeting', 'proof', 'series'];
    const tagged = examples(400).map((e, i) => ({ ...e, task: tasks[i % 4] }));
    const settings = { version: 't@1', dims: 1 << 12, calibrate: false, classifier: false, now: () => new Date(0) };
    const byTask = trainLearnedRouter(tagged, { ...settings, tuneByTask: true }).training.tuning;
    expect(byTask?.heldOutGroups?.length).toBeGreaterThanOrEqual(1);
    expect(byTask?.validationExamples).toBe(100 * (byTask?.heldOutGroups?.length ?? NaN));
    // Without tasks on every example, or without the flag: the random cut.
    const untagged = tagged.map((e, i) => (i === 0 ? { text: e.text, outcomes: e.outcomes } : e));
    expect(
      trainLearnedRouter(untagged, { ...settings, tuneByTask: true }).training.tuning?.heldOutGroups,
    ).toBeUndefined();
    expect(trainLearnedRouter(tagged, settings).training.tuning?.heldOutGroups).toBeUndefined();
  });

  it('tunes on the random folds and one of whole tasks alongside them when asked', () => {
    const tasks = ['arithmetic', 'greeting', 'proof', 'series'];
    const tagged = examples(400).map((e, i) => ({ ...e, task: tasks[i % 4] }));
    const settings = { version: 't@1', dims: 1 << 12, classifier: false, now: () => new Date(0) };
    const router = trainLearnedRouter(tagged, { ...settings, tuneByTask: 'alongside' });
    const tuning = router.training.tuning;
    // 400 rows: five random folds plus the cut of whole tasks; every row validated once, plus the held-out tasks.
    expect(tuning?.folds).toBe(6);
    expect(tuning?.heldOutGroups?.length).toBeGreaterThanOrEqual(1);
    expect(tuning?.validationExamples).toBe(400 + 100 * (tuning?.heldOutGroups?.length ?? NaN));
    // Calibration replays the random folds only, as without tasks.
    const plain = trainLearnedRouter(tagged, settings);
    expect(router.calibration?.validationExamples).toBe(400);
    expect(plain.calibration?.validationExamples).toBe(400);
  });

  it('tunes for what it is told to: the APGR by default, the top band, or both', () => {
    const settings = { version: 't@1', dims: 1 << 12, calibrate: false, classifier: false, now: () => new Date(0) };
    const criterion = (tuneFor?: 'apgr' | 'top' | 'both') =>
      trainLearnedRouter(examples(400), { ...settings, tuneFor }).training.tuning?.criterion;
    expect(criterion()).toBe('APGR of the routing curve on held-out rows');
    expect(criterion('top')).toBe('mean saving at 90-100% of the best model on held-out rows');
    expect(criterion('both')).toBe('mean of the APGR and the saving at 90-100% of the best model on held-out rows');
    expect(() => criterion('best' as 'top')).toThrow('tuneFor: "best" is not one of apgr, top, both');
  });

  it('trains the final model from the AdaGrad starting sum tuning chose, and records it', () => {
    const settings = { version: 't@1', dims: 1 << 12, calibrate: false, classifier: false, now: () => new Date(0) };
    const tuned = trainLearnedRouter(examples(400), settings);
    // The early-stopped candidates start from ADAGRAD_INITIAL_ACCUMULATOR; the regularised regression does not.
    const chosePlain = tuned.training.tuning?.l2PerEpoch !== true;
    expect(tuned.training.initialAccumulator).toBe(chosePlain ? ADAGRAD_INITIAL_ACCUMULATOR : undefined);
    expect(tuned.training.tuning?.initialAccumulator).toBe(tuned.training.initialAccumulator);
    // Given fixed settings, only when asked; the same seed and settings from another start give other weights.
    const fixed = { ...settings, epochs: 2, learningRate: 0.05 };
    const plain = trainLearnedRouter(examples(400), fixed);
    const damped = trainLearnedRouter(examples(400), { ...fixed, initialAccumulator: 1e-3 });
    expect(plain.training.initialAccumulator).toBeUndefined();
    expect(damped.training.initialAccumulator).toBe(1e-3);
    expect(damped.quality.weights).not.toBe(plain.quality.weights);
    // 0 is AdaGrad from zero, as without one.
    expect(trainLearnedRouter(examples(400), { ...fixed, initialAccumulator: 0 }).quality.weights).toBe(
      plain.quality.weights,
    );
  });

  it('tunes every early-stopped candidate from the starting sum it is given, and the regression from its own', () => {
    const settings = { version: 't@1', dims: 1 << 12, calibrate: false, classifier: false, now: () => new Date(0) };
    const trials = trainLearnedRouter(examples(400), { ...settings, initialAccumulator: 0.5 }).training.tuning?.trials;
    expect(trials?.filter((t) => t.l2 === 0 && !t.blendWith).map((t) => t.initialAccumulator)).toEqual([0.5, 0.5, 0.5]);
    expect(trials?.filter((t) => t.l2 > 0).map((t) => t.initialAccumulator)).toEqual([undefined]);
    const byDefault = trainLearnedRouter(examples(400), settings).training.tuning?.trials;
    expect(byDefault?.filter((t) => t.l2 === 0 && !t.blendWith).map((t) => t.initialAccumulator)).toEqual([
      ADAGRAD_INITIAL_ACCUMULATOR,
      ADAGRAD_INITIAL_ACCUMULATOR,
      ADAGRAD_INITIAL_ACCUMULATOR,
    ]);
  });

  it("averages the early-stopped settings' iterates per epoch by default, as told, or not at all", () => {
    const settings = { version: 't@1', dims: 1 << 12, calibrate: false, classifier: false, now: () => new Date(0) };
    const rows = examples(400);
    const trialsOf = (a: LearnedRouterArtifact) =>
      (a.training.tuning?.trials ?? []).map((t) => [t.learningRate, t.l2, t.averageIterates]);
    const byDefault = trainLearnedRouter(rows, settings);
    expect(trialsOf(byDefault).slice(0, 4)).toEqual([
      [0.02, 0, 'epoch'],
      [0.05, 0, 'epoch'],
      [0.1, 0, 'epoch'],
      [0.1, 1, undefined], // the regularised regression, trained to convergence, never averages
    ]);
    // What the artifact records is what its final model was trained with: the chosen setting's.
    const chosen = byDefault.training.tuning;
    expect(byDefault.training.averageIterates).toBe(chosen?.l2 === 0 ? 'epoch' : undefined);
    const none = trainLearnedRouter(rows, { ...settings, averageIterates: 'none' });
    expect(trialsOf(none).every(([, , a]) => a === undefined)).toBe(true);
    expect(none.training.averageIterates).toBeUndefined();
    expect(none.quality.weights).not.toBe(byDefault.quality.weights);
    const all = trainLearnedRouter(rows, { ...settings, averageIterates: 'all' });
    expect(
      trialsOf(all)
        .slice(0, 3)
        .map(([, , a]) => a),
    ).toEqual(['all', 'all', 'all']);
    // Fixed settings train as given: no averaging unless asked for.
    expect(trainLearnedRouter(rows, { ...settings, epochs: 2, learningRate: 0.02 }).training.averageIterates).toBe(
      undefined,
    );
    expect(
      trainLearnedRouter(rows, { ...settings, epochs: 2, learningRate: 0.02, averageIterates: 'epoch' }).training
        .averageIterates,
    ).toBe('epoch');
  });

  it('averages models trained without each of tuning’s five folds when told to, and records it; by default one model', () => {
    const settings = { version: 't@1', dims: 1 << 12, calibrate: false, classifier: false, now: () => new Date(0) };
    const rows = examples(400);
    const averaged = trainLearnedRouter(rows, { ...settings, averageFolds: 5 });
    expect(averaged.training.tuning?.folds).toBe(5);
    expect(averaged.training.foldModels).toBe(5);
    // The same weights as five models trained here at the chosen setting on the rows outside each fold, averaged.
    const { featurizer, xs } = fitFeatures(rows, { dims: 1 << 12 }, () => undefined);
    expect(featurizer.toJSON().idf).toEqual(averaged.featurizer.idf);
    const ys = rows.map((e) => Float64Array.from(averaged.models, (m) => e.outcomes[m].score));
    const t = averaged.training;
    const setting = {
      learningRate: t.learningRate,
      l2: t.l2,
      epochs: t.epochs,
      seed: 0,
      ...(t.l2PerEpoch ? { l2PerEpoch: true } : {}),
      ...(t.initialAccumulator === undefined ? {} : { initialAccumulator: t.initialAccumulator }),
      ...(t.averageIterates === undefined ? {} : { averageIterates: t.averageIterates }),
    };
    const train = (fit: number[]) => {
      const one = SparseLinearModel.train(
        'logistic',
        1 << 12,
        fit.map((r) => xs[r]),
        fit.map((r) => ys[r]),
        setting,
      );
      if (!t.blendWith) return one;
      const { epochs, ...partner } = t.blendWith;
      const other = SparseLinearModel.train(
        'logistic',
        1 << 12,
        fit.map((r) => xs[r]),
        fit.map((r) => ys[r]),
        { ...partner, epochs, seed: 0 },
      );
      return SparseLinearModel.average([one, other]);
    };
    const folds = randomCuts(rows.length, 5, 0);
    expect(folds.map((f) => f.fit.length)).toEqual([320, 320, 320, 320, 320]);
    expect(averaged.quality.weights).toBe(SparseLinearModel.average(folds.map((f) => train(f.fit))).toJSON().weights);
    // By default (or told 0): one model on every row, at the setting tuning chose.
    for (const whole of [
      trainLearnedRouter(rows, settings),
      trainLearnedRouter(rows, { ...settings, averageFolds: 0 }),
    ]) {
      expect(whole.training.foldModels).toBeUndefined();
      expect(whole.quality.weights).toBe(train(rows.map((_, i) => i)).toJSON().weights);
    }
    // Fixed settings (no tuning) too.
    const fixed = { ...settings, epochs: 2, learningRate: 0.05 };
    expect(trainLearnedRouter(rows, { ...fixed, averageFolds: 3 }).training.foldModels).toBe(3);
  });

  it('refuses a fold count that is not 0 or 2 to the examples, or one with training to convergence, before any work', () => {
    const stages: string[] = [];
    const settings = {
      version: 't@1',
      dims: 1 << 10,
      calibrate: false,
      classifier: false,
      onProgress: (stage: string) => stages.push(stage),
    };
    for (const averageFolds of [1, -2, 2.5, 401, Number.NaN])
      expect(() => trainLearnedRouter(examples(400), { ...settings, averageFolds })).toThrow(
        `averageFolds must be 0 or a whole number from 2 to the 400 examples, got ${averageFolds}`,
      );
    // Refused before the features, let alone tuning, were worked out.
    expect(stages).toEqual([]);
    expect(() =>
      trainLearnedRouter(examples(400), { ...settings, averageFolds: 5, converge: { maxEpochs: 3 } }),
    ).toThrow('averageFolds and converge cannot be combined');
  });

  it('records the models, their mean cost and answer length, and the version', () => {
    expect(artifact).toMatchObject({
      version: 'synthetic@1',
      models: ['big', 'small'],
      meanOutputTokens: { small: 50, big: 80 },
    });
    expect(artifact.meanCostUsd['small']).toBeCloseTo(0.0001, 12);
    expect(artifact.meanCostUsd['big']).toBeCloseTo(0.01, 12);
  });
  it('is deterministic for the same examples and seed', () => {
    const again = trainLearnedRouter(examples(400), {
      version: 'synthetic@1',
      dims: 1 << 14,
      epochs: 4,
      learningRate: 0.1,
      now: () => new Date(0),
    });
    expect(again.quality.weights).toBe(artifact.quality.weights);
  });
  it('counts the character n-grams it is told to (none at all: words alone), records them, and serves the same', () => {
    const settings = { version: 'v', dims: 1 << 14, epochs: 4, learningRate: 0.1 };
    expect(artifact.featurizer.charNgrams).toEqual([2, 4]);
    for (const charNgrams of [
      [3, 5],
      [1, 0],
    ] as Array<[number, number]>) {
      const trained = trainLearnedRouter(examples(400), { ...settings, charNgrams });
      expect(trained.featurizer.charNgrams).toEqual(charNgrams);
      const router = new LearnedRouter(JSON.parse(JSON.stringify(trained)));
      const knob = { costWeight: 0.3 };
      expect(router.chooseCostAware(router.predict('what is 3 plus 4'), candidates, knob)?.model).toBe('small');
      expect(router.chooseCostAware(router.predict('prove the lemma by induction'), candidates, knob)?.model).toBe(
        'big',
      );
    }
    // Words alone: two Chinese characters are two words and their pair (three features), without the
    // two-character n-gram the default counts besides.
    const featuresOf = (charNgrams: [number, number]) =>
      new TextFeaturizer({ dims: 1 << 16, charNgrams, idf: [] }).transform('你好').indices.length;
    expect(featuresOf([1, 0])).toBe(3);
    expect(featuresOf([2, 4])).toBe(4);
    for (const bad of [
      [0, 4],
      [2, 9],
      [1.5, 3],
    ] as Array<[number, number]>)
      expect(() => trainLearnedRouter(examples(50), { ...settings, charNgrams: bad })).toThrow(/charNgrams must be/);
  });
  it('reads words of every script unless told the Latin-and-Han scanner, records which, and serves the same', () => {
    const settings = { version: 'v', dims: 1 << 14, epochs: 4, learningRate: 0.1 };
    expect(artifact.featurizer.words).toBe('letters');
    const older = trainLearnedRouter(examples(400), { ...settings, words: 'latin-han' });
    expect(older.featurizer.words).toBe('latin-han');
    // An artifact from before the field: served with the scanner it was trained with.
    const { words: _words, ...before } = older.featurizer;
    const question = 'сколько будет 3 плюс 4';
    const read = (featurizer: TextFeaturizerState) =>
      new LearnedRouter({ ...older, featurizer }).predictQuality(question);
    expect(read(before).quality).toEqual(new LearnedRouter(older).predictQuality(question).quality);
    expect(read({ ...before, words: 'letters' }).quality).not.toEqual(read(before).quality);
    expect(() => trainLearnedRouter(examples(50), { ...settings, words: 'spaces' as WordScanner })).toThrow(
      'words must be one of letters, latin-han, got "spaces"',
    );
  });
  it('refuses data with fewer than two models', () => {
    expect(() => trainLearnedRouter([{ text: 'x', outcomes: { a: { score: 1 } } }], { version: 'v' })).toThrow(
      /at least two models/,
    );
  });
});

describe('the task hint as a feature', () => {
  // The same texts; only the task says which model can answer: small on "chat", big alone on "math".
  const hinted: OutcomeExample[] = Array.from({ length: 300 }, (_, i) => {
    const task = i % 2 ? 'math' : 'chat';
    return {
      text: `question number ${Math.floor(i / 2) % 10}`,
      task,
      outcomes: {
        small: { score: task === 'chat' ? 1 : 0, costUsd: 0.0001 },
        big: { score: 1, costUsd: 0.01 },
      },
    };
  });
  const options = { version: 'hint@1', dims: 1 << 12, epochs: 4, learningRate: 0.1 };
  const withHint = new LearnedRouter(trainLearnedRouter(hinted, { ...options, taskHint: true }));
  const without = new LearnedRouter(trainLearnedRouter(hinted, options));
  const choose = (router: LearnedRouter, task?: string) =>
    router.chooseCostAware(router.predict('question number 3', task), candidates, { costWeight: 0.3 })?.model;

  it('routes by the hint when trained with it, and records that it was', () => {
    expect(withHint.usesTaskHint).toBe(true);
    expect(choose(withHint, 'chat')).toBe('small');
    expect(choose(withHint, 'math')).toBe('big');
  });
  it('ignores hints in a router trained without them (older artifacts have no features field)', () => {
    expect(without.usesTaskHint).toBe(false);
    expect(choose(without, 'chat')).toBe(choose(without, 'math'));
    const { features: _, ...old } = without.artifact;
    expect(new LearnedRouter(old).usesTaskHint).toBe(false);
  });
});

describe('the conversation before the prompt as a feature', () => {
  // Half the rows are follow-ups ("and why?") whose difficulty is the question before them, half single turns.
  const questions = ['add 7 and 5 please', 'say hello to my friend', 'prove the theorem by induction on n'];
  const conversations: OutcomeExample[] = Array.from({ length: 300 }, (_, i) => {
    const question = questions[i % 3];
    const hard = question.startsWith('prove');
    return {
      ...(i % 2 ? { text: 'and why is that?', context: question } : { text: question }),
      outcomes: {
        small: { score: hard ? 0 : 1, costUsd: 0.0001 },
        big: { score: 1, costUsd: 0.01 },
      },
    };
  });
  const options = { version: 'context@1', dims: 1 << 12, epochs: 4, learningRate: 0.1 };
  const withContext = new LearnedRouter(trainLearnedRouter(conversations, { ...options, contextWeight: 1 }));
  const without = new LearnedRouter(trainLearnedRouter(conversations, { ...options, contextWeight: 0 }));
  const choose = (router: LearnedRouter, context?: string) =>
    router.chooseCostAware(router.predict('and why is that?', undefined, context), candidates, { costWeight: 0.3 })
      ?.model;

  it('routes a follow-up by the question before it when trained with context, and records the weight', () => {
    expect(withContext.usesContext).toBe(true);
    expect(withContext.artifact.features?.contextWeight).toBe(1);
    expect(choose(withContext, 'prove the theorem by induction on n')).toBe('big');
    expect(choose(withContext, 'add 7 and 5 please')).toBe('small');
  });
  it('ignores context in a router trained with weight 0, or in an older artifact without the field', () => {
    expect(without.usesContext).toBe(false);
    const alone = Array.from(without.predict('and why is that?').quality);
    expect(Array.from(without.predict('and why is that?', undefined, 'prove the lemma').quality)).toEqual(alone);
    const { features: _, ...old } = withContext.artifact;
    const oldRouter = new LearnedRouter(old);
    expect(oldRouter.usesContext).toBe(false);
    expect(Array.from(oldRouter.predict('and why?', undefined, 'prove the lemma').quality)).toEqual(
      Array.from(oldRouter.predict('and why?').quality),
    );
  });
  it('refuses a context weight that is not a number >= 0', () => {
    expect(() => trainLearnedRouter(conversations, { ...options, contextWeight: -1 })).toThrow(/context weight/);
    const artifact = { ...without.artifact, features: { taskHint: false, contextWeight: Number.NaN } };
    expect(() => new LearnedRouter(artifact)).toThrow(/artifact context@1: the context weight/);
  });
});

describe('Platt-scaled predictions (scaleQuality, an experiment)', () => {
  const scaled = trainLearnedRouter(examples(400), {
    version: 'synthetic@scaled',
    dims: 1 << 14,
    epochs: 4,
    learningRate: 0.1,
    scaleQuality: true,
    now: () => new Date(0),
  });

  it('stores one scale fitted on the held-out cut and serves every prediction through it', () => {
    expect(artifact.qualityScale).toBeUndefined();
    expect(scaled.qualityScale).toEqual({ a: expect.any(Number), b: expect.any(Number) });
    const { a, b } = scaled.qualityScale as { a: number; b: number };
    // Trained alike (same seed and settings), the two routers differ only by the scale.
    const raw = new LearnedRouter({ ...scaled, qualityScale: undefined }).predictQuality(
      'prove that 1 + 1 = 2',
    ).quality;
    const served = new LearnedRouter(scaled).predictQuality('prove that 1 + 1 = 2').quality;
    raw.forEach((p, k) => expect(served[k]).toBeCloseTo(1 / (1 + Math.exp(-(a * Math.log(p / (1 - p)) + b))), 9));
  });

  it('calibrates the knob on the scaled predictions, as they are served', () => {
    const unscaled = trainLearnedRouter(examples(400), {
      version: 'synthetic@scaled',
      dims: 1 << 14,
      epochs: 4,
      learningRate: 0.1,
      now: () => new Date(0),
    });
    // The same held-out cut either way.
    expect(scaled.calibration?.validationExamples).toBe(unscaled.calibration?.validationExamples);
    // This toy's quality model is under-confident after 4 epochs: the scale sharpens it, and the hull moves.
    expect(scaled.qualityScale?.a).toBeGreaterThan(1);
    expect(scaled.calibration?.hull).not.toEqual(unscaled.calibration?.hull);
  });
});

describe(LearnedRouter.name, () => {
  describe('chooseCostAware', () => {
    const knobs = [{ costWeight: 0.1 }, { tolerance: 0.1 }];
    it.each(knobs)('sends an easy prompt to the cheap model and a hard one to the strong model (%o)', (knob) => {
      expect(sut.chooseCostAware(sut.predict('what is 3 plus 4'), candidates, knob)?.model).toBe('small');
      expect(sut.chooseCostAware(sut.predict('prove the lemma by induction'), candidates, knob)?.model).toBe('big');
      expect(sut.chooseCostAware(sut.predict('请证明这个公式'), candidates, knob)?.model).toBe('big');
    });
    it('buys quality at tolerance 0 and saves at tolerance 1', () => {
      const p = sut.predict('add 1 and 1');
      expect(sut.chooseCostAware(p, candidates, { tolerance: 1 })?.model).toBe('small');
      const q = sut.predict('prove it');
      expect(sut.chooseCostAware(q, candidates, { tolerance: 0 })?.model).toBe('big');
    });
    it('weighs cost as a share of the dearest candidate: switches where quality − weight × share crosses', () => {
      // Artifact order is [big, small]; big is the dearest candidate ($0.01), small costs 1% of it.
      const p = { quality: Float64Array.from([0.9, 0.6]) };
      // big: 0.9 − w × 1; small: 0.6 − w × 0.01. Equal at w = 0.3 / 0.99 ≈ 0.30303.
      expect(sut.chooseCostAware(p, candidates, { costWeight: 0 })?.model).toBe('big');
      expect(sut.chooseCostAware(p, candidates, { costWeight: 0.303 })?.model).toBe('big');
      expect(sut.chooseCostAware(p, candidates, { costWeight: 0.304 })).toMatchObject({
        model: 'small',
        confidence: 0.6,
      });
      // The same weight whatever unit the prices are in.
      const inCents = candidates.map((c) => ({ ...c, costUsd: c.costUsd * 100 }));
      expect(sut.chooseCostAware(p, inCents, { costWeight: 0.303 })?.model).toBe('big');
      expect(sut.chooseCostAware(p, inCents, { costWeight: 0.304 })?.model).toBe('small');
    });
    it('breaks equal utility towards the cheaper model', () => {
      const p = { quality: Float64Array.from([0.5, 0.5]) };
      expect(sut.chooseCostAware(p, candidates, { costWeight: 0 })?.model).toBe('small');
    });
    it('only considers the candidates it is given', () => {
      for (const knob of [{ costWeight: 0 }, { tolerance: 0 }]) {
        expect(sut.chooseCostAware(sut.predict('prove the theorem'), [candidates[0]], knob)?.model).toBe('small');
        expect(sut.chooseCostAware(sut.predict('x'), [{ model: 'unknown', costUsd: 0 }], knob)).toBeUndefined();
      }
    });
  });

  describe('chooseClassifier', () => {
    it('returns the predicted best model when confident, nothing below the threshold', () => {
      const p = sut.predict('prove the theorem by induction on n');
      expect(sut.chooseClassifier(p, new Set(['small', 'big']), 0.5)?.model).toBe('big');
      expect(sut.chooseClassifier(p, new Set(['small', 'big']), 1.01)).toBeUndefined();
    });
  });

  it('predicts the same after a JSON round trip', () => {
    const copy = new LearnedRouter(JSON.parse(JSON.stringify(artifact)));
    expect(Array.from(copy.predict('hello').quality)).toEqual(Array.from(sut.predict('hello').quality));
  });

  it('rejects an artifact of another format', () => {
    expect(() => new LearnedRouter({ ...artifact, format: 'other' as never })).toThrow(/not a learned-router artifact/);
  });
});

describe(TextFeaturizer.name, () => {
  const f = TextFeaturizer.fit(['hello world', '你好世界'], 1 << 12);
  it('gives Chinese text features and unit length', () => {
    const v = f.transform('你好');
    expect(v.indices.length).toBeGreaterThan(0);
    expect(Math.hypot(...v.values)).toBeCloseTo(1, 5);
  });
  it('gives the same vector for the same text', () => {
    expect(f.transform('Hello World')).toEqual(f.transform('hello   world'.replace('   ', ' ')));
  });
  it('refuses dimensions that are not a power of two', () => {
    expect(() => new TextFeaturizer({ dims: 1000, charNgrams: [2, 4], idf: [] })).toThrow(/power of two/);
  });
});

describe(topBandSaving.name, () => {
  const best = { costUsd: 10, quality: 1 };
  it('averages the saving at 90%, 91%, ... 100% of the best model read off the hull', () => {
    // From (1, 0.5) to (10, 1): reaching quality f costs 1 + 18 (f - 0.5), a saving of 1.8 (1 - f); its mean over
    // f = 0.90 ... 1.00 is 1.8 × 0.05.
    expect(topBandSaving([{ costUsd: 1, quality: 0.5 }, best], best)).toBeCloseTo(0.09, 12);
    // A hull that reaches the best quality at a fifth of its cost saves 80% at every level.
    expect(topBandSaving([{ costUsd: 2, quality: 1 }], best)).toBeCloseTo(0.8, 12);
  });
  it('counts a level the hull never reaches as no saving', () => {
    // Up to 0.95 only: savings 0.10, 0.08, ... 0 at 0.90 ... 0.95, none above.
    expect(
      topBandSaving(
        [
          { costUsd: 1, quality: 0.5 },
          { costUsd: 10, quality: 0.95 },
        ],
        best,
      ),
    ).toBeCloseTo(0.3 / 11, 12);
    expect(topBandSaving([], best)).toBe(0);
  });
});
