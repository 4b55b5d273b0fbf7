import {
  type BlendPartner,
  type IterateAveragingChoice,
  DEFAULT_TRAIN_OPTIONS,
  type LearnedPrediction,
  type LearnedRouterTraining,
  type TextFeaturizerState,
  type CostQuality,
  type SweepPoint,
  type KnobMix,
  hullMixForCost,
  mixKey,
  mixedSetting,
  resolveLearnedTarget,
  prepareSweep,
  type PreparedSweep,
  sumSweep,
  upperHull,
  LearnedRouter,
  type LearnedRouterArtifact,
  type CompiledPolicy,
  compilePolicy,
  inputTokensOf,
  pricedCandidates,
  decideRoute,
  extractFeatures,
  featurizerReads,
  mulberry32,
  trainLearnedRouter,
} from '@switchyard/routing';
import { bootstrapRatio, pairedBootstrap, type VersusBaseline } from './bootstrap';
import { apgr, costToReach } from './curve';
import { DatasetError, type DatasetRow, rowContext, rowMessages } from '@switchyard/datasets';
import { datasetModels, toExamples } from './dataset';
import { policyForDataset } from './dataset-policy';
import { type StrategyResult, referencePoints, replay } from './metrics';
import { planStrategies } from './plan-strategies';
import { testRowsSeenInTrain } from './splits';

export interface StrategyEntry extends StrategyResult {
  /** Quality as a share of the best single model's. */
  qualityVsBest: number;
  /** Cost saved against the best single model, 0..1. */
  saving: number;
  /** True for strategies that read the dataset's task label (a hint real requests may not carry). */
  usesTaskLabel: boolean;
  /** The family a strategy belongs to, for grouping (`single`, `random`, `learned`...). */
  family: string;
}

export interface EvaluationResult {
  models: string[];
  trainSize: number;
  testSize: number;
  /** Test rows whose prompt (and context) is also in the train part, word for word (`testRowsSeenInTrain`). */
  testRowsSeenInTrain: number;
  bestSingle: StrategyEntry;
  cheapest: StrategyEntry;
  /** Of the cost-aware learned router's curve over its cost weight, read off its hull (see `CurveHeadline`). */
  apgr?: number;
  costToReach95UsdPerPrompt?: number;
  costToReach100UsdPerPrompt?: number;
  marginOverRandomMixing?: number;
  /** The learned router's traced curve on the test part: how many settings, and its hull. */
  learnedCurve?: CurveReport;
  /** How the learned router was trained: the step and epochs tuning chose, with every trial. */
  training?: LearnedRouterTraining;
  /** What the learned router's featurizer reads: dimensions, character n-grams, word scanner (no weights). */
  featurizer?: Omit<TextFeaturizerState, 'idf'>;
  /** The per-model logistic-regression baseline, on the same split, read the same way. */
  baseline?: CurveHeadline & { curve: CurveReport; training: LearnedRouterTraining };
  strategies: StrategyEntry[];
  /**
   * The knob (a mix of two cost weights) calibrated on a validation cut of the training part (no test data)
   * to reach 95% and 100% of that cut's best single model, with what it gave on the test part.
   */
  validationPick95?: ValidationPick;
  validationPick100?: ValidationPick;
  /** The same curve for the router given the task label as a hint (`learned+task`; only when the data has tasks). */
  withTaskHint?: CurveHeadline;
  /**
   * The learned router minus the baseline (APGR, saving at 95% and 100% of the best), each with its 95% paired
   * bootstrap interval over the test rows: whether the test part tells the two apart.
   */
  versusBaseline?: VersusBaseline;
}

/** The knob calibrated on a validation cut, and what it gave on the test part. */
export interface ValidationPick extends KnobMix {
  quality: number;
  costUsd: number;
  qualityVsBest: number;
  /** The 95% paired bootstrap interval of `qualityVsBest` over the test rows (absent with no bootstrap). */
  qualityVsBestInterval?: { low: number; high: number };
  saving: number;
}

