import {
  LearnedRouter,
  compilePolicy,
  decideRoute,
  extractFeatures,
  mulberry32,
  trainLearnedRouter,
} from '@switchyard/routing';
import { apgr, costToReach } from './curve';
import { type DatasetRow, datasetModels, toExamples } from './dataset';
import { policyForDataset } from './dataset-policy';
import { type StrategyResult, referencePoints, replay } from './metrics';

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
  /** Of the cost-aware learned router's curve over its tolerance; absent when the best single model is also the cheapest (no gap to recover). */
  apgr?: number;
  costToReach95UsdPerPrompt?: number;
  costToReach100UsdPerPrompt?: number;
  strategies: StrategyEntry[];
}

export interface EvaluateOptions {
  seed: number;
  tolerances?: number[];
  thresholds?: number[];
  onProgress?: (stage: string) => void;
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
  const seedPolicy = compilePolicy(policyForDataset(train, models));
  add(
    replay('seed rules + difficulty bands', test, (row) => decideRoute(seedPolicy, input(row)).plan.model),
    'seed',
  );

  progress('per-task best model');
  add(replay('per-task best model', test, perTaskChooser(train, models, ref.best.name)), 'per-task', true);

  progress(`training the learned router on ${train.length} prompts`);
  const router = new LearnedRouter(
    trainLearnedRouter(toExamples(train), { version: 'eval', models, seed: options.seed }),
  );
  const candidates = models.map((model) => ({ model, costUsd: router.artifact.meanCostUsd[model] }));
  progress('learned router: predictions');
  const quality = test.map((row) => router.predictQuality(row.prompt));
  const best = test.map((row) => router.predictBest(row.prompt));
  const all = new Set(models);
  for (const th of options.thresholds ?? [0.3, 0.5, 0.6, 0.7])
    add(
      replay(
        `classifier, confidence ${th} (else ${ref.best.name})`,
        test,
        (_r, i) => router.chooseClassifier(best[i], all, th)?.model ?? ref.best.name,
      ),
      'classifier',
    );
  const curve: StrategyEntry[] = [];
  for (const tol of options.tolerances ?? [0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3]) {
    add(
      replay(
        `cost-aware, tolerance ${tol}`,
        test,
        (_r, i) => router.chooseCostAware(quality[i], candidates, tol)?.model ?? ref.best.name,
      ),
      'learned',
    );
    curve.push(entries[entries.length - 1]);
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
  return result;
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
