import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DatasetRow } from '@switchyard/datasets';

/** The rows of `$DATASET` (MMLU-Pro's routing file by default), for the experiments in this folder. */
export function experimentRows(): DatasetRow[] {
  return readFileSync(resolve(process.env['DATASET'] ?? '../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as DatasetRow);
}
