import { extend } from '@switchyard/contracts';
import {
  DEFAULT_TRAIN_OPTIONS,
  type IterateAveraging,
  type IterateAveragingChoice,
  type LinearLoss,
  type LinearModelState,
  SparseLinearModel,
  type TrainOptions,
  activateInPlace,
  iterateAveraging,
} from './sparse-linear-model';
import { type SparseVector, TextFeaturizer, type TextFeaturizerState, type WordScanner } from './text-features';
import { type RouterCalibration, calibrate, heldOutCurve, pricedAsServed } from './calibration';
import { type PlattScale, applyPlatt, fitPlatt } from './platt';
import { type CostQuality, hullApgr, hullMixForQuality, upperHull } from './cost-curve';
import {
  type BlendPartner,
  type HeldOutPredictions,
  MIN_EXAMPLES_TO_TUNE,
  TRAINING_CANDIDATES,
  type TrainingCandidate,
  type TuneOptions,
  type TuningResult,
  hasConverged,
  randomCuts,
  tuneLogistic,
  validationCut,
} from './tune-training';

export const LEARNED_ROUTER_FORMAT = 'switchyard.learned-router/1';

/**
 * How much the conversation before a prompt weighs against the prompt when a router is trained without a
 * `contextWeight`. On the MMLU-Pro conversation stress sets (docs/benchmarks.md, "Conversation context (issue
 * #12)") 0.25 recovered most of what a follow-up's question tells (APGR 1.002 → 1.094 on one split, 1.086 →
 * 1.222 on another) for the least loss where the context is another question (1.162 → 1.142, 1.280 →
 * 1.198); 0.5 helped follow-ups a little more and lost 0.10-0.15 there.
 */
export const DEFAULT_CONTEXT_WEIGHT = 0.25;

/** One prompt with how each model did on it (the dataset format of shared/datasets/README.md). */
export interface OutcomeExample {
  text: string;
  /** The request's task hint (the dataset's task label), a feature when the router is trained with `taskHint`. */
  task?: string;
  /** The conversation before the prompt (`contextText`: system prompt, earlier user messages), if any. */
  context?: string;
  outcomes: Record<string, { score: number; costUsd?: number; outputTokens?: number }>;
}

/** A trained router, as stored on disk and loaded by decision-engine. */
export interface LearnedRouterArtifact {
  format: typeof LEARNED_ROUTER_FORMAT;
  version: string;
  createdAt: string;
  models: string[];
  /** Mean cost per prompt of each model on the training data. */
  meanCostUsd: Record<string, number>;
  /** Mean answer length of each model on the training data, to price a call before it is made. */
  meanOutputTokens: Record<string, number>;
  featurizer: TextFeaturizerState;
  /** Per-model probability that the answer is good (cost-aware mode). */
  quality: LinearModelState;
  /** Which model is best (the seed's classifier mode); absent in a router trained from partial labels. */
  classifier?: LinearModelState;
  /**
   * Inputs beyond the text (absent in older artifacts): `taskHint` when the request's task hint is a feature;
   * `contextWeight` w > 0 when the conversation before the routed message is one, its features added at
   * w times the message's (`TextFeaturizer.transform`); absent or 0: the message alone.
   */
  features?: { taskHint: boolean; contextWeight?: number };
  training: LearnedRouterTraining;
  /** Where the cost-aware knob lands on a held-out cut: what a policy's `target` resolves against. */
  calibration?: RouterCalibration;
  /**
   * The Platt scale every predicted quality goes through (`platt.ts`), one for all models, fitted on the
   * held-out cut; absent in older artifacts and unless trained with `scaleQuality` (predictions unscaled).
   */
  qualityScale?: PlattScale;
}

/** How an artifact was trained. */
export interface LearnedRouterTraining {
  examples: number;
  seconds: number;
  epochs: number;
  l2: number;
  /** Epochs picked on a validation cut (`trainRouterFromLabels`), equal to `epochs`. */
  chosenEpochs?: number;
  /** Mean log-loss over the validation cut's labelled (example, model) pairs at `chosenEpochs`. */
  validationLogLoss?: number;
  /** What chose `chosenEpochs` on the validation cut (`TrainFromLabelsOptions.chooseEpochsBy`), when it was chosen. */
  epochsChosenBy?: 'log-loss' | 'concordance';
  /** The fewest epochs within one standard error of the least log-loss were kept (`TrainFromLabelsOptions.epochsRule`). */
  epochsRule?: 'one-standard-error';
  /** The router a retraining continued from (`TrainFromLabelsOptions.warmStart`); absent: trained from scratch. */
  warmStartedFrom?: string;
  /** Trained with a part shared by every model (`TrainFromLabelsOptions.sharedPart`). */
  sharedPart?: boolean;
  /** The AdaGrad step trained with (absent in older artifacts: DEFAULT_TRAIN_OPTIONS's). */
  learningRate?: number;
  /** The L2 was spread per epoch over each feature's rows (`TrainDataOptions.l2PerEpoch`). */
  l2PerEpoch?: boolean;
  /** AdaGrad's starting sum of squared gradients (`TrainOptions.initialAccumulator`), when one was set (absent: from 0). */
  initialAccumulator?: number;
  /** The weights averaged over each epoch's updates or over all of them (`TrainOptions.averageIterates`); absent: the last. */
  averageIterates?: IterateAveraging;
  /** A second quality model, trained so, was averaged with the first. */
  blendWith?: BlendPartner;
  /**
   * The quality model is the average of this many models, each trained on the rows outside one of as many
   * random folds (`TrainLearnedRouterOptions.averageFolds`); absent: one model trained on every row.
   */
  foldModels?: number;
  /** How the step and epochs were chosen on a validation cut, when they were (`trainLearnedRouter` without fixed ones). */
  tuning?: TuningResult;
  /** Labelled (example, model) pairs trained on (partial labels). */
  labels?: number;
  /** Those labels per model. */
  labelsPerModel?: Record<string, number>;
}

