import { type OutcomeExample, modelsOnEveryExample, mulberry32 } from '@switchyard/routing';
import { DatasetError, type DatasetRow, rowContext } from '@switchyard/datasets';

/** A deterministic shuffle-and-cut: the same seed gives the same split on every machine. */
export function splitDataset<T>(rows: readonly T[], trainShare: number, seed: number): { train: T[]; test: T[] } {
  if (!(trainShare > 0 && trainShare < 1))
    throw new DatasetError(`split must be between 0 and 1 (exclusive), got ${trainShare}`);
  const order = Array.from(rows.keys());
  const rand = mulberry32(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const cut = Math.round(rows.length * trainShare);
  return { train: order.slice(0, cut).map((i) => rows[i]), test: order.slice(cut).map((i) => rows[i]) };
}

/** Rows as the learned router's training examples (their context as a request would carry it: `rowContext`). */
export function toExamples(rows: readonly DatasetRow[]): OutcomeExample[] {
  return rows.map((r) => {
    const context = rowContext(r);
    return {
      text: r.prompt,
      ...(r.task === undefined ? {} : { task: r.task }),
      ...(context === undefined ? {} : { context }),
      outcomes: Object.fromEntries(
        Object.entries(r.outcomes).map(([m, o]) => [
          m,
          { score: o.score, costUsd: o.cost_usd, outputTokens: o.output_tokens },
        ]),
      ),
    };
  });
}

/** Models with an outcome on every row, sorted. */
export function datasetModels(rows: readonly DatasetRow[]): string[] {
  return modelsOnEveryExample(rows);
}
