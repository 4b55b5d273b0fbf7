import {
  LEARNED_ROUTER_FORMAT,
  type LearnedRouterArtifact,
  type LearnedRouterTraining,
  type OutcomeExample,
  featuresOf,
  fitFeatures,
} from './learned-router';
import {
  DEFAULT_TRAIN_OPTIONS,
  type IterateAveragingChoice,
  SparseLinearModel,
  type TrainOptions,
  iterateAveraging,
} from './sparse-linear-model';
import { TextFeaturizer } from './text-features';
import { ADAGRAD_INITIAL_ACCUMULATOR, labelLogLosses, meanConcordance, meanLoss, validationCut } from './tune-training';

/**
 * One prompt with a quality label for some of the models: in production only the model that answered has
 * one. An `OutcomeExample` (every model labelled) is the special case; see `labelledFromOutcomes`.
 */
export interface LabelledExample {
  text: string;
  /** The request's task hint, a feature when trained with `taskHint`. */
  task?: string;
  /** The conversation before the prompt (`contextText`), a feature at `contextWeight`, if any. */
  context?: string;
  /** Any non-empty subset of the models; `score` in 0..1 (clamped), a non-finite score counts as no label. */
  labels: Record<string, { score: number; costUsd?: number; outputTokens?: number }>;
  /**
   * How much the row counts against the others (its gradient is multiplied by it); 1 when absent. A seed
   * dataset's rows can count less than production's. Finite and above 0.
   */
  weight?: number;
}

export interface TrainFromLabelsOptions {
  version: string;
  /** The policy's models, in order: the artifact's outputs. A model may have no label at all. */
  models: string[];
  /** A model's cost per prompt when no label carries one (the artifact's `meanCostUsd`); else 0. */
  expectedCostUsd?: Record<string, number>;
  /** A model's answer length when no label carries one (the artifact's `meanOutputTokens`); else 0. */
  expectedOutputTokens?: Record<string, number>;
  /** Hashed feature dimensions, a power of two; 1 << 18 by default. */
  dims?: number;
  /** Fixed epochs; when absent they are chosen on a validation cut among `epochCandidates`. */
  epochs?: number;
  /** The epochs tried when none are fixed, whole numbers from 1 (EPOCH_CANDIDATES by default). */
  epochCandidates?: readonly number[];
  /**
   * What chooses among them on the validation cut: the least log-loss (the default), or the best
   * concordance (`meanConcordance`: how each model's predictions order its labelled rows). Measured, and
   * not the default: +0.011 APGR over 19 runs, 5 up and 3 down, the falls on graded labels
   * (docs/benchmarks.md, "The nightly retraining's AdaGrad").
   */
  chooseEpochsBy?: 'log-loss' | 'concordance';
  /**
   * How log-loss chooses the passes: the least (`least`, the default from scratch), or the fewest within one
   * standard error of the least, paired by label (`one-standard-error`, the default of a warm start: its
   * fewest is 0, the router as it is, kept unless training clearly does better on the held-out labels).
   */
  epochsRule?: 'least' | 'one-standard-error';
  learningRate?: number;
  l2?: number;
  /**
   * AdaGrad's starting sum of squared gradients (`TrainOptions.initialAccumulator`):
   * ADAGRAD_INITIAL_ACCUMULATOR by default, as the offline trainer's (0: from zero, as before). Measured on
   * logs of one label a row (train-from-labels.experiment.ts): +0.040 APGR over 12 runs against a zero
   * start (docs/benchmarks.md, "The nightly retraining's AdaGrad").
   */
  initialAccumulator?: number;
  /**
   * The weights averaged over each epoch's updates or all of them (`TrainOptions.averageIterates`); absent or
   * 'none' (the default): the last. Measured, and not the default here: its passes are longer than the offline
   * trainer's early-stopped ones, and averaging moved APGR by -0.018 on the same runs.
   */
  averageIterates?: IterateAveragingChoice;
  seed?: number;
  /** Pseudo-labels pulling each model's starting quality toward the mean of all labels; 10 by default. */
  priorStrength?: number;
  /** Learn from the examples' task hint too. */
  taskHint?: boolean;
  /**
   * Weight of the examples' context against their prompt (DEFAULT_CONTEXT_WEIGHT by default, as
   * `trainLearnedRouter`; 0: the prompt alone). Examples without context train as before.
   */
  contextWeight?: number;
  /**
   * A router to continue from (a warm start), usually the one in force: its featurizer (IDF weights, dims),
   * task hint and context weight are kept, each model it has starts from its weights and bias, a model it
   * lacks from zero as without one; AdaGrad's sums start afresh, at WARM_START_LEARNING_RATE unless told,
   * and the passes are WARM_START_EPOCH_CANDIDATES' under `epochsRule` 'one-standard-error' unless told.
   * `dims`, `taskHint` and `contextWeight`, when given, must be the router's. Recorded as
   * `training.warmStartedFrom`.
   */
  warmStart?: LearnedRouterArtifact;
  /**
   * Each model's weights as its own plus a part shared by all models (`TrainDataOptions.sharedPart`). Measured
   * on one label a row, and off by default: -0.003 APGR over 15 runs (docs/benchmarks.md, "The retraining
   * continued from the router in force").
   */
  sharedPart?: boolean;
  onProgress?: (stage: string, done: number, total: number) => void;
  now?: () => Date;
}