export interface TrainLearnedRouterOptions extends Omit<Partial<TrainOptions>, 'averageIterates'> {
  /**
   * The early-stopped settings' iterate averaging (`TrainOptions.averageIterates`): per epoch by default
   * when tuning (TRAINING_CANDIDATES), none with fixed settings; `'none'` turns it off, `'all'` averages
   * every update. The regularised regression never averages (it is trained to convergence).
   */
  averageIterates?: IterateAveragingChoice;
  version: string;
  dims?: number;
  /**
   * The character n-gram lengths the featurizer counts, [shortest, longest] ([2, 4] by default; [1, 0]: none,
   * words and word pairs alone). Stored in the artifact, so the served router counts the same.
   */
  charNgrams?: [number, number];
  /**
   * What the featurizer reads as a word (`letters`, any script, by default; `latin-han`: the scanner before
   * it, for comparison). Stored in the artifact, so the served router reads the same.
   */
  words?: WordScanner;
  /** Models to learn; by default every model that has an outcome on every example. */
  models?: string[];
  /** Learn from the examples' task hint too; requests then pass theirs (`hints.task`) when routed. */
  taskHint?: boolean;
  /**
   * Weight of the conversation before the prompt against the prompt (DEFAULT_CONTEXT_WEIGHT by default; 0:
   * the prompt alone). Examples without context train as before; requests then pass theirs when routed.
   */
  contextWeight?: number;
  /**
   * Choose the step and the epochs on a validation cut of the examples (`tuneLogistic`) unless `epochs` or
   * `learningRate` is given; true by default. Below MIN_EXAMPLES_TO_TUNE examples the defaults are used.
   */
  tune?: boolean;
  /**
   * Tune on a cut that holds out whole tasks (the examples' `task`) instead of random rows, when every
   * example has one and there are at least three: settings chosen for prompts of tasks training did not see.
   * `'alongside'`: that cut is one more fold beside the random ones, averaged with them.
   */
  tuneByTask?: boolean | 'alongside';
  /** Tuning's random folds drawn this many times, each another shuffle (`TuneOptions.repeats`; 1 by default). */
  tuneRepeats?: number;
  /** How tuning picks its winner (`TuneOptions.select`; `best` by default). Measured, not the default. */
  tuneSelect?: 'best' | 'regularised-within-one-se';
  /**
   * What tuning maximises on its held-out rows when they have every model's outcome: `'apgr'` (the default)
   * the routing curve's APGR; `'top'` the mean saving over 90-100% of the best model's quality, the end users
   * set targets in; `'both'` their mean. Measured, not the default (docs/benchmarks.md).
   */
  tuneFor?: TuneFor;
  /**
   * Train the quality model to convergence instead of a fixed number of epochs: until an epoch lowers the
   * mean training loss by less than CONVERGENCE_TOLERANCE (relative), at most `maxEpochs` (overrides tuning).
   */
  converge?: { maxEpochs: number };
  /**
   * Measure where the cost-aware knob lands on the validation cut (the artifact's `calibration`, needed by
   * a policy's `target`); true by default. Uses tuning's held-out predictions, or trains once more on 80%.
   */
  calibrate?: boolean;
  /**
   * Platt-scale the predicted qualities, one scale for every model, fitted on the held-out cut calibration
   * uses (off by default; needs calibration). An experiment: on MMLU-Pro it neither lowered the test
   * log-loss nor moved the routing curve, and one scale per model routed far worse (docs/benchmarks.md).
   */
  scaleQuality?: boolean;
  /** The quality model's L2 spread per epoch over the rows having each feature (see `TrainDataOptions`). */
  l2PerEpoch?: boolean;
  /**
   * AdaGrad's starting sum of squared gradients (`TrainOptions.initialAccumulator`): with fixed settings,
   * theirs; when tuning, every early-stopped candidate's instead of ADAGRAD_INITIAL_ACCUMULATOR (0: from
   * zero, as before it had one). The regularised regression keeps its own.
   */
  initialAccumulator?: number;
  /** Train a second quality model with these settings and average the two (what tuning may choose). */
  blendWith?: BlendPartner;
  /**
   * An experiment, off by default: the final quality model as the average of k models, each trained at the
   * chosen setting on the rows outside one of k random folds (`randomCuts`: tuning's folds when k is its
   * count), instead of one model on every row (0, the default). Measured on small data, where it should
   * help most, it moved APGR by +0.002 on the mean of 21 runs (docs/benchmarks.md, "Fold models averaged").
   * With `converge`, only 0.
   */
  averageFolds?: number;
  /** Train the seed's classifier head too (true by default); the cost-aware mode does not need it. */
  classifier?: boolean;
  onProgress?: (stage: string, done: number, total: number) => void;
  now?: () => Date;
}

