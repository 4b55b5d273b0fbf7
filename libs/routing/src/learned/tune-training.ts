import { type IterateAveraging, SparseLinearModel, mulberry32 } from './sparse-linear-model';
import type { SparseVector } from './text-features';

/** One training setting tuning may choose (with the number of epochs). */
export interface TrainingCandidate {
  learningRate: number;
  l2: number;
  /** L2 spread over the rows having each feature (see `TrainDataOptions.l2PerEpoch`). */
  l2PerEpoch?: boolean;
  /**
   * Trained until an epoch improves the training loss by under CONVERGENCE_TOLERANCE (relative) instead of
   * stopped early on the score: its epochs are the last every fold ran.
   */
  converge?: boolean;
  /** `TrainOptions.initialAccumulator`: AdaGrad's starting sum of squared gradients. */
  initialAccumulator?: number;
  /** `TrainOptions.averageIterates`: the weights averaged over each epoch's updates, or over all of them. */
  averageIterates?: IterateAveraging;
}

/**
 * AdaGrad's starting sum of squared gradients for the early-stopped candidates (`TrainOptions
 * .initialAccumulator`; Keras starts it at 0.1, PyTorch at 0). From 0, a weight's first update is the full
 * step whatever its gradient: a feature seen in one or two rows (a subject's own vocabulary) weighs as much
 * as a common one, and on prompts of a subject the router never trained on those weights carry over worst.
 * From 0.01, a weight whose gradients are the size a prompt's TF-IDF values give (a few hundredths: a
 * prompt has hundreds of features and unit length) moves by a fraction of the step until its squared
 * gradients add up to about 0.01, over many rows; a common feature's later steps barely change. Measured against 0 and 0.001 in docs/benchmarks.md
 * ("AdaGrad's starting sum").
 */
export const ADAGRAD_INITIAL_ACCUMULATOR = 0.01;

/**
 * Settings tried when tuning: AdaGrad steps without L2 (early stopping is the regulariser: 0.02 for two
 * epochs was MMLU-Pro's pick; 0.2 was tried too and scored last on every dataset), each epoch's model the
 * average of the weights after each of its updates (docs/benchmarks.md, "Iterates averaged"), and one logistic
 * regression regularised as scikit-learn's default (C = 1), which holds up better on a few hundred rows;
 * then the best of the first kind averaged with the second (see `tuneLogistic`).
 */
export const TRAINING_CANDIDATES: readonly TrainingCandidate[] = [
  { learningRate: 0.02, l2: 0, initialAccumulator: ADAGRAD_INITIAL_ACCUMULATOR, averageIterates: 'epoch' },
  { learningRate: 0.05, l2: 0, initialAccumulator: ADAGRAD_INITIAL_ACCUMULATOR, averageIterates: 'epoch' },
  { learningRate: 0.1, l2: 0, initialAccumulator: ADAGRAD_INITIAL_ACCUMULATOR, averageIterates: 'epoch' },
  { learningRate: 0.1, l2: 1, l2PerEpoch: true, converge: true },
];
/** An epoch improving the training loss by less than this share has converged. */
export const CONVERGENCE_TOLERANCE = 1e-3;

/** True when an epoch's mean training loss improved on the previous epoch's by less than CONVERGENCE_TOLERANCE. */
export function hasConverged(previousLoss: number, loss: number): boolean {
  return previousLoss - loss < CONVERGENCE_TOLERANCE * previousLoss;
}
/** How far apart the shuffle seeds of repeated fold draws are (`TuneOptions.repeats`). */
const REPEAT_SEED_STEP = 7919;
/** Most passes a tuned training may make; early stopping usually ends it well before. */
export const MAX_TUNED_EPOCHS = 32;
/** Epochs without a better validation score before a fold stops. */
export const EARLY_STOPPING_PATIENCE = 2;
/** Below this many examples there is too little to choose on: the defaults are used. */
export const MIN_EXAMPLES_TO_TUNE = 200;
const VALIDATION_SHARE = 0.2;