/** Epochs tried when none are given: few passes are the norm for hashed n-grams (see DEFAULT_TRAIN_OPTIONS). */
export const EPOCH_CANDIDATES: readonly number[] = [1, 2, 4, 8];
/**
 * The AdaGrad step of a warm start unless told: a quarter of the cold one. Measured with
 * warm-start.experiment.ts (docs/benchmarks.md, "The retraining continued from the router in force"): at the
 * cold step the passes chosen by log-loss took the router far from what it knew.
 */
export const WARM_START_LEARNING_RATE = 0.005;
/** A warm start's epochs tried when none are given: 0 keeps the router as it is, when no pass does clearly better. */
export const WARM_START_EPOCH_CANDIDATES: readonly number[] = [0, ...EPOCH_CANDIDATES];
/** Below this many examples a 20% cut is too noisy to choose on; the default epochs are used. */
export const MIN_EXAMPLES_TO_CHOOSE_EPOCHS = 200;
const DEFAULT_PRIOR_STRENGTH = 10;

/** Full outcomes as labels: every model labelled. */
export function labelledFromOutcomes(examples: readonly OutcomeExample[]): LabelledExample[] {
  return examples.map((e) => ({
    text: e.text,
    ...(e.task === undefined ? {} : { task: e.task }),
    ...(e.context === undefined ? {} : { context: e.context }),
    labels: e.outcomes,
  }));
}

/**
 * Trains the cost-aware quality model (no classifier: the best model of a prompt is unknown when one model
 * answered it) from partial labels: one logistic output per model, trained only on the rows that label it.
 * Epochs, unless given, are the candidate with the lowest validation log-loss on a seeded 20% cut, then the
 * model is retrained on everything. Deterministic for the same examples and seed.
 */