/** What tuning maximises (`TrainLearnedRouterOptions.tuneFor`). */
export type TuneFor = 'apgr' | 'top' | 'both';

/** What the router predicts for one prompt. */
export interface LearnedPrediction {
  /** Predicted quality (probability of a good answer) per model, in artifact order. */
  quality: Float64Array;
  /** Probability that each model is the best one, in artifact order. */
  best: Float64Array;
}

/**
 * A linear head as served: its weights with the IDF weight before each feature's (`TextFeaturizer.withIdf`),
 * so a prediction is one pass over the text's features with no vector built (`scoreText`).
 */
interface ServedHead {
  loss: LinearLoss;
  rows: Float32Array;
  bias: Float64Array;
}

export class LearnedRouter {
  private readonly featurizer: TextFeaturizer;
  private readonly quality: ServedHead;
  private readonly classifier: ServedHead | undefined;
  private readonly contextWeight: number;
  private readonly qualityScale: PlattScale | undefined;
  readonly models: readonly string[];
  readonly version: string;

  constructor(readonly artifact: LearnedRouterArtifact) {
    if (artifact.format !== LEARNED_ROUTER_FORMAT)
      throw new Error(`not a learned-router artifact: format is ${String(artifact.format)}`);
    this.featurizer = new TextFeaturizer(artifact.featurizer);
    this.models = artifact.models;
    this.version = artifact.version;
    const served = (state: LinearModelState): ServedHead => {
      const model = SparseLinearModel.fromJSON(state);
      if (model.outputs !== this.models.length)
        throw new Error(`artifact ${artifact.version}: model count does not match its weights`);
      if (model.dims !== this.featurizer.dims)
        throw new Error(
          `artifact ${artifact.version}: ${model.dims} weights per output for ${this.featurizer.dims} features`,
        );
      return { loss: model.loss, rows: this.featurizer.withIdf(model.weights, model.outputs), bias: model.bias };
    };
    this.quality = served(artifact.quality);
    this.classifier = artifact.classifier ? served(artifact.classifier) : undefined;
    this.contextWeight = checkedContextWeight(artifact.features?.contextWeight ?? 0, `artifact ${artifact.version}`);
    this.qualityScale = artifact.qualityScale;
  }

  /** False for a router trained from partial labels: only the cost-aware mode can use it. */
  get hasClassifier(): boolean {
    return this.classifier !== undefined;
  }

  /**
   * Both predictions; `predictQuality` or `predictBest` alone when only one mode is in use (half the work).
   * `context` is the conversation before `text` (`contextText`), read only when `usesContext`.
   */
  predict(text: string, task?: string, context?: string): LearnedPrediction {
    const classifier = this.requireClassifier();
    return {
      quality: this.scaled(this.head(this.quality, text, task, context)),
      best: this.head(classifier, text, task, context),
    };
  }

  predictQuality(text: string, task?: string, context?: string): Pick<LearnedPrediction, 'quality'> {
    return { quality: this.scaled(this.head(this.quality, text, task, context)) };
  }

  // The quality model's raw probabilities through the Platt scale, in place (a fresh array).
  private scaled(quality: Float64Array): Float64Array {
    const scale = this.qualityScale;
    if (scale) for (let k = 0; k < quality.length; k++) quality[k] = applyPlatt(scale, quality[k]);
    return quality;
  }

  predictBest(text: string, task?: string, context?: string): Pick<LearnedPrediction, 'best'> {
    return { best: this.head(this.requireClassifier(), text, task, context) };
  }

  private requireClassifier(): ServedHead {
    if (!this.classifier)
      throw new Error(
        `artifact ${this.version} has no classifier: it was trained from partial labels; use mode cost-aware`,
      );
    return this.classifier;
  }

  /** True when the router was trained with the task hint as a feature. */
  get usesTaskHint(): boolean {
    return this.artifact.features?.taskHint === true;
  }

  /** True when the conversation before the routed message is a feature: callers need only compute it then. */
  get usesContext(): boolean {
    return this.contextWeight > 0;
  }