export interface EvaluateOptions {
  seed: number;
  /** The learned router's knob values (DEFAULT_COST_WEIGHTS by default). */
  costWeights?: number[];
  thresholds?: number[];
  /**
   * Only the single models, random mixing, the learned router and the baseline (for cross-validation and
   * learning curves, where the seed's rules, cascades, votes and the task hint would only cost time).
   */
  routersOnly?: boolean;
  /** Train the learned router with this step and these epochs instead of tuning them on a validation cut. */
  training?: { epochs: number; learningRate: number };
  /**
   * Weight of the rows' `context` against their prompt, for every router trained here (the training default,
   * DEFAULT_CONTEXT_WEIGHT, when absent; 0: the prompt alone).
   */
  contextWeight?: number;
  /** Platt-scale the learned routers' predicted qualities (`TrainLearnedRouterOptions.scaleQuality`); off when absent. */
  scaleQuality?: boolean;
  /** Tune the learned routers on a cut holding out whole tasks (`TrainLearnedRouterOptions.tuneByTask`). */
  tuneByTask?: boolean | 'alongside';
  /** AdaGrad's starting sum for the learned routers (`TrainLearnedRouterOptions.initialAccumulator`). */
  initialAccumulator?: number;
  /** Fold models the learned routers average (`TrainLearnedRouterOptions.averageFolds`); their default when absent. */
  averageFolds?: number;
  /** The learned routers' iterate averaging (`TrainLearnedRouterOptions.averageIterates`); their default when absent. */
  averageIterates?: IterateAveragingChoice;
  /** Hashed feature dimensions of the learned routers (the training default when absent); the baseline keeps 2^18. */
  dims?: number;
  /** Resamples of the paired bootstrap against the baseline (DEFAULT_BOOTSTRAP_RESAMPLES when absent; 0: none). */
  bootstrapResamples?: number;
  /** Called as work proceeds: the stage, and how far it is when that is known. */
  onProgress?: (stage: string, done?: number, total?: number) => void;
}

/**
 * Every strategy, trained on `train` where it learns, replayed on `test` against the recorded outcomes,
 * through the same routing code decision-engine runs. Nothing here knows the dataset's models or tasks.
 */