/**
 * Folds to tune on: one 80/20 cut on large data; on small data, where one cut's score is mostly noise (a
 * 200-row cut of MMLU-Pro chose a step that lost a third of the saving), k folds averaged, every row
 * validated once. Training costs the same order either way: small data trains fast.
 */
export function tuningFolds(n: number): number {
  return n < 2500 ? 5 : n < 6000 ? 3 : 1;
}

/** A second setting whose model is averaged with the first (their logits: one linear model, weights averaged). */
export interface BlendPartner extends TrainingCandidate {
  epochs: number;
}

/** One candidate setting, trained with early stopping on each fold, scored by the mean over folds. */
export interface TuningTrial extends TrainingCandidate {
  /** The blend trial: this setting's model averaged with the partner's. */
  blendWith?: BlendPartner;
  /** The epoch with the best mean validation score. */
  epochs: number;
  /** Mean over folds at that epoch. */
  validationLogLoss: number;
  /** Mean over folds at that epoch, when a routing score was given (`TuneOptions.score`). */
  validationScore?: number;
  /** Epochs every fold ran (best + patience, or the cap). */
  epochsRun: number;
}

/** What tuning chose, and every trial, for the artifact's training record. */
export interface TuningResult extends TrainingCandidate {
  /** When the blend won: the model to train besides and average with. */
  blendWith?: BlendPartner;
  epochs: number;
  validationLogLoss: number;
  /** What was maximised: `score`'s name, or `-log-loss`. */
  criterion: string;
  validationScore?: number;
  trials: TuningTrial[];
  /** Folds the score was averaged over (1: one 80/20 cut). */
  folds: number;
  /** Rows validated on (over all folds). */
  validationExamples: number;
  /** With `groups`: the groups the cut held out, sorted. */
  heldOutGroups?: string[];
}

/** The rows tuning held out, with the chosen setting's predictions on them (what calibration replays). */
export interface HeldOutPredictions {
  /** Indices of the held-out rows in the rows given. */
  rows: number[];
  /** Per held-out row, the predicted probability per output, at the chosen setting's best epoch. */
  predictions: Float64Array[];
}

export interface TuneOptions {
  seed: number;
  priorStrength?: number;
  candidates?: readonly TrainingCandidate[];
  maxEpochs?: number;
  /** Folds; `tuningFolds(rows)` by default. */
  folds?: number;
  /**
   * The random folds drawn this many times, each draw another shuffle (1 by default): every setting is
   * scored on repeats × folds held-out cuts, so the choice rests less on how one shuffle fell. Calibration
   * replays the first draw's held-out rows (every row once).
   */
  repeats?: number;
  /**
   * Each row's group (a task): when given, one cut that holds out whole groups (`groupCut`) instead, so the
   * setting is chosen for prompts of groups it did not train on.
   */
  groups?: readonly string[];
  /**
   * With `groups`: the group cut is one more fold beside the usual random ones (averaged with them, weight
   * 1/(folds + 1)) instead of replacing them; calibration keeps the random folds' held-out rows only.
   */
  groupsAlongside?: boolean;
  /**
   * What to maximise on a fold instead of minus the log-loss: given the predictions for the fold's rows
   * (indices into the rows given), a number, higher better (e.g. the routing curve's APGR).
   */
  score?: { name: string; of: (predictions: readonly Float64Array[], rows: readonly number[]) => number };
  /**
   * How the winner is picked: `best` (the default) the best mean score; `regularised-within-one-se` the
   * regularised regression instead when the best's lead over it, paired fold by fold, is within one standard
   * error of that mean (folds ≥ 2; the simpler model unless the folds say otherwise). Measured, not the default.
   */
  select?: 'best' | 'regularised-within-one-se';
  onProgress?: (stage: string, done: number, total: number) => void;
}

