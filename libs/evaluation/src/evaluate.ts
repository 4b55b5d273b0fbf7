import {
  type CostAwareKnob,
  type LearnedPrediction,
  LearnedRouter,
  type LearnedRouterArtifact,
  type CompiledPolicy,
  compilePolicy,
  pricedCandidates,
  decideRoute,
  extractFeatures,
  mulberry32,
  trainLearnedRouter,
} from '@switchyard/routing';
import { apgr, costToReach } from './curve';
import { DatasetError, type DatasetRow, datasetModels, splitDataset, toExamples } from './dataset';
import { policyForDataset } from './dataset-policy';
import { type StrategyResult, referencePoints, replay } from './metrics';
import { planStrategies } from './plan-strategies';

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
  bestSingle: StrategyEntry;
  cheapest: StrategyEntry;
  /** Of the cost-aware learned router's curve over its cost weight; absent when the best single model is also the cheapest (no gap to recover). */
  apgr?: number;
  costToReach95UsdPerPrompt?: number;
  costToReach100UsdPerPrompt?: number;
  strategies: StrategyEntry[];
  /**
   * The cost weights chosen on a validation cut of the training part (no test data) to reach 95% and 100% of
   * that cut's best single model, with what they gave on the test part.
   */
  validationPick95?: ValidationPick;
  validationPick100?: ValidationPick;
  /** The same curve for the router given the task label as a hint (`learned+task`; only when the data has tasks). */
  withTaskHint?: { apgr?: number; costToReach95UsdPerPrompt?: number; costToReach100UsdPerPrompt?: number };
}

export interface ValidationPick {
  costWeight: number;
  quality: number;
  qualityVsBest: number;
  saving: number;
}

export interface EvaluateOptions {
  seed: number;
  /** The learned router's knob values (DEFAULT_COST_WEIGHTS by default). */
  costWeights?: number[];
  thresholds?: number[];
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

  progress('rules and difficulty (seed)');
  const document = policyForDataset(train, models);
  const datasetPolicy = compilePolicy(document);
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

  const costWeights = options.costWeights ?? DEFAULT_COST_WEIGHTS;
  const chosen = chooseCostWeights(train, models, costWeights, options.seed, (stage, done, total) =>
    progress(`learned router, picking cost weights on a validation cut: ${stage}`, done, total),
  );

  const router = new LearnedRouter(
    trainEvalRouter(train, models, options.seed, {
      onProgress: (stage, done, total) => progress(`learned router, training: ${stage}`, done, total),
    }),
  );
  const predictions = predictAll(router, datasetPolicy, test, (done, total) =>
    progress('learned router, predicting the test part', done, total),
  );
  const all = new Set(models);
  for (const th of options.thresholds ?? [0.3, 0.5, 0.6, 0.7])
    add(
      replay(
        `classifier, confidence ${th} (else ${ref.best.name})`,
        test,
        (_r, i) => router.chooseClassifier(predictions[i], all, th)?.model ?? ref.best.name,
      ),
      'classifier',
    );
  const curve: StrategyEntry[] = [];
  for (const costWeight of costWeights) {
    const marks = [costWeight === chosen.for95 ? '95%' : '', costWeight === chosen.for100 ? '100%' : ''].filter(
      Boolean,
    );
    add(
      replay(
        `cost-aware, cost weight ${costWeight}${marks.length ? ` (validation pick for ${marks.join(', ')})` : ''}`,
        test,
        (_r, i) => costAwareChoice(router, predictions[i], { costWeight }) ?? ref.best.name,
      ),
      'learned',
    );
    curve.push(entries[entries.length - 1]);
  }

  // The same router with the task label as the request's task hint: marked as using the label.
  const hintedCurve: StrategyEntry[] = [];
  if (train.some((row) => row.task !== undefined) && test.some((row) => row.task !== undefined)) {
    const hinted = new LearnedRouter(
      trainEvalRouter(train, models, options.seed, {
        taskHint: true,
        onProgress: (stage, done, total) => progress(`learned router + task hint, training: ${stage}`, done, total),
      }),
    );
    const hintedPredictions = predictAll(hinted, datasetPolicy, test, (done, total) =>
      progress('learned router + task hint, predicting the test part', done, total),
    );
    for (const costWeight of costWeights) {
      add(
        replay(
          `cost-aware + task hint, cost weight ${costWeight}`,
          test,
          (_r, i) => costAwareChoice(hinted, hintedPredictions[i], { costWeight }) ?? ref.best.name,
        ),
        'learned+task',
        true,
      );
      hintedCurve.push(entries[entries.length - 1]);
    }
  }