  /**
   * One head's predictions for a text. A task hint, or context, is a feature only for a router trained with
   * it; others ignore it.
   */
  private head(head: ServedHead, text: string, task: string | undefined, context: string | undefined): Float64Array {
    const out = new Float64Array(head.bias.length);
    this.featurizer.scoreText(
      text,
      this.usesTaskHint ? task : undefined,
      head.rows,
      out,
      context === undefined ? undefined : { text: context, weight: this.contextWeight },
    );
    for (let o = 0; o < out.length; o++) out[o] += head.bias[o];
    return activateInPlace(head.loss, out);
  }

  /**
   * Cost-aware choice among `candidates`, turned by one knob:
   * - `costWeight` w (the default way): the candidate with the highest predicted quality − w × its cost as a
   *   share of the dearest candidate's. w = 0 buys the best predicted model; larger w pays less per unit of
   *   quality. The scale makes w mean the same whatever the prices' units, so pass every model the policy
   *   could use, not only those with quota left (a missing dear model would make the rest look dearer).
   * - `tolerance` t: the cheapest candidate within t of the best predicted quality (a coarser knob: on the
   *   validation cuts of MMLU-Pro it reached the best model's quality at 5-10 points less saving).
   */
  chooseCostAware(
    prediction: Pick<LearnedPrediction, 'quality'>,
    candidates: ReadonlyArray<{ model: string; costUsd: number }>,
    knob: CostAwareKnob,
  ): LearnedChoice | undefined {
    // The candidates this router knows, each with its predicted quality: looked up once for either knob.
    const scored = candidates.flatMap((c) => {
      const i = this.models.indexOf(c.model);
      return i < 0 ? [] : [extend(c, { quality: prediction.quality[i] })];
    });
    return 'costWeight' in knob ? byCostWeight(scored, knob.costWeight) : byTolerance(scored, knob.tolerance);
  }

  /**
   * The seed's classifier: the model predicted best, if the prediction is confident enough and the model is
   * a candidate; otherwise undefined, and the caller falls back (the seed goes to premium).
   */
  chooseClassifier(
    prediction: Pick<LearnedPrediction, 'best'>,
    candidates: ReadonlySet<string>,
    threshold: number,
  ): LearnedChoice | undefined {
    this.requireClassifier();
    let best = -1;
    for (let i = 0; i < this.models.length; i++)
      if (candidates.has(this.models[i]) && (best < 0 || prediction.best[i] > prediction.best[best])) best = i;
    if (best < 0 || prediction.best[best] < threshold) return undefined;
    return {
      model: this.models[best],
      confidence: prediction.best[best],
      reason: `classifier confidence ${prediction.best[best].toFixed(3)} >= ${threshold}`,
    };
  }

  /**
   * Expected cost of a call to a model: the request's input tokens (the whole conversation, as the analyzer
   * counts them in `tokenEstimate`), the model's usual answer length and its price.
   */
  expectedCostUsd(inputTokens: number, model: string, price: { input: number; output: number }): number {
    const outputTokens = this.artifact.meanOutputTokens[model] ?? 0;
    return (inputTokens * price.input + outputTokens * price.output) / 1e6;
  }
}

/** The cost-aware mode's knob: a weight on cost (see `chooseCostAware`), or a quality tolerance. */
export type CostAwareKnob = { costWeight: number } | { tolerance: number };

export interface Scored {
  model: string;
  costUsd: number;
  quality: number;
}

/** The highest quality − costWeight × cost as a share of the dearest candidate's; ties to the cheaper. */
export function byCostWeight(scored: readonly Scored[], costWeight: number): LearnedChoice | undefined {
  let dearest = 0;
  for (const c of scored) if (c.costUsd > dearest) dearest = c.costUsd;
  const perUsd = dearest > 0 ? costWeight / dearest : 0;
  let choice: (Scored & { utility: number }) | undefined;
  for (const c of scored) {
    const utility = c.quality - perUsd * c.costUsd;
    if (!choice || utility > choice.utility || (utility === choice.utility && c.costUsd < choice.costUsd))
      choice = extend(c, { utility });
  }
  return (
    choice && {
      model: choice.model,
      confidence: choice.quality,
      reason: `predicted quality ${choice.quality.toFixed(3)} minus cost weight ${costWeight} × cost is highest`,
    }
  );
}

/** The cheapest candidate within `tolerance` of the best predicted quality; ties to the better. */
function byTolerance(scored: readonly Scored[], tolerance: number): LearnedChoice | undefined {
  let bestQuality = -Infinity;
  for (const c of scored) if (c.quality > bestQuality) bestQuality = c.quality;
  let choice: Scored | undefined;
  for (const c of scored) {
    if (c.quality < bestQuality - tolerance) continue;
    if (!choice || c.costUsd < choice.costUsd || (c.costUsd === choice.costUsd && c.quality > choice.quality))
      choice = c;
  }
  return (
    choice && {
      model: choice.model,
      confidence: choice.quality,
      reason: `predicted quality ${choice.quality.toFixed(3)} within ${tolerance} of best ${bestQuality.toFixed(3)} at lowest cost`,
    }
  );
}