/**
 * The training setting and the number of passes for a logistic quality model, chosen on held-out folds of
 * the training rows (never on test data): each candidate trains on each fold's complement until the fold's
 * score has not improved for `EARLY_STOPPING_PATIENCE` epochs; the epoch with the best mean score over the
 * folds is the candidate's, and the best candidate wins (ties: the earlier one, then fewer epochs). The
 * caller retrains on every row with the result. The score is what the router is for when the data allows
 * it (`score`: the routing curve's APGR, with full outcomes), else minus the log-loss: on MMLU-Pro the
 * log-loss chose 14 epochs, whose curve was worse on the test part than 2 epochs' (APGR 1.13 against 1.19).
 */
export function tuneLogistic(
  dims: number,
  xs: readonly SparseVector[],
  ys: readonly Float64Array[],
  options: TuneOptions,
): TuningResult & { heldOut: HeldOutPredictions } {
  const k = options.folds ?? tuningFolds(xs.length);
  const repeats = options.repeats ?? 1;
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new Error(`repeats must be a whole number from 1, got ${repeats}`);
  // The first draw is the one without repeats (seed as given): repeats add folds, they do not move these.
  const randomFolds = () =>
    Array.from({ length: repeats }, (_, r) => randomCuts(xs.length, k, options.seed + REPEAT_SEED_STEP * r)).flat();
  const folds = options.groups
    ? [...(options.groupsAlongside ? randomFolds() : []), groupCut(options.groups, options.seed)]
    : randomFolds();
  // The folds whose held-out rows calibration replays: every row once (the first draw's random folds).
  const firstDraw = k <= 1 ? 1 : k;
  const calibrationFolds = options.groups && !options.groupsAlongside ? folds.length : firstDraw;
  const maxEpochs = options.maxEpochs ?? MAX_TUNED_EPOCHS;
  const trials: Array<TuningTrial & { predictions: Float64Array[][][]; foldScores: number[] }> = [];
  for (const candidate of options.candidates ?? TRAINING_CANDIDATES) {
    // Per fold: the score, the log-loss and the predictions after each epoch.
    const perFold = folds.map(({ fit, validation }, f) => {
      const valXs = validation.map((r) => xs[r]);
      const valYs = validation.map((r) => ys[r]);
      const scores: number[] = [];
      const losses: number[] = [];
      const predictionsByEpoch: Float64Array[][] = [];
      let bestEpoch = 0;
      let previousLoss = Infinity;
      SparseLinearModel.train(
        'logistic',
        dims,
        fit.map((r) => xs[r]),
        fit.map((r) => ys[r]),
        {
          learningRate: candidate.learningRate,
          l2: candidate.l2,
          ...(candidate.l2PerEpoch ? { l2PerEpoch: true } : {}),
          ...(candidate.initialAccumulator === undefined ? {} : { initialAccumulator: candidate.initialAccumulator }),
          ...(candidate.averageIterates ? { averageIterates: candidate.averageIterates } : {}),
          seed: options.seed,
          epochs: maxEpochs,
          ...(options.priorStrength === undefined ? {} : { priorStrength: options.priorStrength }),
          onEpoch: (epoch, trainingLoss, model) => {
            const predictions = valXs.map((x) => model.predict(x));
            const loss = meanLogLoss(predictions, valYs);
            const score = options.score ? options.score.of(predictions, validation) : -loss;
            scores.push(score);
            losses.push(loss);
            predictionsByEpoch.push(predictions);
            options.onProgress?.(
              `tuning ${describeCandidate(candidate)}${folds.length > 1 ? `, fold ${f + 1}/${folds.length}` : ''}`,
              epoch,
              maxEpochs,
            );
            if (candidate.converge) {
              // Trained to convergence, as the plain regression it is: not stopped on the score.
              const converged = hasConverged(previousLoss, trainingLoss);
              previousLoss = trainingLoss;
              return converged ? 'stop' : undefined;
            }
            if (score > (scores[bestEpoch - 1] ?? -Infinity)) bestEpoch = epoch;
            return epoch - bestEpoch >= EARLY_STOPPING_PATIENCE ? 'stop' : undefined;
          },
        },
      );
      return { scores, losses, predictionsByEpoch };
    });
    const ran = Math.min(...perFold.map((f) => f.scores.length));
    let best = 0;
    const meanAt = (key: 'scores' | 'losses', e: number) =>
      perFold.reduce((sum, f) => sum + f[key][e], 0) / perFold.length;
    if (candidate.converge) best = ran - 1;
    else for (let e = 1; e < ran; e++) if (meanAt('scores', e) > meanAt('scores', best)) best = e;
    trials.push({
      ...candidate,
      epochs: best + 1,
      validationLogLoss: meanAt('losses', best),
      ...(options.score ? { validationScore: meanAt('scores', best) } : {}),
      epochsRun: ran,
      predictions: perFold.map((f) => f.predictionsByEpoch),
      foldScores: perFold.map((f) => f.scores[best]),
    });
  }
  // The best early-stopped setting and the best regularised one, their logits averaged: one linear model
  // (the mean of the two's weights), so it costs nothing more to serve. Scored on the same folds. The
  // regularised candidate is the logistic-regression baseline itself, so tuning weighs the router against
  // the baseline and their blend on held-out rows, and keeps the best of the three.
  const plain = best(trials.filter((t) => !t.l2PerEpoch));
  const regularised = best(trials.filter((t) => t.l2PerEpoch === true));
  if (plain && regularised) {
    const blended = folds.map((_, f) =>
      plain.predictions[f][plain.epochs - 1].map((p, i) =>
        averageLogits(p, regularised.predictions[f][regularised.epochs - 1][i]),
      ),
    );
    const scores = folds.map(({ validation }, f) =>
      options.score
        ? options.score.of(blended[f], validation)
        : -meanLogLoss(
            blended[f],
            validation.map((r) => ys[r]),
          ),
    );
    const losses = folds.map(({ validation }, f) =>
      meanLogLoss(
        blended[f],
        validation.map((r) => ys[r]),
      ),
    );
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const { predictions: _p, foldScores: _s, ...partner } = regularised;
    trials.push({
      ...plain,
      validationLogLoss: mean(losses),
      ...(options.score ? { validationScore: mean(scores) } : {}),
      blendWith: {
        learningRate: partner.learningRate,
        l2: partner.l2,
        ...(partner.l2PerEpoch ? { l2PerEpoch: true } : {}),
        ...(partner.converge ? { converge: true } : {}),
        epochs: partner.epochs,
      },
      predictions: blended.map((rows) => {
        const byEpoch: Float64Array[][] = [];
        byEpoch[plain.epochs - 1] = rows;
        return byEpoch;
      }),
      foldScores: scores,
    });
  }
  const top = best(trials) as (typeof trials)[number];
  const chosen =
    options.select === 'regularised-within-one-se' && regularised ? withinOneStandardErrorOf(top, regularised) : top;
  const heldOut: HeldOutPredictions = { rows: [], predictions: [] };
  folds.slice(0, calibrationFolds).forEach(({ validation }, f) => {
    heldOut.rows.push(...validation);
    heldOut.predictions.push(...chosen.predictions[f][chosen.epochs - 1]);
  });
  const {
    predictions: _p,
    foldScores: _s,
    epochs,
    validationLogLoss,
    validationScore,
    epochsRun: _r,
    ...setting
  } = chosen;
  return {
    ...setting,
    epochs,
    validationLogLoss,
    criterion: options.score?.name ?? '-log-loss',
    ...(validationScore === undefined ? {} : { validationScore }),
    trials: trials.map(({ predictions: _unused, foldScores: _scores, ...trial }) => trial),
    folds: folds.length,
    validationExamples: folds.reduce((n, f) => n + f.validation.length, 0),
    ...(options.groups
      ? {
          heldOutGroups: [
            ...new Set(folds[folds.length - 1].validation.map((r) => (options.groups as readonly string[])[r])),
          ].sort(),
        }
      : {}),
    heldOut,
  };
}