export function trainRouterFromLabels(
  examples: readonly LabelledExample[],
  options: TrainFromLabelsOptions,
): LearnedRouterArtifact {
  const started = Date.now();
  const models = options.models;
  if (models.length < 2)
    throw new Error(`need at least two models to learn a router; got ${models.join(', ') || 'none'}`);
  if (new Set(models).size !== models.length) throw new Error(`models are listed twice: ${models.join(', ')}`);
  if (examples.length === 0) throw new Error('no labelled examples to train on');
  const usable = examples.filter((e) => models.some((m) => isLabel(e.labels[m])));
  if (usable.length === 0)
    throw new Error(`none of the ${examples.length} examples has a label for any of ${models.join(', ')}`);
  const progress = options.onProgress ?? (() => undefined);
  // Ascending, so a tie keeps the fewer epochs; a warm start may keep its router as it is (0 epochs).
  const fewest = options.warmStart ? 0 : 1;
  const epochCandidates = [
    ...(options.epochCandidates ?? (options.warmStart ? WARM_START_EPOCH_CANDIDATES : EPOCH_CANDIDATES)),
  ].sort((a, b) => a - b);
  if (epochCandidates.length === 0 || !epochCandidates.every((e) => Number.isInteger(e) && e >= fewest))
    throw new Error(
      `epochCandidates must be whole numbers from ${fewest}${fewest ? ' (0 with a warm start)' : ''}; got [${epochCandidates.join(', ')}]`,
    );
  const initialAccumulator = options.initialAccumulator ?? ADAGRAD_INITIAL_ACCUMULATOR;
  if (!(Number.isFinite(initialAccumulator) && initialAccumulator >= 0))
    throw new Error(`initialAccumulator must be finite and 0 or above; got ${initialAccumulator}`);

  const labelsPerModel: Record<string, number> = {};
  const meanCostUsd: Record<string, number> = {};
  const meanOutputTokens: Record<string, number> = {};
  for (const m of models) {
    const labels = usable.flatMap((e) => (isLabel(e.labels[m]) ? [e.labels[m]] : []));
    labelsPerModel[m] = labels.length;
    meanCostUsd[m] = meanOf(labels.map((l) => l.costUsd)) ?? options.expectedCostUsd?.[m] ?? 0;
    meanOutputTokens[m] = meanOf(labels.map((l) => l.outputTokens)) ?? options.expectedOutputTokens?.[m] ?? 0;
  }

  const warm = options.warmStart;
  const { featurizer, xs, contextWeight } = warm
    ? warmFeatures(warm, usable, options, progress)
    : fitFeatures(usable, options, progress);
  const start = warm && {
    model: SparseLinearModel.fromJSON(warm.quality),
    from: models.map((m) => warm.models.indexOf(m)),
  };
  // NaN marks "no label for this model on this prompt": the model learns nothing from the row.
  const ys = usable.map((e) =>
    Float64Array.from(models, (m) => (isLabel(e.labels[m]) ? clamp01(e.labels[m].score) : NaN)),
  );

  const averageIterates = iterateAveraging(options.averageIterates);
  const base: Partial<TrainOptions> & { priorStrength: number } = {
    learningRate: options.learningRate ?? (warm ? WARM_START_LEARNING_RATE : DEFAULT_TRAIN_OPTIONS.learningRate),
    l2: options.l2 ?? DEFAULT_TRAIN_OPTIONS.l2,
    seed: options.seed ?? DEFAULT_TRAIN_OPTIONS.seed,
    priorStrength: options.priorStrength ?? DEFAULT_PRIOR_STRENGTH,
    initialAccumulator,
    ...(averageIterates === undefined ? {} : { averageIterates }),
  };
  for (const e of usable)
    if (e.weight !== undefined && !(Number.isFinite(e.weight) && e.weight > 0))
      throw new Error(`an example's weight must be finite and above 0; got ${e.weight}`);
  // Without any weight other than 1 the rows go unweighted: the same arithmetic as before weights existed.
  const weighted = usable.some((e) => e.weight !== undefined && e.weight !== 1);
  const train = (rows: readonly number[], epochs: number, stage: string) =>
    SparseLinearModel.train(
      'logistic',
      featurizer.dims,
      rows.map((r) => xs[r]),
      rows.map((r) => ys[r]),
      {
        ...base,
        epochs,
        onEpoch: (e) => progress(stage, e, epochs),
        ...(weighted ? { weights: Float64Array.from(rows, (r) => usable[r].weight ?? 1) } : {}),
        ...(start ? { start } : {}),
        ...(options.sharedPart ? { sharedPart: true } : {}),
      },
    );

  const epochsRule = options.epochsRule ?? (warm ? 'one-standard-error' : 'least');
  let epochs = options.epochs ?? DEFAULT_TRAIN_OPTIONS.epochs;
  let validationLogLoss: number | undefined;
  if (options.epochs === undefined && usable.length >= MIN_EXAMPLES_TO_CHOOSE_EPOCHS) {
    const { fit, validation } = validationCut(usable.length, base.seed ?? 0);
    const valXs = validation.map((r) => xs[r]);
    const valYs = validation.map((r) => ys[r]);
    let bestScore = -Infinity;
    const tried: Array<{ epochs: number; loss: number; losses: Float64Array }> = [];
    for (const candidate of epochCandidates) {
      const model = train(fit, candidate, `validation ${candidate} epochs`);
      const predictions = valXs.map((x) => model.predict(x));
      const losses = labelLogLosses(predictions, valYs);
      const loss = meanLoss(losses);
      tried.push({ epochs: candidate, loss, losses });
      const score = options.chooseEpochsBy === 'concordance' ? meanConcordance(predictions, valYs) : -loss;
      // Ties keep the fewer epochs: cheaper, and less to overfit.
      if (score > bestScore) {
        bestScore = score;
        validationLogLoss = loss;
        epochs = candidate;
      }
    }
    if (epochsRule === 'one-standard-error' && options.chooseEpochsBy !== 'concordance') {
      // The fewest passes whose labels' log-loss is within one standard error of the least's (paired by label).
      const best = tried.find((t) => t.epochs === epochs) as (typeof tried)[number];
      const fewest = tried.find((t) => t.epochs <= best.epochs && withinOneStandardError(t.losses, best.losses));
      if (fewest) {
        epochs = fewest.epochs;
        validationLogLoss = fewest.loss;
      }
    }
  }
  const quality = train(Array.from(usable.keys()), epochs, 'quality model');

  let labels = 0;
  for (const m of models) labels += labelsPerModel[m];
  const training: LearnedRouterTraining = {
    examples: usable.length,
    seconds: (Date.now() - started) / 1000,
    epochs,
    l2: base.l2 ?? DEFAULT_TRAIN_OPTIONS.l2,
    chosenEpochs: epochs,
    labels,
    labelsPerModel,
    learningRate: base.learningRate ?? DEFAULT_TRAIN_OPTIONS.learningRate,
    initialAccumulator,
    ...(averageIterates === undefined ? {} : { averageIterates }),
    ...(warm ? { warmStartedFrom: warm.version } : {}),
    ...(options.sharedPart ? { sharedPart: true } : {}),
  };
  if (validationLogLoss !== undefined) {
    training.validationLogLoss = validationLogLoss;
    training.epochsChosenBy = options.chooseEpochsBy ?? 'log-loss';
    if (epochsRule === 'one-standard-error' && training.epochsChosenBy === 'log-loss')
      training.epochsRule = 'one-standard-error';
  }
  return {
    format: LEARNED_ROUTER_FORMAT,
    version: options.version,
    createdAt: (options.now ?? (() => new Date()))().toISOString(),
    models: [...models],
    meanCostUsd,
    meanOutputTokens,
    featurizer: featurizer.toJSON(),
    quality: quality.toJSON(),
    features: { taskHint: warm ? warm.features?.taskHint === true : options.taskHint === true, contextWeight },
    training,
  };
}

