import { DatasetError, type DatasetRow } from '@switchyard/datasets';
import { mulberry32 } from '@switchyard/routing';
import { splitDataset } from './dataset';

/** One fold of leave-one-task-out: every other task to train on, this one to test on. */
/**
 * Test rows whose prompt, with its context, is also a training row's, word for word: a dataset that repeats
 * questions (MMLU-Pro has 159 such pairs) lets a router learn some test rows' outcomes. Reported, not removed:
 * in real traffic a repeated prompt is worth remembering.
 */
export function testRowsSeenInTrain(
  train: readonly Pick<DatasetRow, 'prompt' | 'context'>[],
  test: readonly Pick<DatasetRow, 'prompt' | 'context'>[],
): number {
  const key = (r: Pick<DatasetRow, 'prompt' | 'context'>) => `${r.context ?? ''}\u0000${r.prompt}`;
  const seen = new Set(train.map(key));
  return test.reduce((n, r) => n + (seen.has(key(r)) ? 1 : 0), 0);
}

export interface TaskFold {
  task: string;
  train: DatasetRow[];
  test: DatasetRow[];
}

/**
 * Leave one task out: a fold per task (sorted by name), tested on that task's rows and trained on all the
 * others, so each fold measures a router on a kind of prompt it never saw. Every row needs a task, and there
 * must be at least two tasks.
 */
export function taskFolds(rows: readonly DatasetRow[]): TaskFold[] {
  const unlabelled = rows.filter((r) => r.task === undefined).length;
  if (unlabelled > 0)
    throw new DatasetError(`--cv task needs a task on every row; ${unlabelled} of ${rows.length} rows have none`);
  const tasks = [...new Set(rows.map((r) => r.task as string))].sort();
  if (tasks.length < 2)
    throw new DatasetError(
      `--cv task needs at least two tasks; the rows have ${tasks.length === 1 ? `only "${tasks[0]}"` : 'none'}`,
    );
  return tasks.map((task) => ({
    task,
    train: rows.filter((r) => r.task !== task),
    test: rows.filter((r) => r.task === task),
  }));
}

/**
 * How a report names a task's fold: the task itself, or, when the label is empty or only whitespace (which
 * would print as a blank cell), the label in quotes.
 */
export function taskFoldName(task: string): string {
  return task.trim() === '' ? `task ${JSON.stringify(task)}` : task;
}

/** `n` rows drawn without replacement, in a seeded order (the same seed, the same rows); all of them when n >= length. */
export function subsample<T>(rows: readonly T[], n: number, seed: number): T[] {
  if (!Number.isInteger(n) || n < 1)
    throw new DatasetError(`a subsample needs a positive whole number of rows, got ${n}`);
  const order = Array.from(rows.keys());
  const rand = mulberry32(seed ^ 0x5ab5);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order
    .slice(0, Math.min(n, rows.length))
    .sort((a, b) => a - b)
    .map((i) => rows[i]);
}

/** One of several seeded splits of the same rows. */
export interface SeededSplit<T> {
  seed: number;
  train: T[];
  test: T[];
}

/**
 * `count` splits of the same rows at seeds `firstSeed`, `firstSeed` + 1, …: each exactly the split `eval
 * --seed` makes, so one split's row of a repeated evaluation is that split's evaluation. One split says
 * little where a router's figures move by a few hundredths from one cut to the next.
 */
export function seededSplits<T>(
  rows: readonly T[],
  trainShare: number,
  firstSeed: number,
  count: number,
): SeededSplit<T>[] {
  if (!Number.isInteger(count) || count < 2)
    throw new DatasetError(`repeated splits need a whole number of at least 2, got ${count}`);
  return Array.from({ length: count }, (_, k) => ({
    seed: firstSeed + k,
    ...splitDataset(rows, trainShare, firstSeed + k),
  }));
}

/** The mean, the sample standard deviation, and the range of some figures (NaN for none; sd 0 for one). */
export interface Spread {
  n: number;
  mean: number;
  sd: number;
  min: number;
  max: number;
}

/** How some figures spread, leaving out the undefined ones (a fold where a saving was not reached). */
export function spreadOf(values: ReadonlyArray<number | undefined>): Spread {
  const xs = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { n, mean: NaN, sd: NaN, min: NaN, max: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}