export interface LearnedChoice {
  model: string;
  confidence: number;
  reason: string;
}

/** Trains both modes from outcome data. Deterministic for the same examples and seed. */
export function trainLearnedRouter(
  examples: readonly OutcomeExample[],
  options: TrainLearnedRouterOptions,
): LearnedRouterArtifact {
  const started = Date.now();
  const models = options.models ?? modelsOnEveryExample(examples);
  if (models.length < 2)
    throw new Error(
      `need outcomes of at least two models on every example to learn a router; found ${models.join(', ') || 'none'}`,
    );
  const usable = examples.filter((e) => models.every((m) => e.outcomes[m] !== undefined));
  if (usable.length === 0) throw new Error('no example has outcomes for all the models');
  // Checked before the work, not after tuning.
  const foldModels = checkedFoldModels(options.averageFolds ?? 0, usable.length, options.converge !== undefined);
  const progress = options.onProgress ?? (() => undefined);

  const meanCostUsd: Record<string, number> = {};
  const meanOutputTokens: Record<string, number> = {};
  for (const m of models) {
    meanCostUsd[m] = mean(usable.map((e) => e.outcomes[m].costUsd ?? 0));
    meanOutputTokens[m] = mean(usable.map((e) => e.outcomes[m].outputTokens ?? 0));
  }

  const { featurizer, xs, contextWeight } = fitFeatures(usable, options, progress);

  const qualityTargets = usable.map((e) => Float64Array.from(models, (m) => clamp01(e.outcomes[m].score)));
  const bestTargets = usable.map((e) => {
    // The seed's label: the best model for the prompt; among equals, the cheapest.
    let best = 0;
    for (let k = 1; k < models.length; k++) {
      const a = e.outcomes[models[k]];
      const b = e.outcomes[models[best]];
      if (
        a.score > b.score ||
        (a.score === b.score && (a.costUsd ?? meanCostUsd[models[k]]) < (b.costUsd ?? meanCostUsd[models[best]]))
      )
        best = k;
    }
    const y = new Float64Array(models.length);
    y[best] = 1;
    return y;
  });

  const train = {
    epochs: options.epochs,
    learningRate: options.learningRate,
    l2: options.l2,
    seed: options.seed,
    initialAccumulator: options.initialAccumulator,
    averageIterates: iterateAveraging(options.averageIterates),
  };
  const defined = Object.fromEntries(Object.entries(train).filter(([, v]) => v !== undefined)) as Partial<TrainOptions>;
  const classifierSettings = { ...defined };
  const tuning =
    options.tune !== false &&
    options.converge === undefined &&
    options.epochs === undefined &&
    options.learningRate === undefined &&
    usable.length >= MIN_EXAMPLES_TO_TUNE
      ? tuneLogistic(featurizer.dims, xs, qualityTargets, {
          seed: defined.seed ?? DEFAULT_TRAIN_OPTIONS.seed,
          ...(options.initialAccumulator === undefined && options.averageIterates === undefined
            ? {}
            : { candidates: candidatesWith(options.initialAccumulator, options.averageIterates) }),
          ...(options.tuneByTask ? taskGroups(usable) : {}),
          ...(options.tuneByTask === 'alongside' ? { groupsAlongside: true } : {}),
          ...(options.tuneRepeats === undefined ? {} : { repeats: options.tuneRepeats }),
          ...(options.tuneSelect === undefined ? {} : { select: options.tuneSelect }),
          ...routingScore(models, usable, meanCostUsd, options.tuneFor ?? 'apgr'),
          onProgress: progress,
        })
      : undefined;
  let l2PerEpoch = options.l2PerEpoch === true;
  let blendWith = options.blendWith;
  if (tuning) {
    defined.epochs = tuning.epochs;
    defined.learningRate = tuning.learningRate;
    defined.l2 = tuning.l2;
    if (tuning.initialAccumulator !== undefined) defined.initialAccumulator = tuning.initialAccumulator;
    if (tuning.averageIterates) defined.averageIterates = tuning.averageIterates;
    else delete defined.averageIterates;
    l2PerEpoch = tuning.l2PerEpoch === true;
    blendWith = tuning.blendWith;
  }
  const heldOut =
    options.calibrate === false || options.converge !== undefined || usable.length < MIN_EXAMPLES_TO_TUNE
      ? undefined
      : (tuning?.heldOut ??
        heldOutPredictions(
          featurizer.dims,
          xs,
          qualityTargets,
          { ...defined, ...(l2PerEpoch ? { l2PerEpoch } : {}) },
          blendWith,
          progress,
        ));
  const qualityScale = heldOut && options.scaleQuality === true ? fitQualityScale(models, usable, heldOut) : undefined;
  // The knob is calibrated on predictions as the router will serve them: scaled.
  const calibration = heldOut
    ? calibrateOnCut(models, usable, meanCostUsd, qualityScale ? scaledHeldOut(heldOut, qualityScale) : heldOut)
    : undefined;
  let epochs = options.converge?.maxEpochs ?? defined.epochs ?? DEFAULT_TRAIN_OPTIONS.epochs;
  const converge = options.converge;
  const seed = defined.seed ?? DEFAULT_TRAIN_OPTIONS.seed;
  // The quality model (and its averaged partner, when tuning chose a blend) trained on the given rows.
  const fitQuality = (rows: readonly number[] | undefined, stage: string): SparseLinearModel => {
    const fitXs = rows ? rows.map((r) => xs[r]) : xs;
    const fitYs = rows ? rows.map((r) => qualityTargets[r]) : qualityTargets;
    let previousLoss = Infinity;
    const trained = SparseLinearModel.train('logistic', featurizer.dims, fitXs, fitYs, {
      ...defined,
      ...(l2PerEpoch ? { l2PerEpoch: true } : {}),
      epochs,
      onEpoch: (e, loss) => {
        progress(stage, e, epochs);
        if (!converge) return undefined;
        const converged = hasConverged(previousLoss, loss);
        previousLoss = loss;
        if (!converged && e < converge.maxEpochs) return undefined;
        epochs = e;
        return 'stop';
      },
    });
    return blendWith
      ? SparseLinearModel.average([
          trained,
          SparseLinearModel.train('logistic', featurizer.dims, fitXs, fitYs, {
            learningRate: blendWith.learningRate,
            l2: blendWith.l2,
            ...(blendWith.l2PerEpoch ? { l2PerEpoch: true } : {}),
            seed,
            epochs: blendWith.epochs,
            onEpoch: (e) => progress(`${stage} (averaged partner)`, e, blendWith.epochs),
          }),
        ])
      : trained;
  };
  const quality =
    foldModels > 0
      ? SparseLinearModel.average(
          randomCuts(usable.length, foldModels, seed).map(({ fit }, f) =>
            fitQuality(fit, `quality model, fold ${f + 1}/${foldModels}`),
          ),
        )
      : fitQuality(undefined, 'quality model');
  const classifier =
    options.classifier === false
      ? undefined
      : // The classifier keeps the given settings, or the defaults: tuning and convergence are the quality model's.
        SparseLinearModel.train('softmax', featurizer.dims, xs, bestTargets, {
          ...classifierSettings,
          onEpoch: (e) => progress('classifier', e, classifierSettings.epochs ?? DEFAULT_TRAIN_OPTIONS.epochs),
        });

  return {
    format: LEARNED_ROUTER_FORMAT,
    version: options.version,
    createdAt: (options.now ?? (() => new Date()))().toISOString(),
    models,
    meanCostUsd,
    meanOutputTokens,
    featurizer: featurizer.toJSON(),
    quality: quality.toJSON(),
    ...(classifier ? { classifier: classifier.toJSON() } : {}),
    features: { taskHint: options.taskHint === true, contextWeight },
    training: {
      examples: usable.length,
      seconds: (Date.now() - started) / 1000,
      epochs,
      l2: defined.l2 ?? DEFAULT_TRAIN_OPTIONS.l2,
      learningRate: defined.learningRate ?? DEFAULT_TRAIN_OPTIONS.learningRate,
      ...(l2PerEpoch ? { l2PerEpoch } : {}),
      ...(defined.initialAccumulator === undefined ? {} : { initialAccumulator: defined.initialAccumulator }),
      ...(defined.averageIterates === undefined ? {} : { averageIterates: defined.averageIterates }),
      ...(blendWith ? { blendWith } : {}),
      ...(foldModels > 0 ? { foldModels } : {}),
      ...(tuning ? { tuning: withoutHeldOut(tuning) } : {}),
    },
    ...(calibration ? { calibration } : {}),
    ...(qualityScale ? { qualityScale } : {}),
  };
}

