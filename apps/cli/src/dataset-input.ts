import {
  type DatasetRow,
  comparableRows,
  describeLeftOutModels,
  describeLeftOutRows,
  loadDataset,
} from '@switchyard/datasets';

/**
 * Reads routing datasets for a command and keeps the rows every router can be compared on
 * (`comparableRows`: the same models across all the files), printing what it left out and why (and
 * returning those lines, for a results file).
 */
export function loadComparable(
  files: readonly string[],
  print: (line: string) => void,
): { sets: DatasetRow[][]; models: string[]; leftOut: string[] } {
  const loaded = files.map((f) => loadDataset(f));
  const name = files.join(' and ');
  const results = comparableRows(loaded, { name });
  const lines = [describeLeftOutModels(results[0], name), ...results.map((r, i) => describeLeftOutRows(r, files[i]))];
  const leftOut = lines.filter((line): line is string => line !== undefined);
  for (const line of leftOut) print(line);
  return { sets: results.map((r) => r.rows), models: results[0].models, leftOut };
}