export function evaluateStrategies(
  train: readonly DatasetRow[],
  test: readonly DatasetRow[],
  options: EvaluateOptions,
): EvaluationResult {
  const progress = options.onProgress ?? (() => undefined);
  const models = datasetModels([...train, ...test]);
  if (models.length < 2)
    throw new DatasetError(
      `routing needs outcomes of at least two models on every row; ${models.length === 1 ? `only ${models[0]} has them` : 'no model has them'}`,
    );
  if (train.length === 0 || test.length === 0)
    throw new DatasetError(`the split left ${train.length} rows to train on and ${test.length} to test on`);
  const ref = referencePoints(test, models);
  const entries: StrategyEntry[] = [];
  const add = (r: StrategyResult, family: string, usesTaskLabel = false) =>
    entries.push({
      ...r,
      family,
      usesTaskLabel,
      qualityVsBest: r.quality / ref.best.quality,
      saving: 1 - r.costUsd / ref.best.costUsd,
    });

  progress('single models');
  for (const s of ref.singles) add(s, 'single');

  progress('random mixing');
  for (const p of [0.25, 0.5, 0.75]) {
    const rand = mulberry32(options.seed + 1);
    add(
      replay(`random ${Math.round(p * 100)}% ${ref.best.name}, rest ${ref.cheapest.name}`, test, () =>
        rand() < p ? ref.best.name : ref.cheapest.name,
      ),
      'random',
    );
  }

  const document = policyForDataset(train, models);
  const datasetPolicy = compilePolicy(document);
  const full = options.routersOnly !== true;
  if (full) {
    progress('rules and difficulty (seed)');
    // The seed's two routers alone, then together as its production router chains them.
    const { difficulty: _bands, ...rulesOnly } = document;
    for (const [name, policy] of [
      ['seed rule router (keywords; else the cheap tier)', compilePolicy(rulesOnly)],
      ['seed difficulty router (bands)', compilePolicy({ ...document, rules: [] })],
      ['seed rules + difficulty bands', datasetPolicy],
    ] as const)
      add(
        replay(name, test, (row) => decideRoute(policy, input(row)).plan.model),
        'seed',
      );

    progress('per-task best model');
    add(replay('per-task best model', test, perTaskChooser(train, models, ref.best.name)), 'per-task', true);

    progress('cascades and consensus votes (on the recorded answers)');
    const plans = planStrategies(train, test, models);
    for (const why of plans.skipped) progress(`  skipped ${why}`);
    for (const p of plans.results) add(p, p.family);
  }

  const costWeights = options.costWeights ?? DEFAULT_COST_WEIGHTS;
  const routerOptions = {
    ...(options.contextWeight === undefined ? {} : { contextWeight: options.contextWeight }),
    ...(options.scaleQuality === true ? { scaleQuality: true } : {}),
    ...(options.tuneByTask ? { tuneByTask: options.tuneByTask } : {}),
    ...(options.initialAccumulator === undefined ? {} : { initialAccumulator: options.initialAccumulator }),
    ...(options.averageFolds === undefined ? {} : { averageFolds: options.averageFolds }),
    ...(options.averageIterates === undefined ? {} : { averageIterates: options.averageIterates }),
    ...(options.dims === undefined ? {} : { dims: options.dims }),
  };
  const artifact = trainEvalRouter(train, models, options.seed, {
    ...(options.training ? { settings: options.training } : {}),
    ...routerOptions,
    onProgress: (stage, done, total) => progress(`learned router, training: ${stage}`, done, total),
  });
  const router = new LearnedRouter(artifact);
  const predictions = predictAll(router, datasetPolicy, test, (done, total) =>
    progress('learned router, predicting the test part', done, total),
  );
  const all = new Set(models);
  for (const th of full ? (options.thresholds ?? [0.3, 0.5, 0.6, 0.7]) : [])
    add(
      replay(
        `classifier, confidence ${th} (else ${ref.best.name})`,
        test,
        (_r, i) => router.chooseClassifier(predictions[i], all, th)?.model ?? ref.best.name,
      ),
      'classifier',
    );
  progress('learned router, tracing every cost weight where a choice changes');
  const traced = traceCurve(router, predictions, test, ref.best.name);
  for (const costWeight of costWeights) {
    const at = pointAt(traced.points, costWeight);
    add({ name: `cost-aware, cost weight ${costWeight}`, quality: at.quality, costUsd: at.costUsd }, 'learned');
  }

  // The knob set as a user would, without the test data: a target of 95% and 100% of the best model,
  // resolved on the router's calibration (its curve on the rows tuning held out), served on the test part.
  const served: Partial<Record<'95' | '100', ValidationPick>> = {};
  const calibration = artifact.calibration;
  for (const target of ['95', '100'] as const) {
    if (!calibration) break;
    const mix = resolveLearnedTarget(calibration, { quality: Number(target) / 100, of: calibration.bestModel });
    if (!mix.reached) continue;
    // Served as decision-engine serves it: each prompt's side of the mix picked by the hash of its text (and
    // of its context, for a router that reads it: mixKey).
    const picks = test.map((row, i) => {
      const setting = mixedSetting(mix, mixKey(row.prompt, router.usesContext ? rowContext(row) : undefined));
      return 'model' in setting
        ? setting.model
        : (router.chooseCostAware(predictions[i], predictions[i].candidates, setting)?.model ?? ref.best.name);
    });
    const serve = (_row: DatasetRow, i: number) => picks[i];
    add(
      replay(`cost-aware, target ${target}% of ${calibration.bestModel} (${describeMix(mix)})`, test, serve),
      'learned',
    );
    const entry = entries[entries.length - 1];
    const { quality, costUsd } = entry;
    // How far the test rows alone move the quality the target served, against the best model on the same rows.
    const interval =
      options.bootstrapResamples === 0
        ? undefined
        : bootstrapRatio(
            test.map((row, i) => row.outcomes[picks[i]].score),
            test.map((row) => row.outcomes[ref.best.name].score),
            options.seed,
            options.bootstrapResamples,
          );
    served[target] = {
      lowWeight: mix.lowWeight,
      highWeight: mix.highWeight,
      ...(mix.lowModel === undefined ? {} : { lowModel: mix.lowModel }),
      ...(mix.highModel === undefined ? {} : { highModel: mix.highModel }),
      share: mix.share,
      quality,
      costUsd,
      qualityVsBest: entry.qualityVsBest,
      ...(interval ? { qualityVsBestInterval: interval } : {}),
      saving: entry.saving,
    };
  }

  // The baseline a router must beat: one logistic regression per model on the same TF-IDF features, trained
  // to convergence, choosing by the same cost weight, read off its own hull.
  const baselineRouter = new LearnedRouter(
    trainBaselineRouter(
      train,
      models,
      options.seed,
      (stage, done, total) => progress(`logistic-regression baseline, training: ${stage}`, done, total),
      options.contextWeight,
    ),
  );
  const baselineCurve = traceCurve(
    baselineRouter,
    predictAll(baselineRouter, datasetPolicy, test, (done, total) =>
      progress('logistic-regression baseline, predicting the test part', done, total),
    ),
    test,
    ref.best.name,
  );

  // The same router with the task label as the request's task hint: marked as using the label.
  let hinted: TracedCurve | undefined;
  if (full && train.some((row) => row.task !== undefined) && test.some((row) => row.task !== undefined)) {
    const hintedRouter = new LearnedRouter(
      trainEvalRouter(train, models, options.seed, {
        taskHint: true,
        ...routerOptions,
        // Tuned once, on the router without the hint: the same settings, so the two curves differ by the hint.
        settings: {
          epochs: artifact.training.epochs,
          learningRate: artifact.training.learningRate ?? DEFAULT_TRAIN_OPTIONS.learningRate,
          l2: artifact.training.l2,
          ...(artifact.training.l2PerEpoch ? { l2PerEpoch: true } : {}),
          // The router's own start (none: AdaGrad from 0), not the run's option, which tuning applied to the plain steps only.
          initialAccumulator: artifact.training.initialAccumulator ?? 0,
          ...(artifact.training.blendWith ? { blendWith: artifact.training.blendWith } : {}),
          averageFolds: artifact.training.foldModels ?? 0,
          averageIterates: artifact.training.averageIterates ?? 'none',
        },
        onProgress: (stage, done, total) => progress(`learned router + task hint, training: ${stage}`, done, total),
      }),
    );
    const hintedPredictions = predictAll(hintedRouter, datasetPolicy, test, (done, total) =>
      progress('learned router + task hint, predicting the test part', done, total),
    );
    hinted = traceCurve(hintedRouter, hintedPredictions, test, ref.best.name);
    for (const costWeight of costWeights) {
      const at = pointAt(hinted.points, costWeight);
      add(
        { name: `cost-aware + task hint, cost weight ${costWeight}`, quality: at.quality, costUsd: at.costUsd },
        'learned+task',
        true,
      );
    }
  }

  add(ref.oracle, 'oracle');
  const bestSingle = entries.find((e) => e.family === 'single' && e.name === ref.best.name) as StrategyEntry;
  const cheapest = entries.find((e) => e.family === 'single' && e.name === ref.cheapest.name) as StrategyEntry;
  const result: EvaluationResult = {
    models,
    trainSize: train.length,
    testSize: test.length,
    testRowsSeenInTrain: testRowsSeenInTrain(train, test),
    bestSingle,
    cheapest,
    strategies: entries,
  };
  const summary = (curve: TracedCurve): CurveSummary => summarize(curve, cheapest, bestSingle);
  const learned = summary(traced);
  Object.assign(result, learned.headline);
  result.learnedCurve = learned.curve;
  result.training = artifact.training;
  result.featurizer = featurizerReads(artifact.featurizer);
  const baseline = summary(baselineCurve);
  result.baseline = { ...baseline.headline, curve: baseline.curve, training: baselineRouter.artifact.training };
  if (hinted) result.withTaskHint = summary(hinted).headline;
  if (options.bootstrapResamples !== 0) {
    progress('paired bootstrap of the router against the baseline over the test rows');
    result.versusBaseline = pairedBootstrap({
      router: traced.sweep,
      baseline: baselineCurve.sweep,
      models: models.map((m) => ({
        model: m,
        score: test.map((row) => row.outcomes[m].score),
        costUsd: test.map((row) => row.outcomes[m].cost_usd),
      })),
      cheapest: cheapest.name,
      best: bestSingle.name,
      seed: options.seed,
      ...(options.bootstrapResamples === undefined ? {} : { resamples: options.bootstrapResamples }),
    });
  }
  if (served['95']) result.validationPick95 = served['95'];
  if (served['100']) result.validationPick100 = served['100'];
  return result;
}