/** How a report says the quality model was averaged over fold models (`LearnedRouterTraining.foldModels`): empty if not. */
export function foldModelsNote(foldModels: number | undefined): string {
  return foldModels ? `, the quality model the average of ${foldModels} models each trained without one fold` : '';
}

/** `averageFolds` as trained with: 0, or a whole number of folds from 2 to the rows' count, without `converge`. */
function checkedFoldModels(k: number, rows: number, converge: boolean): number {
  if (!Number.isInteger(k) || k < 0 || k === 1 || k > rows)
    throw new Error(`averageFolds must be 0 or a whole number from 2 to the ${rows} examples, got ${k}`);
  if (k > 0 && converge) throw new Error('averageFolds and converge cannot be combined: converge trains on every row');
  return k;
}

/** One Platt scale for every model, fitted on the held-out predictions against the recorded scores. */
function fitQualityScale(
  models: readonly string[],
  usable: readonly OutcomeExample[],
  heldOut: HeldOutPredictions,
): PlattScale {
  return fitPlatt(
    models.flatMap((_, k) => heldOut.predictions.map((p) => p[k])),
    models.flatMap((m) => heldOut.rows.map((r) => clamp01(usable[r].outcomes[m].score))),
  );
}

function scaledHeldOut(heldOut: HeldOutPredictions, scale: PlattScale): HeldOutPredictions {
  return {
    rows: heldOut.rows,
    predictions: heldOut.predictions.map((p) => Float64Array.from(p, (q) => applyPlatt(scale, q))),
  };
}

