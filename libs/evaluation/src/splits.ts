import { DatasetError, type DatasetRow } from '@switchyard/datasets';
import { mulberry32 } from '@switchyard/routing';

/** One fold of leave-one-task-out: every other task to train on, this one to test on. */
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
