import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeCandidate, foldModelsNote } from '@switchyard/routing';
import {
  type CurveHeadline,
  describeMix,
  describeVersusBaseline,
  evaluateStrategies,
  reportHtml,
  seededSplits,
  splitDataset,
  subsample,
  taskFoldName,
  taskFolds,
} from '@switchyard/evaluation';
import { type DatasetRow } from '@switchyard/datasets';
import { type ComparableInput, loadComparable } from '../dataset-input';
import { pct, table, usd } from '../demo/table';
import { Progress } from '../progress/progress';
import {
  type FoldResult,
  type GeneralisationCheck,
  repeatedPromptsNote,
  reportGeneralisation,
} from './generalisation-report';

export interface EvalOptions {
  /** Split here (`split`, `seed`)... */
  dataset?: string;
  /** ...or the user's own split. */
  files?: { train: string; test: string };
  split: number;
  seed: number;
  out: string;
  /** Fixed step and epochs for the learned router instead of tuning them. */
  training?: { epochs: number; learningRate: number };
  /** Weight of the rows' conversation context against their prompt (the training default when absent). */
  contextWeight?: number;
  /** Platt-scale the learned routers' predicted qualities (an experiment; off when absent). */
  scaleQuality?: boolean;
  /** Tune on a cut holding out whole tasks (an experiment; off when absent). */
  tuneByTask?: boolean | 'alongside';
  /** AdaGrad's starting sum for the learned routers' early-stopped settings (the training default when absent). */
  adagradStart?: number;
  /** Fold models the learned routers average (`TrainLearnedRouterOptions.averageFolds`). */
  averageFolds?: number;
  /** The learned routers' iterate averaging (`TrainLearnedRouterOptions.averageIterates`; the default when absent). */
  averageIterates?: 'epoch' | 'all' | 'none';
  /** The learned routers' hashed feature dimensions, log2 (the training default when absent). */
  dimsLog2?: number;
  /** Resamples of the paired bootstrap against the baseline (`EvaluateOptions.bootstrapResamples`). */
  bootstrap?: number;
  /** Leave one task out instead of one split. */
  cv?: 'task';
  /** A learning curve: the train part subsampled to each size, tested on the same test part. */
  trainSizes?: number[];
  /**
   * Run at this many seeds, `seed`, `seed` + 1, …: this many splits instead of one; with `cv` or
   * `trainSizes`, each fold at every seed (its rows in another order, or another split and subsample).
   */
  repeat?: number;
}

const out = (line = '') => process.stdout.write(`${line}\n`);

/** The learned routers' settings every evaluation of this run trains with, and how it compares them. */
function routerSettings(opts: EvalOptions): {
  contextWeight?: number;
  scaleQuality?: boolean;
  tuneByTask?: boolean | 'alongside';
  initialAccumulator?: number;
  averageFolds?: number;
  averageIterates?: 'epoch' | 'all' | 'none';
  dims?: number;
  bootstrapResamples?: number;
} {
  return {
    ...(opts.bootstrap === undefined ? {} : { bootstrapResamples: opts.bootstrap }),
    ...(opts.dimsLog2 === undefined ? {} : { dims: 1 << opts.dimsLog2 }),
    ...(opts.contextWeight === undefined ? {} : { contextWeight: opts.contextWeight }),
    ...(opts.scaleQuality === true ? { scaleQuality: true } : {}),
    ...(opts.tuneByTask ? { tuneByTask: opts.tuneByTask } : {}),
    ...(opts.adagradStart === undefined ? {} : { initialAccumulator: opts.adagradStart }),
    ...(opts.averageFolds === undefined ? {} : { averageFolds: opts.averageFolds }),
    ...(opts.averageIterates === undefined ? {} : { averageIterates: opts.averageIterates }),
  };
}

/** What results.json says about the run before its results: the data, the split and the routers' settings. */
function runHeader(opts: EvalOptions) {
  return {
    ...describeSource(opts),
    split: opts.split,
    seed: opts.seed,
    ...(opts.contextWeight === undefined ? {} : { contextWeight: opts.contextWeight }),
    ...(opts.scaleQuality === true ? { qualityScaling: true } : {}),
    ...(opts.tuneByTask ? { tuneByTask: opts.tuneByTask } : {}),
    ...(opts.adagradStart === undefined ? {} : { adagradStart: opts.adagradStart }),
    ...(opts.averageFolds === undefined ? {} : { averageFolds: opts.averageFolds }),
    ...(opts.averageIterates === undefined ? {} : { averageIterates: opts.averageIterates }),
    ...(opts.dimsLog2 === undefined ? {} : { dimsLog2: opts.dimsLog2 }),
  };
}