/**
 * `simpler` unless `top` leads it by more than one standard error of the mean of their fold-by-fold
 * differences (one fold: `top`).
 */
export function withinOneStandardErrorOf<T extends { foldScores: readonly number[] }>(top: T, simpler: T): T {
  const k = top.foldScores.length;
  if (k < 2) return top;
  const d = top.foldScores.map((s, f) => s - simpler.foldScores[f]);
  const mean = d.reduce((a, b) => a + b, 0) / k;
  const sd = Math.sqrt(d.reduce((a, x) => a + (x - mean) ** 2, 0) / (k - 1));
  return mean <= sd / Math.sqrt(k) ? simpler : top;
}

/** The trial with the best score (ties: the earlier). */
function best<T extends TuningTrial>(trials: readonly T[]): T | undefined {
  const score = (t: TuningTrial) => t.validationScore ?? -t.validationLogLoss;
  return trials.reduce<T | undefined>((a, b) => (a === undefined || score(b) > score(a) ? b : a), undefined);
}

function averageLogits(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let k = 0; k < a.length; k++) {
    const pa = Math.min(Math.max(a[k], 1e-12), 1 - 1e-12);
    const pb = Math.min(Math.max(b[k], 1e-12), 1 - 1e-12);
    const la = Math.log(pa / (1 - pa));
    const lb = Math.log(pb / (1 - pb));
    out[k] = 1 / (1 + Math.exp(-(la + lb) / 2));
  }
  return out;
}