type Label = LabelledExample['labels'][string];

/** Whether the mean of `a − b` (paired) is at most one standard error of that mean. */
export function withinOneStandardError(a: Float64Array, b: Float64Array): boolean {
  const n = a.length;
  if (n !== b.length) throw new Error(`paired losses of different lengths: ${n} and ${b.length}`);
  if (n < 2) return true;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += (a[i] - b[i]) / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (a[i] - b[i] - mean) ** 2;
  return mean <= Math.sqrt(ss / (n - 1) / n);
}

/** The features of a warm start: its router's featurizer and inputs, refusing options that say otherwise. */
function warmFeatures(
  warm: LearnedRouterArtifact,
  examples: readonly LabelledExample[],
  options: TrainFromLabelsOptions,
  progress: (stage: string, done: number, total: number) => void,
): ReturnType<typeof fitFeatures> {
  if (warm.quality.loss !== 'logistic')
    throw new Error(
      `router ${warm.version} cannot be a warm start: its quality model is ${warm.quality.loss}, not logistic`,
    );
  const taskHint = warm.features?.taskHint === true;
  const contextWeight = warm.features?.contextWeight ?? 0;
  const differs = [
    options.dims !== undefined &&
      options.dims !== warm.featurizer.dims &&
      `dims ${options.dims} (it has ${warm.featurizer.dims})`,
    options.taskHint !== undefined &&
      options.taskHint !== taskHint &&
      `taskHint ${options.taskHint} (it has ${taskHint})`,
    options.contextWeight !== undefined &&
      options.contextWeight !== contextWeight &&
      `contextWeight ${options.contextWeight} (it has ${contextWeight})`,
  ].filter((d): d is string => typeof d === 'string');
  if (differs.length > 0)
    throw new Error(`a warm start from router ${warm.version} keeps its features; asked for ${differs.join(', ')}`);
  const featurizer = new TextFeaturizer(warm.featurizer);
  return { featurizer, xs: featuresOf(featurizer, examples, { taskHint, contextWeight }, progress), contextWeight };
}

function isLabel(label: Label | undefined): label is Label {
  return label !== undefined && Number.isFinite(label.score);
}

function meanOf(values: ReadonlyArray<number | undefined>): number | undefined {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (v === undefined || !Number.isFinite(v)) continue;
    sum += v;
    n++;
  }
  return n > 0 ? sum / n : undefined;
}

function clamp01(x: number): number {
  return Math.min(Math.max(x, 0), 1);
}