  add(ref.oracle, 'oracle');
  const bestSingle = entries.find((e) => e.family === 'single' && e.name === ref.best.name) as StrategyEntry;
  const cheapest = entries.find((e) => e.family === 'single' && e.name === ref.cheapest.name) as StrategyEntry;
  const result: EvaluationResult = {
    models,
    trainSize: train.length,
    testSize: test.length,
    bestSingle,
    cheapest,
    strategies: entries,
  };
  if (bestSingle.quality > cheapest.quality && bestSingle.costUsd > cheapest.costUsd)
    result.apgr = apgr(curve, cheapest, bestSingle);
  const c95 = costToReach(curve, 0.95 * bestSingle.quality);
  const c100 = costToReach(curve, bestSingle.quality);
  if (c95 !== undefined) result.costToReach95UsdPerPrompt = c95;
  if (c100 !== undefined) result.costToReach100UsdPerPrompt = c100;
  if (hintedCurve.length > 0) {
    const h95 = costToReach(hintedCurve, 0.95 * bestSingle.quality);
    const h100 = costToReach(hintedCurve, bestSingle.quality);
    result.withTaskHint = {
      ...(result.apgr === undefined ? {} : { apgr: apgr(hintedCurve, cheapest, bestSingle) }),
      ...(h95 === undefined ? {} : { costToReach95UsdPerPrompt: h95 }),
      ...(h100 === undefined ? {} : { costToReach100UsdPerPrompt: h100 }),
    };
  }
  const picked = (costWeight: number | undefined): ValidationPick | undefined => {
    if (costWeight === undefined) return undefined;
    const entry = curve[costWeights.indexOf(costWeight)];
    return { costWeight, quality: entry.quality, qualityVsBest: entry.qualityVsBest, saving: entry.saving };
  };
  const for95 = picked(chosen.for95);
  const for100 = picked(chosen.for100);
  if (for95) result.validationPick95 = for95;
  if (for100) result.validationPick100 = for100;
  return result;
}

/**
 * The learned router as the evaluation trains it (default training options, the given seed; with `taskHint`,
 * the router that also learns from the task label). `switchyard eval --live` deploys the same one, so the
 * services route with the router the offline numbers measured.
 */
export function trainEvalRouter(
  train: readonly DatasetRow[],
  models: readonly string[],
  seed: number,
  options: {
    taskHint?: boolean;
    version?: string;
    onProgress?: (stage: string, done: number, total: number) => void;
  } = {},
): LearnedRouterArtifact {
  return trainLearnedRouter(toExamples(train), {
    version: options.version ?? (options.taskHint ? 'eval+task' : 'eval'),
    models: [...models],
    seed,
    taskHint: options.taskHint === true,
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
      ...router.predict(row.prompt, row.task),
      candidates: pricedCandidates(policy, router, row.prompt),
    };
    if (i === rows.length - 1) progress(rows.length, rows.length);
    return prediction;
  });
}

function costAwareChoice(router: LearnedRouter, row: RowPrediction, knob: CostAwareKnob): string | undefined {
  return router.chooseCostAware(row, row.candidates, knob)?.model;
}

/**
 * How a user would set the knob without the test data: train on 80% of the training part, trace the curve on
 * the other 20%, and take the cheapest weight reaching 95% and 100% of that cut's best single model.
 */
function chooseCostWeights(
  train: readonly DatasetRow[],
  models: readonly string[],
  costWeights: readonly number[],
  seed: number,
  progress: (stage: string, done?: number, total?: number) => void,
): { for95?: number; for100?: number } {
  const { train: fit, test: validation } = splitDataset(train, 0.8, seed + 1);
  if (fit.length === 0 || validation.length === 0) return {};
  const router = new LearnedRouter(trainEvalRouter(fit, models, seed, { version: 'validation', onProgress: progress }));
  const policy = compilePolicy(policyForDataset(fit, models));
  const predictions = predictAll(router, policy, validation, (done, total) => progress('predicting', done, total));
  const best = referencePoints(validation, models).best;
  const points = costWeights.map((costWeight) => ({
    costWeight,
    ...replay(
      String(costWeight),
      validation,
      (_r, i) => costAwareChoice(router, predictions[i], { costWeight }) ?? best.name,
    ),
  }));
  const cheapestReaching = (quality: number) =>
    points.filter((p) => p.quality >= quality).sort((a, b) => a.costUsd - b.costUsd)[0]?.costWeight;
  const out: { for95?: number; for100?: number } = {};
  const for95 = cheapestReaching(0.95 * best.quality);
  const for100 = cheapestReaching(best.quality);
  if (for95 !== undefined) out.for95 = for95;
  if (for100 !== undefined) out.for100 = for100;
  return out;
}

function input(row: DatasetRow) {
  const request = { messages: [{ role: 'user' as const, content: row.prompt }] };
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