/** A setting as the progress line and the report name it. */
export function describeCandidate(c: TrainingCandidate & { blendWith?: BlendPartner }): string {
  const one = (x: TrainingCandidate) =>
    `step ${x.learningRate}${x.l2 > 0 ? `, L2 ${x.l2}${x.l2PerEpoch ? ' per epoch' : ''}` : ''}${x.averageIterates === 'all' ? ', all iterates averaged' : ''}`;
  return c.blendWith ? `${one(c)} averaged with ${one(c.blendWith)} × ${c.blendWith.epochs} epochs` : one(c);
}

/**
 * The random folds tuning validates on (`TuneOptions.folds`): one 80/20 `validationCut` when k is 1, else k
 * folds of a seeded shuffle, each row validated in exactly one.
 */
export function randomCuts(n: number, k: number, seed: number): Array<{ fit: number[]; validation: number[] }> {
  return k <= 1 ? [validationCut(n, seed)] : kFolds(n, k, seed);
}

/** k folds of a seeded shuffle: each row validated in exactly one. */
function kFolds(n: number, k: number, seed: number): Array<{ fit: number[]; validation: number[] }> {
  const order = shuffled(n, seed);
  return Array.from({ length: k }, (_, f) => {
    const validation: number[] = [];
    const fit: number[] = [];
    order.forEach((row, position) => (position % k === f ? validation : fit).push(row));
    return { validation: validation.sort((a, b) => a - b), fit: fit.sort((a, b) => a - b) };
  });
}