/**
 * Splits a routing dataset, trains what learns on the train part, replays every strategy on the test part
 * and writes `results.json` with a table on stdout.
 */
export async function runEval(opts: EvalOptions): Promise<number> {
  const started = Date.now();
  if (opts.cv !== undefined || opts.trainSizes !== undefined || opts.repeat !== undefined)
    return runGeneralisation(opts);
  const { train, test, source, input } = loadSplit(opts);
  out(source);
  const progress = new Progress(process.stdout);
  const result = evaluateStrategies(train, test, {
    seed: opts.seed,
    ...(opts.training ? { training: opts.training } : {}),
    ...routerSettings(opts),
    onProgress: (stage, done, total) => progress.update(stage, done, total),
  });
  progress.done();
  mkdirSync(opts.out, { recursive: true });
  const file = join(opts.out, 'results.json');
  writeFileSync(
    file,
    JSON.stringify(
      {
        ...runHeader(opts),
        ...inputFields(input),
        ...result,
      },
      null,
      2,
    ),
  );
  const html = join(opts.out, 'report.html');
  const repeated =
    result.testRowsSeenInTrain === 0 ? [] : [repeatedPromptsNote(result.testRowsSeenInTrain, result.testSize)];
  for (const note of repeated) out(note);
  writeFileSync(
    html,
    reportHtml(result, `Routing strategies on ${opts.dataset ?? opts.files?.test}`, [...input.notes, ...repeated]),
  );
  out(
    `\nbest single model: ${result.bestSingle.name} (quality ${result.bestSingle.quality.toFixed(3)}, ${usd(result.bestSingle.costUsd)} a prompt)`,
  );
  out(
    table(
      ['strategy', 'label?', 'quality', 'vs best', 'cost/prompt', 'saving'],
      result.strategies.map((s) => [
        s.name,
        s.usesTaskLabel ? 'yes' : '',
        s.quality.toFixed(3),
        pct(s.qualityVsBest),
        usd(s.costUsd),
        pct(s.saving),
      ]),
    ),
  );
  const reach = (v: number | undefined) =>
    v === undefined ? 'not reached' : `${usd(v)} (${pct(1 - v / result.bestSingle.costUsd)} saving)`;
  const headline = (h: CurveHeadline) =>
    `APGR ${h.apgr === undefined ? 'n/a (the best model is also the cheapest)' : h.apgr.toFixed(3)}; cost to reach 95% of the best: ${reach(h.costToReach95UsdPerPrompt)}; 100%: ${reach(h.costToReach100UsdPerPrompt)}${h.marginOverRandomMixing === undefined ? '' : `; least margin over random mixing ${h.marginOverRandomMixing >= 0 ? '+' : ''}${h.marginOverRandomMixing.toFixed(3)}`}`;
  out(`\nread off each curve's upper hull (the knob mixes two settings between its vertices)`);
  out(`learned router (cost-aware), ${result.learnedCurve?.settings ?? 0} settings traced: ${headline(result)}`);
  if (result.baseline)
    out(`logistic-regression baseline (${result.baseline.training.epochs} epochs): ${headline(result.baseline)}`);
  if (result.withTaskHint) out(`with the task label as a hint (marked): ${headline(result.withTaskHint)}`);
  if (result.versusBaseline) out(describeVersusBaseline(result.versusBaseline, result.testSize));
  const tuning = result.training?.tuning;
  if (tuning)
    out(
      `training tuned on ${tuning.folds === 1 ? 'a validation cut of' : `${tuning.folds} folds of`} ${tuning.validationExamples} training rows${heldOutTasks(tuning)}, maximising ${tuning.criterion}: ${describeCandidate(tuning)}, ${tuning.epochs} epochs${foldModelsNote(result.training?.foldModels)} (tried ${tuning.trials.map((t) => `${describeCandidate(t)}: best at ${t.epochs} epochs, ${t.validationScore === undefined ? `log-loss ${t.validationLogLoss.toFixed(4)}` : t.validationScore.toFixed(3)}`).join('; ')})`,
    );
  for (const [target, pick] of [
    ['95%', result.validationPick95],
    ['100%', result.validationPick100],
  ] as const)
    out(
      pick
        ? `target ${target} of the best, resolved on the router's calibration (${describeMix(pick)}): on the test part ${pct(pick.qualityVsBest)} of the best${pick.qualityVsBestInterval ? ` (95% bootstrap interval ${pct(pick.qualityVsBestInterval.low)} to ${pct(pick.qualityVsBestInterval.high)})` : ''} at ${pct(pick.saving)} saving`
        : `the held-out rows' curve never reached ${target} of their best model`,
    );
  out(`wrote ${file} and ${html} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

function loadSplit(opts: EvalOptions): {
  train: DatasetRow[];
  test: DatasetRow[];
  source: string;
  /** What loading renamed and left out (`loadComparable`), for results.json and the report. */
  input: DatasetChanges;
} {
  if (opts.files) {
    const {
      sets: [train, test],
      ...input
    } = loadComparable([opts.files.train, opts.files.test], out);
    return {
      train,
      test,
      input,
      source: `train ${opts.files.train}: ${train.length} prompts; test ${opts.files.test}: ${test.length} prompts`,
    };
  }
  const file = opts.dataset as string;
  const {
    sets: [rows],
    ...input
  } = loadComparable([file], out);
  const { train, test } = splitDataset(rows, opts.split, opts.seed);
  return {
    train,
    test,
    input,
    source: `${file}: ${rows.length} prompts; train ${train.length}, test ${test.length} (split ${opts.split}, seed ${opts.seed})`,
  };
}

/** What loading changed in the data: models renamed, rows and models left out. */
type DatasetChanges = Omit<ComparableInput, 'sets' | 'models'>;

/** results.json's account of it: `renamedModels` and `leftOut`, each only when something was. */
function inputFields(input: DatasetChanges): { renamedModels?: DatasetChanges['renamed']; leftOut?: string[] } {
  return {
    ...(input.renamed.length === 0 ? {} : { renamedModels: input.renamed }),
    ...(input.leftOut.length === 0 ? {} : { leftOut: input.leftOut }),
  };
}

function describeSource(opts: EvalOptions): Record<string, string> {
  return opts.files ? { train: opts.files.train, test: opts.files.test } : { dataset: opts.dataset as string };
}

/** The check a generalisation run makes, as results.json names it. */
function checkOf(opts: EvalOptions): GeneralisationCheck {
  return opts.cv === 'task' ? 'leave-one-task-out' : opts.trainSizes !== undefined ? 'train-size' : 'repeated-split';
}

/** Whether the run is a check's folds at several seeds (`--cv task` or `--train-size` with `--repeat`). */
function foldsAtSeveralSeeds(opts: EvalOptions): boolean {
  return opts.repeat !== undefined && checkOf(opts) !== 'repeated-split';
}

/**
 * The folds of a generalisation check, each with the seed it is trained with: `--seed`, or its split's for
 * `--repeat`. With `--cv task` or `--train-size` and `--repeat`, the check's folds at each seed in turn, each
 * exactly the fold `eval --seed S` with the same check makes.
 */
function generalisationFolds(opts: EvalOptions): {
  folds: Array<{ fold: string; train: DatasetRow[]; test: DatasetRow[]; seed: number }>;
  input: DatasetChanges;
} {
  if (foldsAtSeveralSeeds(opts)) {
    const folds: Array<{ fold: string; train: DatasetRow[]; test: DatasetRow[]; seed: number }> = [];
    let input: DatasetChanges | undefined;
    for (let seed = opts.seed; seed < opts.seed + (opts.repeat as number); seed++) {
      const atSeed = generalisationFolds({ ...opts, seed, repeat: undefined });
      input ??= atSeed.input;
      folds.push(...atSeed.folds);
    }
    return { folds, input: input as DatasetChanges };
  }
  if (opts.repeat !== undefined) {
    // The file's rows in its own order, so that each split is the one `eval --seed N` makes.
    const file = opts.dataset as string;
    const {
      sets: [rows],
      ...input
    } = loadComparable([file], out);
    out(
      `${file}: ${rows.length} prompts; ${opts.repeat} splits (train share ${opts.split}) at seeds ${opts.seed} to ${opts.seed + opts.repeat - 1}`,
    );
    const folds = seededSplits(rows, opts.split, opts.seed, opts.repeat).map((s) => ({
      fold: `split seed ${s.seed}`,
      ...s,
    }));
    return { folds, input };
  }
  const { train, test, source, input } = loadSplit(opts);
  out(source);
  if (opts.cv === 'task')
    return {
      folds: taskFolds([...train, ...test]).map((f) => ({
        fold: taskFoldName(f.task),
        train: f.train,
        test: f.test,
        seed: opts.seed,
      })),
      input,
    };
  const folds = (opts.trainSizes ?? []).map((n) => {
    if (n > train.length) out(`  ${n} rows asked; the train part has ${train.length}: all of them`);
    return {
      fold: `${Math.min(n, train.length)} train rows`,
      train: subsample(train, n, opts.seed),
      test,
      seed: opts.seed,
    };
  });
  return { folds, input };
}

/**
 * Leave-one-task-out (`--cv task`), a learning curve (`--train-size`) or repeated splits (`--repeat`): the
 * learned router and the logistic-regression baseline on each fold, the savings at 95% and 100% of the
 * fold's best model read off each hull, and the margin over random mixing; then how each figure spreads
 * over the folds; a table and results.json.
 */
async function runGeneralisation(opts: EvalOptions): Promise<number> {
  const started = Date.now();
  const { folds, input } = generalisationFolds(opts);
  const check = checkOf(opts);
  const severalSeeds = foldsAtSeveralSeeds(opts);
  const distinct = severalSeeds ? new Set(folds.map((f) => f.fold)).size : folds.length;
  out(
    (check === 'leave-one-task-out'
      ? `leave one task out: ${distinct} folds`
      : check === 'repeated-split'
        ? `repeated splits: ${distinct} folds`
        : `learning curve: ${distinct} sizes`) +
      (severalSeeds ? `, each at ${opts.repeat} seeds from ${opts.seed}: ${folds.length} runs` : ''),
  );
  const progress = new Progress(process.stdout);
  const results: FoldResult[] = [];
  for (const [i, f] of folds.entries()) {
    const r = evaluateStrategies(f.train, f.test, {
      seed: f.seed,
      routersOnly: true,
      ...(opts.training ? { training: opts.training } : {}),
      ...routerSettings(opts),
      onProgress: (stage, done, total) =>
        progress.update(
          `fold ${i + 1}/${folds.length} (${f.fold}${severalSeeds ? `, seed ${f.seed}` : ''}): ${stage}`,
          done,
          total,
        ),
    });
    const saving = (h: CurveHeadline) => ({
      ...h,
      ...(h.costToReach95UsdPerPrompt === undefined
        ? {}
        : { saving95: 1 - h.costToReach95UsdPerPrompt / r.bestSingle.costUsd }),
      ...(h.costToReach100UsdPerPrompt === undefined
        ? {}
        : { saving100: 1 - h.costToReach100UsdPerPrompt / r.bestSingle.costUsd }),
    });
    const point = (e: { name: string; quality: number; costUsd: number }) => ({
      name: e.name,
      quality: e.quality,
      costUsd: e.costUsd,
    });
    const { curve: _curve, training: _training, ...baseline } = r.baseline ?? { curve: undefined, training: undefined };
    results.push({
      fold: f.fold,
      seed: f.seed,
      trainSize: f.train.length,
      testSize: f.test.length,
      testRowsSeenInTrain: r.testRowsSeenInTrain,
      bestSingle: point(r.bestSingle),
      cheapest: point(r.cheapest),
      learned: saving({
        ...(r.apgr === undefined ? {} : { apgr: r.apgr }),
        ...(r.costToReach95UsdPerPrompt === undefined
          ? {}
          : { costToReach95UsdPerPrompt: r.costToReach95UsdPerPrompt }),
        ...(r.costToReach100UsdPerPrompt === undefined
          ? {}
          : { costToReach100UsdPerPrompt: r.costToReach100UsdPerPrompt }),
        ...(r.marginOverRandomMixing === undefined ? {} : { marginOverRandomMixing: r.marginOverRandomMixing }),
      }),
      baseline: saving(baseline),
      training: {
        epochs: r.training?.epochs ?? 0,
        setting: `${describeCandidate({
          learningRate: r.training?.learningRate ?? 0,
          l2: r.training?.l2 ?? 0,
          ...(r.training?.l2PerEpoch ? { l2PerEpoch: true } : {}),
          ...(r.training?.blendWith ? { blendWith: r.training.blendWith } : {}),
        })} (× ${r.training?.epochs ?? 0})${foldModelsNote(r.training?.foldModels)}`,
      },
      ...(r.validationPick95
        ? { validationPick95: { qualityVsBest: r.validationPick95.qualityVsBest, saving: r.validationPick95.saving } }
        : {}),
      ...(r.validationPick100
        ? {
            validationPick100: { qualityVsBest: r.validationPick100.qualityVsBest, saving: r.validationPick100.saving },
          }
        : {}),
      ...(r.versusBaseline ? { versusBaseline: r.versusBaseline } : {}),
    });
  }
  progress.done();
  return reportGeneralisation({
    out: opts.out,
    header: {
      ...runHeader(opts),
      ...inputFields(input),
      ...(opts.repeat === undefined ? {} : { repeat: opts.repeat }),
    },
    check,
    severalSeeds,
    results,
    started,
  });
}

/** How the tuning line names the tasks a cut of whole tasks held out (`--tune-by-task`), if one did. */
function heldOutTasks(tuning: { folds: number; heldOutGroups?: string[] }): string {
  const tasks = tuning.heldOutGroups;
  if (!tasks) return '';
  return ` (${tuning.folds === 1 ? 'the cut' : 'one fold'} held out the tasks ${tasks.map((t) => JSON.stringify(t)).join(', ')})`;
}
