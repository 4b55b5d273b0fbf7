import {
  type DatasetRow,
  comparableRows,
  describeLeftOutModels,
  describeLeftOutRows,
  describeRenamed,
  loadDataset,
  withRoutableModelIds,
} from '@switchyard/datasets';

/** Datasets as a command routes them (`loadComparable`), with what was changed on the way and why. */
export interface ComparableInput {
  sets: DatasetRow[][];
  models: string[];
  /** Lines saying what the files' gaps left out (printed; eval keeps them in results.json). */
  leftOut: string[];
  /** Models whose names a policy cannot use, with the id each is routed under. */
  renamed: Array<{ from: string; to: string }>;
  /** Every line printed about the above, for a report. */
  notes: string[];
}

/**
 * Reads routing datasets for a command: each model under an id a policy can name (`withRoutableModelIds`),
 * and only the rows every router can be compared on (`comparableRows`: the same models across all the
 * files), printing what it renamed and left out, and why.
 */
export function loadComparable(files: readonly string[], print: (line: string) => void): ComparableInput {
  const name = files.join(' and ');
  const { sets: loaded, renamed } = withRoutableModelIds(files.map((f) => loadDataset(f)));
  const results = comparableRows(loaded, { name });
  const leftOut = [
    describeLeftOutModels(results[0], name),
    ...results.map((r, i) => describeLeftOutRows(r, files[i])),
  ].filter((line): line is string => line !== undefined);
  const rename = describeRenamed(renamed);
  const notes = [...(rename === undefined ? [] : [`${name}: ${rename}`]), ...leftOut];
  for (const line of notes) print(line);
  return { sets: results.map((r) => r.rows), models: results[0].models, leftOut, renamed, notes };
}
