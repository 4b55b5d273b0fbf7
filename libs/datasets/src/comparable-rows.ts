import { type DatasetRow, DatasetError } from './dataset-format';

/** Share of rows a model needs outcomes on to be routed to (`comparableRows`). */
export const MIN_MODEL_COVERAGE = 0.9;

/** What `comparableRows` kept and left out, and why. */
export interface ComparableRows {
  /** Rows with an outcome of every kept model, in the file's order. */
  rows: DatasetRow[];
  /** The kept models, sorted. */
  models: string[];
  /** Models left out: outcomes on fewer than `minCoverage` of the rows. */
  droppedModels: Array<{ model: string; rows: number }>;
  /** Rows left out because they lack an outcome of some kept model, with how many lack each. */
  droppedRows: number;
  lacking: Array<{ model: string; rows: number }>;
  /** The rows given. */
  total: number;
}

/**
 * Rows every router can be compared on. Replaying a routing decision needs the chosen model's outcome, so a
 * row counts only where every model routed to has one. A model with outcomes on at least `minCoverage` of
 * the rows is kept, and the few rows lacking it are left out; a rarer model is left out instead, so one
 * missing outcome never costs a model and a sparse model never costs most of the rows. Pure; `sets` may be
 * several files (a train and a test file) judged together, so both keep the same models: a model is kept
 * only if it has that coverage in each of them (one file cannot lose most of its rows to a model only the
 * other has).
 */
export function comparableRows(
  sets: readonly (readonly DatasetRow[])[],
  options: { minCoverage?: number; name?: string } = {},
): ComparableRows[] {
  const min = options.minCoverage ?? MIN_MODEL_COVERAGE;
  const total = sets.reduce((n, s) => n + s.length, 0);
  const counts = new Map<string, number>();
  const perSet = sets.map((set) => {
    const inSet = new Map<string, number>();
    for (const row of set)
      for (const m of Object.keys(row.outcomes)) {
        inSet.set(m, (inSet.get(m) ?? 0) + 1);
        counts.set(m, (counts.get(m) ?? 0) + 1);
      }
    return inSet;
  });
  const models = [...counts.keys()]
    .filter((m) => sets.every((set, i) => (perSet[i].get(m) ?? 0) >= min * set.length))
    .sort();
  const droppedModels = [...counts]
    .filter(([m]) => !models.includes(m))
    .map(([model, rows]) => ({ model, rows }))
    .sort((a, b) => b.rows - a.rows || a.model.localeCompare(b.model));
  if (models.length < 2) {
    const best = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3);
    throw new DatasetError(
      `${options.name ?? 'dataset'}: routing needs at least two models with outcomes on ${Math.round(min * 100)}% of the rows; ` +
        (best.length === 0
          ? 'no row has an outcome'
          : `the most covered are ${best.map(([m, n]) => `${m} (${n} of ${total} rows)`).join(', ')}`),
    );
  }
  return sets.map((set) => {
    const lackingCount = new Map<string, number>();
    const rows = set.filter((row) => {
      let complete = true;
      for (const m of models)
        if (row.outcomes[m] === undefined) {
          lackingCount.set(m, (lackingCount.get(m) ?? 0) + 1);
          complete = false;
        }
      return complete;
    });
    return {
      rows,
      models,
      droppedModels,
      droppedRows: set.length - rows.length,
      lacking: [...lackingCount].map(([model, n]) => ({ model, rows: n })).sort((a, b) => b.rows - a.rows),
      total: set.length,
    };
  });
}

/** The models `comparableRows` left out, as a line for a command's output (undefined when none). */
export function describeLeftOutModels(result: ComparableRows, name: string): string | undefined {
  if (result.droppedModels.length === 0) return undefined;
  return `${name}: left out ${result.droppedModels.map((d) => `${d.model} (outcomes on ${d.rows} rows)`).join(', ')}: fewer than ${Math.round(MIN_MODEL_COVERAGE * 100)}% of the rows`;
}

/** The rows `comparableRows` left out of one set, as a line for a command's output (undefined when none). */
export function describeLeftOutRows(result: ComparableRows, name: string): string | undefined {
  if (result.droppedRows === 0) return undefined;
  return `${name}: left out ${result.droppedRows} of ${result.total} rows lacking an outcome of a routed model (${result.lacking.map((l) => `${l.model}: ${l.rows}`).join(', ')})`;
}