function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const rand = mulberry32(seed ^ 0x5eed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/**
 * A seeded 20% of the rows for validation, the rest to fit: a shuffle rather than the last rows, so
 * examples sorted by time or by task do not put one kind of prompt in the cut.
 */
export function validationCut(n: number, seed: number): { fit: number[]; validation: number[] } {
  const order = shuffled(n, seed);
  const cut = Math.round(n * VALIDATION_SHARE);
  // Sorted back so each side trains in the same row order whatever the shuffle.
  return { validation: order.slice(0, cut).sort((a, b) => a - b), fit: order.slice(cut).sort((a, b) => a - b) };
}

/**
 * Whole groups for validation, the rest to fit: the groups in a seeded shuffle, taken until they hold at
 * least 20% of the rows (never all of them). Needs at least two groups.
 */
export function groupCut(groups: readonly string[], seed: number): { fit: number[]; validation: number[] } {
  const names = [...new Set(groups)].sort();
  if (names.length < 2) throw new Error(`a cut by group needs at least two groups, got ${names.length}`);
  const order = shuffled(names.length, seed).map((i) => names[i]);
  const held = new Set<string>();
  let rows = 0;
  const size = new Map<string, number>();
  for (const g of groups) size.set(g, (size.get(g) ?? 0) + 1);
  for (const name of order.slice(0, -1)) {
    if (rows >= groups.length * VALIDATION_SHARE) break;
    held.add(name);
    rows += size.get(name) ?? 0;
  }
  const fit: number[] = [];
  const validation: number[] = [];
  groups.forEach((g, i) => (held.has(g) ? validation : fit).push(i));
  return { fit, validation };
}

/**
 * How well predictions (per row, a probability per output) rank each output's labelled rows: per output, the share of pairs of validation rows
 * with different labels that it orders as their labels are (ties in prediction: half), each pair weighed by
 * the gap between its labels (graded labels 0.5 and 0.55 say little about which answer was better): the
 * AUC for 0/1 labels; averaged over the outputs that have such a pair. What routing needs
 * of a quality model is the order (which prompts a model fails), not the calibration the log-loss rewards.
 * 0.5 when no output has a pair. Quadratic in an output's labelled rows: at most `maxRows` of them (the first).
 */
export function meanConcordance(
  predictions: readonly Float64Array[],
  ys: readonly Float64Array[],
  maxRows = 4000,
): number {
  const outputs = ys[0]?.length ?? 0;
  let sum = 0;
  let counted = 0;
  for (let k = 0; k < outputs; k++) {
    const p: number[] = [];
    const y: number[] = [];
    for (let r = 0; r < ys.length && p.length < maxRows; r++) {
      if (Number.isNaN(ys[r][k])) continue;
      p.push(predictions[r][k]);
      y.push(ys[r][k]);
    }
    let pairs = 0;
    let agree = 0;
    for (let i = 0; i < p.length; i++)
      for (let j = i + 1; j < p.length; j++) {
        const gap = Math.abs(y[i] - y[j]);
        if (gap === 0) continue;
        pairs += gap;
        const order = (p[i] - p[j]) * (y[i] - y[j]);
        agree += order > 0 ? gap : order === 0 ? gap / 2 : 0;
      }
    if (pairs === 0) continue;
    sum += agree / pairs;
    counted++;
  }
  return counted > 0 ? sum / counted : 0.5;
}

/** Mean binary cross-entropy over the labelled (row, output) pairs (NaN: no label); soft targets allowed. */
export function meanLogLoss(predictions: readonly Float64Array[], ys: readonly Float64Array[]): number {
  return meanLoss(labelLogLosses(predictions, ys));
}

/** Each labelled (row, output) pair's binary cross-entropy, row by row: what `meanLogLoss` averages. */
export function labelLogLosses(predictions: readonly Float64Array[], ys: readonly Float64Array[]): Float64Array {
  const losses: number[] = [];
  for (let r = 0; r < predictions.length; r++) {
    const p = predictions[r];
    const y = ys[r];
    for (let k = 0; k < p.length; k++) {
      if (Number.isNaN(y[k])) continue;
      losses.push(-(y[k] * Math.log(p[k] + 1e-12) + (1 - y[k]) * Math.log(1 - p[k] + 1e-12)));
    }
  }
  return Float64Array.from(losses);
}

/** The mean of some losses, 0 when there are none. */
export function meanLoss(values: Float64Array): number {
  let total = 0;
  for (const v of values) total += v;
  return values.length > 0 ? total / values.length : 0;
}
