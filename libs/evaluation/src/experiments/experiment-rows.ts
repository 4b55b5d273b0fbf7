import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DatasetRow } from '@switchyard/datasets';
import { type LabelledExample, type OutcomeExample, mulberry32 } from '@switchyard/routing';
import { splitDataset, toExamples } from '../dataset';
import { subsample, taskFolds } from '../splits';

/** The rows of `$DATASET` (MMLU-Pro's routing file by default), for the experiments in this folder. */
export function experimentRows(): DatasetRow[] {
  return readFileSync(resolve(process.env['DATASET'] ?? '../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as DatasetRow);
}

/**
 * What an experiment trains and tests on: with `$HOLD_OUT_TASK`, that task's `--cv task` fold (`taskFolds`),
 * else `switchyard eval`'s 70/30 split at `seed`; `label` names it for the log.
 */
export function experimentSplit(
  rows: readonly DatasetRow[],
  seed: number,
): { train: DatasetRow[]; test: DatasetRow[]; label: string } {
  const holdOut = process.env['HOLD_OUT_TASK'];
  if (holdOut === undefined) return { ...splitDataset(rows, 0.7, seed), label: `seed ${seed}` };
  const folds = taskFolds(rows);
  const fold = folds.find((f) => f.task === holdOut);
  if (!fold)
    throw new Error(`HOLD_OUT_TASK=${holdOut} is not a task of the rows (${folds.map((f) => f.task).join(', ')})`);
  return { train: fold.train, test: fold.test, label: `held-out task ${holdOut}` };
}

/** The rows as examples without their task label: the routers here learn from the text alone. */
export function unlabelledExamples(rows: readonly DatasetRow[]): OutcomeExample[] {
  return toExamples(rows).map(({ task: _task, ...e }) => e);
}

/** One check an experiment runs: its training and test examples (no task labels) and a name for the log. */
export interface ExperimentCase {
  seed: number;
  label: string;
  trainEx: OutcomeExample[];
  testEx: OutcomeExample[];
}

/**
 * The checks of `$SEEDS` (comma-separated, `defaultSeeds` when unset): per seed, `experimentSplit`'s train
 * and test parts, the training part subsampled to `$TRAIN_SIZE` rows when it is set (as `switchyard eval
 * --train-size` does).
 */
export function experimentCases(rows: readonly DatasetRow[], defaultSeeds = '0'): ExperimentCase[] {
  const size = Number(process.env['TRAIN_SIZE'] ?? 0);
  return (process.env['SEEDS'] ?? defaultSeeds)
    .split(',')
    .map(Number)
    .map((seed) => {
      const split = experimentSplit(rows, seed);
      const train = size > 0 ? subsample(split.train, size, seed) : split.train;
      return {
        seed,
        label: `${split.label}${size > 0 ? `, ${size} rows` : ''}`,
        trainEx: unlabelledExamples(train),
        testEx: unlabelledExamples(split.test),
      };
    });
}

/** Each example with one model's label, drawn uniformly (seeded): what an exploring log would have. */
export function oneLabelEach(examples: readonly LabelledExample[], seed: number): LabelledExample[] {
  const rand = mulberry32(seed + 1000);
  return examples.map((e) => {
    const models = Object.keys(e.labels);
    const m = models[Math.floor(rand() * models.length)];
    return { ...e, labels: { [m]: e.labels[m] } };
  });
}