/**
 * The learned router as the evaluation trains it (step and epochs tuned on a validation cut unless given, the
 * given seed; with `taskHint`, the router that also learns from the task label). `switchyard eval --live` deploys the same one, so the
 * services route with the router the offline numbers measured.
 */
export function trainEvalRouter(
  train: readonly DatasetRow[],
  models: readonly string[],
  seed: number,
  options: {
    taskHint?: boolean;
    /** The rows' `context` weight (`TrainLearnedRouterOptions.contextWeight`). */
    contextWeight?: number;
    /** `TrainLearnedRouterOptions.scaleQuality`. */
    scaleQuality?: boolean;
    /** `TrainLearnedRouterOptions.tuneByTask`. */
    tuneByTask?: boolean | 'alongside';
    /** `TrainLearnedRouterOptions.initialAccumulator` (`settings` may carry one too). */
    initialAccumulator?: number;
    /** `TrainLearnedRouterOptions.averageFolds` (`settings` may carry one too). */
    averageFolds?: number;
    /** `TrainLearnedRouterOptions.averageIterates` (`settings` may carry one too). */
    averageIterates?: IterateAveragingChoice;
    /** `TrainLearnedRouterOptions.dims`. */
    dims?: number;
    version?: string;
    /** Step and epochs to train with instead of tuning them (e.g. what tuning chose for another router). */
    settings?: {
      epochs: number;
      learningRate: number;
      l2?: number;
      l2PerEpoch?: boolean;
      initialAccumulator?: number;
      blendWith?: BlendPartner;
      averageFolds?: number;
      averageIterates?: IterateAveragingChoice;
    };
    onProgress?: (stage: string, done: number, total: number) => void;
  } = {},
): LearnedRouterArtifact {
  return trainLearnedRouter(toExamples(train), {
    version: options.version ?? (options.taskHint ? 'eval+task' : 'eval'),
    models: [...models],
    seed,
    taskHint: options.taskHint === true,
    ...(options.contextWeight === undefined ? {} : { contextWeight: options.contextWeight }),
    ...(options.scaleQuality === true ? { scaleQuality: true } : {}),
    ...(options.tuneByTask ? { tuneByTask: options.tuneByTask } : {}),
    ...(options.initialAccumulator === undefined ? {} : { initialAccumulator: options.initialAccumulator }),
    ...(options.averageFolds === undefined ? {} : { averageFolds: options.averageFolds }),
    ...(options.averageIterates === undefined ? {} : { averageIterates: options.averageIterates }),
    ...(options.dims === undefined ? {} : { dims: options.dims }),
    ...(options.settings ?? {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

/** The cost weights the learned router's curve is traced over: 0 (buy the best predicted model) to 3. */
export const DEFAULT_COST_WEIGHTS = [
  0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3,
];

/** What the learned router sees for one row: both heads' predictions and the candidates priced as decision-engine prices them. */
interface RowPrediction extends LearnedPrediction {
  candidates: Array<{ model: string; costUsd: number }>;
}

/**
 * Predictions for every row, with each model priced for the row the way decision-engine prices it (the
 * prompt's tokens, the model's usual answer length, `policy`'s prices), reporting progress every 500 rows.
 */
function predictAll(
  router: LearnedRouter,
  policy: CompiledPolicy,
  rows: readonly DatasetRow[],
  progress: (done: number, total: number) => void,
): RowPrediction[] {
  return rows.map((row, i) => {
    if (i % 500 === 0) progress(i, rows.length);
    const prediction = {
      // A router without the classifier head (the baseline) predicts quality only.
      ...(router.hasClassifier
        ? router.predict(row.prompt, row.task, rowContext(row))
        : { ...router.predictQuality(row.prompt, row.task, rowContext(row)), best: new Float64Array(0) }),
      // The row's input as a request would carry it: the prompt and the conversation before it.
      candidates: pricedCandidates(policy, router, inputTokensOf(row.prompt, row.context)),
    };
    if (i === rows.length - 1) progress(rows.length, rows.length);
    return prediction;
  });
}

/** The learned router's curve on some rows: every cost weight where a choice changes, and its upper hull. */
interface TracedCurve {
  points: SweepPoint[];
  /**
   * What the router can serve: every traced setting, and every model alone (a target's mix may send its
   * share to one model), so the hull is never below random mixing of the cheapest and the best model.
   */
  settings: Array<CostQuality & { costWeight?: number; model?: string }>;
  hull: Array<CostQuality & { costWeight?: number; model?: string }>;
  /** The sweep before summing: what the paired bootstrap resamples. */
  sweep: PreparedSweep;
}

function traceCurve(
  router: LearnedRouter,
  predictions: readonly RowPrediction[],
  rows: readonly DatasetRow[],
  fallback: string,
): TracedCurve {
  const sweepRows = predictions.map((p) => ({
    quality: p.candidates.map((c) => p.quality[router.models.indexOf(c.model)]),
    costUsd: p.candidates.map((c) => c.costUsd),
  }));
  const recorded = (row: DatasetRow, model: string) => {
    const outcome = row.outcomes[model];
    if (!outcome) throw new Error(`the learned router chose "${model}" for row ${row.id}, which has no outcome for it`);
    return { score: outcome.score, costUsd: outcome.cost_usd };
  };
  const sweep = prepareSweep(
    sweepRows,
    (r, k) => recorded(rows[r], predictions[r].candidates[k].model),
    (r) => recorded(rows[r], fallback),
  );
  const points = sumSweep(sweep);
  const singles = referencePoints(rows, router.models).singles.map((r) => ({
    model: r.name,
    quality: r.quality,
    costUsd: r.costUsd,
  }));
  const settings = [...points, ...singles];
  return { points, settings, hull: upperHull(settings), sweep };
}

/** The curve's point in force at `costWeight`: the last one starting at or below it. */
function pointAt(points: readonly SweepPoint[], costWeight: number): SweepPoint {
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (points[mid].costWeight <= costWeight) lo = mid;
    else hi = mid - 1;
  }
  return points[lo];
}

/** A knob mix as reports name it: `30% at cost weight 1.2, the rest at 0.1`, or a model alone on a side. */
export function describeMix(mix: KnobMix): string {
  const side = (model: string | undefined, weight: number) =>
    model === undefined ? `cost weight ${round(weight)}` : `${model} alone`;
  const low = side(mix.lowModel, mix.lowWeight);
  const high = side(mix.highModel, mix.highWeight);
  return mix.share >= 1 || low === high ? low : `${(mix.share * 100).toFixed(0)}% at ${low}, the rest at ${high}`;
}

function round(x: number): number {
  return Number(x.toPrecision(3));
}

/**
 * The plain baseline: one logistic regression per model on the router's TF-IDF features, regularised as
 * scikit-learn's default (L2, C = 1: each weight shrunk by itself once per epoch, spread over the rows
 * having its feature), trained to convergence (AdaGrad step 0.1, until an epoch improves the training loss
 * by under 0.1%, at most 30 epochs), no tuning. The rows' context weighs `contextWeight`, as for the router.
 */
export function trainBaselineRouter(
  train: readonly DatasetRow[],
  models: readonly string[],
  seed: number,
  onProgress?: (stage: string, done: number, total: number) => void,
  contextWeight?: number,
): LearnedRouterArtifact {
  return trainLearnedRouter(toExamples(train), {
    version: 'baseline',
    models: [...models],
    seed,
    // Fixed, so the reference does not move when the router's own dimensions do.
    dims: 1 << 18,
    ...(contextWeight === undefined ? {} : { contextWeight }),
    tune: false,
    classifier: false,
    learningRate: 0.1,
    l2: 1,
    l2PerEpoch: true,
    converge: { maxEpochs: 30 },
    ...(onProgress ? { onProgress } : {}),
  });
}

/** A curve's headline numbers read off its hull, and the hull itself. */
interface CurveSummary {
  headline: CurveHeadline;
  curve: CurveReport;
}

export interface CurveHeadline {
  /** Over the hull; absent when the best single model is also the cheapest (no gap to recover). */
  apgr?: number;
  costToReach95UsdPerPrompt?: number;
  costToReach100UsdPerPrompt?: number;
  /**
   * The hull's least margin over mixing the cheapest and the best model at random, in quality, over the
   * cost range strictly between them (at 100 steps): negative where random mixing does better.
   */
  marginOverRandomMixing?: number;
}

export interface CurveReport {
  /** Cost weights where some prompt's choice changes (the curve is traced at each). */
  settings: number;
  /** Its upper hull with every model alone: a vertex is a cost weight, or a `model` served alone. */
  hull: Array<CostQuality & { costWeight?: number; model?: string }>;
}

function summarize(curve: TracedCurve, cheapest: StrategyEntry, best: StrategyEntry): CurveSummary {
  const headline: CurveHeadline = {};
  if (best.quality > cheapest.quality && best.costUsd > cheapest.costUsd) {
    headline.apgr = apgr(curve.settings, cheapest, best);
    let margin = Infinity;
    // Inside the range: at its ends random mixing is one of the models alone.
    for (let i = 1; i < 100; i++) {
      const cost = cheapest.costUsd + (i / 100) * (best.costUsd - cheapest.costUsd);
      const random = cheapest.quality + (i / 100) * (best.quality - cheapest.quality);
      const reached = hullMixForCost(curve.hull, cost)?.quality ?? cheapest.quality;
      margin = Math.min(margin, Math.max(reached, cheapest.quality) - random);
    }
    headline.marginOverRandomMixing = margin;
  }
  const c95 = costToReach(curve.settings, 0.95 * best.quality);
  const c100 = costToReach(curve.settings, best.quality);
  if (c95 !== undefined) headline.costToReach95UsdPerPrompt = c95;
  if (c100 !== undefined) headline.costToReach100UsdPerPrompt = c100;
  return { headline, curve: { settings: curve.points.length, hull: curve.hull } };
}

function input(row: DatasetRow) {
  const request = { messages: rowMessages(row) };
  return { request, tenant: 'eval', features: extractFeatures(request.messages) };
}

/** The best model of each task on the training part (ties to the cheaper); unseen tasks get the best single model. */
function perTaskChooser(
  train: readonly DatasetRow[],
  models: readonly string[],
  fallback: string,
): (row: DatasetRow) => string {
  const byTask = new Map<string, DatasetRow[]>();
  for (const row of train) byTask.set(row.task ?? '', [...(byTask.get(row.task ?? '') ?? []), row]);
  const choice = new Map<string, string>();
  for (const [task, rows] of byTask) choice.set(task, referencePoints(rows, models).best.name);
  return (row) => choice.get(row.task ?? '') ?? fallback;
}
