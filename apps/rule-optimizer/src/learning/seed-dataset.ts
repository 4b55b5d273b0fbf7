import { type SeedRow, sampleSeedRows } from '@switchyard/analytics';
import { loadDataset, rowContext, withRoutableModelIds } from '@switchyard/datasets';
import { ConfigError } from '@switchyard/runtime';
import { SERVICE, type OptimizerConfig } from '../config';

/** Injection token of the seed dataset read at start-up (`SeedDataset`, or null when none is set). */
export const SEED_DATASET = Symbol('SEED_DATASET');

/** Largest seed file, and most a gzipped one may expand to: the rows live in the service's heap. */
export const SEED_DATASET_MAX_BYTES = 256 * 1024 * 1024;

/** RETRAIN_SEED_DATASET as every retraining uses it: read and validated once. */
export interface SeedDataset {
  file: string;
  /** Rows in the file; `rows` keeps at most RETRAIN_SEED_MAX_ROWS of them. */
  fileRows: number;
  rows: SeedRow[];
  weight: number;
}

/**
 * Reads RETRAIN_SEED_DATASET before the service opens any connection; a file that is missing, too large or
 * has a bad line is a ConfigError naming the variable, the file, the line and the field. Keeps only what
 * training reads of each row (no recorded answers).
 */
export function loadSeedDataset(
  config: Pick<OptimizerConfig, 'RETRAIN_SEED_DATASET' | 'RETRAIN_SEED_MAX_ROWS' | 'RETRAIN_SEED_WEIGHT'>,
): SeedDataset | null {
  const file = config.RETRAIN_SEED_DATASET;
  if (file === undefined) return null;
  let all: ReturnType<typeof loadDataset>;
  try {
    // Models under the ids policies name them by (`withRoutableModelIds`, as `switchyard eval` and `simulate`
    // route them): a name a policy cannot use would otherwise teach nothing.
    [all] = withRoutableModelIds([loadDataset(file, { maxBytes: SEED_DATASET_MAX_BYTES })]).sets;
  } catch (err) {
    throw new ConfigError(SERVICE, [`RETRAIN_SEED_DATASET=${JSON.stringify(file)}: ${(err as Error).message}`]);
  }
  const rows = sampleSeedRows(all, config.RETRAIN_SEED_MAX_ROWS).map((r): SeedRow => {
    // The conversation as a request carries it (cut as records' are), so seed rows train as records do.
    const context = rowContext(r);
    const outcomes: SeedRow['outcomes'] = {};
    for (const [model, o] of Object.entries(r.outcomes))
      outcomes[model] =
        o.output_tokens === undefined
          ? { score: o.score, cost_usd: o.cost_usd }
          : { score: o.score, cost_usd: o.cost_usd, output_tokens: o.output_tokens };
    return {
      prompt: r.prompt,
      ...(r.task === undefined ? {} : { task: r.task }),
      ...(context === undefined ? {} : { context }),
      outcomes,
    };
  });
  return { file, fileRows: all.length, rows, weight: config.RETRAIN_SEED_WEIGHT };
}