/**
 * What tuning maximises when the data allows it: the APGR of the router's curve on the validation cut
 * (hull, recorded outcomes), normalised by the cheapest and the best model over all the examples; or, as
 * `tuneFor` says, the top band's saving (`topBandSaving`) or the mean of the two. Nothing (tuning then
 * minimises log-loss) when the best model is not both better and dearer than the cheapest.
 */
function routingScore(
  models: readonly string[],
  usable: readonly OutcomeExample[],
  meanCostUsd: Record<string, number>,
  tuneFor: TuneFor,
): Pick<TuneOptions, 'score'> {
  const names: Record<TuneFor, string> = {
    apgr: 'APGR of the routing curve on held-out rows',
    top: 'mean saving at 90-100% of the best model on held-out rows',
    both: 'mean of the APGR and the saving at 90-100% of the best model on held-out rows',
  };
  if (!Object.hasOwn(names, tuneFor))
    throw new Error(`tuneFor: "${String(tuneFor)}" is not one of ${Object.keys(names).join(', ')}`);
  const singles = models.map((m) => ({
    model: m,
    quality: mean(usable.map((e) => e.outcomes[m].score)),
    costUsd: meanCostUsd[m],
  }));
  const cheapest = singles.reduce((a, b) => (b.costUsd < a.costUsd ? b : a));
  const best = singles.reduce((a, b) =>
    b.quality > a.quality || (b.quality === a.quality && b.costUsd < a.costUsd) ? b : a,
  );
  if (!(best.quality > cheapest.quality && best.costUsd > cheapest.costUsd)) return {};
  return {
    score: {
      name: names[tuneFor],
      of: (predictions, rows) => {
        const examples = rows.map((r) => usable[r]);
        const curve = heldOutCurve(models, examples, predictions, meanCostUsd);
        const apgr = () => hullApgr(curve, cheapest, best);
        const top = () =>
          topBandSaving(upperHull(curve), {
            quality: mean(examples.map((e) => e.outcomes[best.model].score)),
            costUsd: mean(examples.map((e) => e.outcomes[best.model].costUsd ?? meanCostUsd[best.model])),
          });
        return tuneFor === 'apgr' ? apgr() : tuneFor === 'top' ? top() : (apgr() + top()) / 2;
      },
    },
  };
}

/**
 * The mean over 90%, 91%, ... 100% of `best`'s quality of the saving against `best`'s cost at which the hull
 * reaches it (0 where it does not: serving `best` itself saves nothing).
 */
export function topBandSaving(hull: readonly CostQuality[], best: CostQuality): number {
  let total = 0;
  for (let i = 0; i <= 10; i++) {
    const mix = hullMixForQuality(hull, (0.9 + i / 100) * best.quality);
    total += mix && best.costUsd > 0 ? Math.max(0, 1 - mix.costUsd / best.costUsd) : 0;
  }
  return total / 11;
}

/**
 * The tuning candidates with the early-stopped ones' AdaGrad starting from `sum` (when given) and their
 * iterates averaged as `average` says (when given; `'none'`: not at all); the regularised regression keeps
 * its own.
 */
function candidatesWith(sum: number | undefined, average: IterateAveragingChoice | undefined): TrainingCandidate[] {
  return TRAINING_CANDIDATES.map((c) => {
    if (c.l2 > 0) return c;
    const { averageIterates: averaged, ...rest } = c;
    const averaging = average === undefined ? averaged : iterateAveraging(average);
    return {
      ...rest,
      ...(sum === undefined ? {} : { initialAccumulator: sum }),
      ...(averaging ? { averageIterates: averaging } : {}),
    };
  });
}

function withoutHeldOut(tuning: TuningResult & { heldOut: HeldOutPredictions }): TuningResult {
  const { heldOut: _heldOut, ...rest } = tuning;
  return rest;
}

/** The quality model trained with `settings` on tuning's 80% cut, and its predictions on the other 20%. */
function heldOutPredictions(
  dims: number,
  xs: readonly SparseVector[],
  ys: readonly Float64Array[],
  settings: Partial<TrainOptions> & { l2PerEpoch?: boolean },
  blendWith: BlendPartner | undefined,
  progress: (stage: string, done: number, total: number) => void,
): HeldOutPredictions {
  const { fit, validation } = validationCut(xs.length, settings.seed ?? DEFAULT_TRAIN_OPTIONS.seed);
  const fitXs = fit.map((r) => xs[r]);
  const fitYs = fit.map((r) => ys[r]);
  const epochs = settings.epochs ?? DEFAULT_TRAIN_OPTIONS.epochs;
  const first = SparseLinearModel.train('logistic', dims, fitXs, fitYs, {
    ...settings,
    onEpoch: (e) => progress('calibration model', e, epochs),
  });
  const model = blendWith
    ? SparseLinearModel.average([
        first,
        SparseLinearModel.train('logistic', dims, fitXs, fitYs, {
          ...blendWith,
          seed: settings.seed ?? DEFAULT_TRAIN_OPTIONS.seed,
          onEpoch: (e) => progress('calibration model (averaged partner)', e, blendWith.epochs),
        }),
      ])
    : first;
  return { rows: validation, predictions: validation.map((r) => model.predict(xs[r])) };
}

function calibrateOnCut(
  models: readonly string[],
  usable: readonly OutcomeExample[],
  meanCostUsd: Record<string, number>,
  heldOut: HeldOutPredictions,
): RouterCalibration {
  // The choices weigh the cost the served router will expect, fitted on every training row
  // (`pricedAsServed`); tuning's scores keep the recorded costs (docs/benchmarks.md, "The calibration priced
  // as served").
  return calibrate(
    models,
    heldOut.rows.map((r) => usable[r]),
    heldOut.predictions,
    meanCostUsd,
    pricedAsServed(models, usable),
  );
}

/**
 * The featurizer fitted on the examples' texts (and task hints, with `taskHint`) and every example's
 * features (with its context at `contextWeight`, DEFAULT_CONTEXT_WEIGHT when not given), with progress every
 * thousand; 2^18 dimensions unless `dims` says otherwise. The IDF weights come from the texts alone: context
 * is featurised in their space, as requests' context will be. Returns the context weight used too.
 */
export function fitFeatures(
  examples: ReadonlyArray<{ text: string; task?: string; context?: string }>,
  settings: {
    dims?: number;
    taskHint?: boolean;
    contextWeight?: number;
    charNgrams?: [number, number];
    words?: WordScanner;
  },
  progress: (stage: string, done: number, total: number) => void,
): { featurizer: TextFeaturizer; xs: SparseVector[]; contextWeight: number } {
  const dims = settings.dims ?? 1 << 18;
  const charNgrams = settings.charNgrams;
  if (
    charNgrams !== undefined &&
    !(Number.isInteger(charNgrams[0]) && Number.isInteger(charNgrams[1]) && charNgrams[0] >= 1 && charNgrams[1] <= 8)
  )
    throw new Error(`charNgrams must be whole lengths [shortest >= 1, longest <= 8], got [${charNgrams.join(', ')}]`);
  const taskHint = settings.taskHint === true;
  const contextWeight = checkedContextWeight(settings.contextWeight ?? DEFAULT_CONTEXT_WEIGHT, 'contextWeight');
  progress('features', 0, examples.length);
  const taskOf = (e: { task?: string }) => (taskHint ? e.task : undefined);
  const featurizer = TextFeaturizer.fit(
    examples.map((e) => e.text),
    dims,
    charNgrams,
    examples.map(taskOf),
    settings.words,
  );
  return { featurizer, xs: featuresOf(featurizer, examples, { taskHint, contextWeight }, progress), contextWeight };
}

/**
 * The examples' feature vectors under a featurizer already fitted (`fitFeatures` fits one; a warm start reuses
 * its router's), the task hint and context counted as `features` says.
 */
export function featuresOf(
  featurizer: TextFeaturizer,
  examples: ReadonlyArray<{ text: string; task?: string; context?: string }>,
  features: { taskHint: boolean; contextWeight: number },
  progress: (stage: string, done: number, total: number) => void,
): SparseVector[] {
  const xs = examples.map((e, i) => {
    if (i % 1000 === 0) progress('features', i, examples.length);
    return featurizer.transform(
      e.text,
      features.taskHint ? e.task : undefined,
      e.context === undefined ? undefined : { text: e.context, weight: features.contextWeight },
    );
  });
  progress('features', examples.length, examples.length);
  return xs;
}

/** Models with an outcome on every example, sorted: the ones a router can learn. */
export function modelsOnEveryExample(examples: readonly Pick<OutcomeExample, 'outcomes'>[]): string[] {
  if (examples.length === 0) return [];
  const counts = new Map<string, number>();
  for (const e of examples) for (const m of Object.keys(e.outcomes)) counts.set(m, (counts.get(m) ?? 0) + 1);
  return [...counts]
    .filter(([, n]) => n === examples.length)
    .map(([m]) => m)
    .sort();
}

/** The examples' tasks as tuning's groups, when every example has one and there are at least three. */
function taskGroups(examples: readonly OutcomeExample[]): { groups?: string[] } {
  const groups = examples.map((e) => e.task);
  if (groups.some((g) => g === undefined) || new Set(groups).size < 3) return {};
  return { groups: groups as string[] };
}

function checkedContextWeight(weight: number, what: string): number {
  if (!(Number.isFinite(weight) && weight >= 0))
    throw new Error(`${what}: the context weight must be a finite number >= 0, got ${weight}`);
  return weight;
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

function clamp01(x: number): number {
  return Math.min(Math.max(x, 0), 1);
}
