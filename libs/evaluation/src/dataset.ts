import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { type OutcomeExample, modelsOnEveryExample, mulberry32 } from '@switchyard/routing';
import { z } from 'zod';

/** One line of a routing dataset (format: shared/datasets/README.md). Unknown fields are kept out. */
export const datasetRowSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  task: z.string().optional(),
  prompt: z.string(),
  outcomes: z
    .record(
      z.string(),
      z.object({
        score: z.number().min(0).max(1),
        pred: z.string().nullish(),
        input_tokens: z.number().nonnegative().optional(),
        output_tokens: z.number().nonnegative().optional(),
        cost_usd: z.number().nonnegative(),
      }),
    )
    .refine((o) => Object.keys(o).length > 0, 'needs at least one model outcome'),
});

export type DatasetRow = z.infer<typeof datasetRowSchema>;

/** A dataset that cannot be read; the message names the file, line and field. */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

/**
 * Reads a JSONL routing dataset (gzipped when its name ends in `.gz`); any bad line is an error naming the
 * file, the line and the field.
 */
export function loadDataset(file: string): DatasetRow[] {
  let text: string;
  try {
    const bytes = readFileSync(file);
    text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch (err) {
    throw new DatasetError(`cannot read dataset ${file}: ${(err as Error).message}`);
  }
  return parseDataset(text, file);
}

export function parseDataset(text: string, name = 'dataset'): DatasetRow[] {
  const rows: DatasetRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      throw new DatasetError(`${name}:${i + 1}: not valid JSON: ${(err as Error).message}`);
    }
    const parsed = datasetRowSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DatasetError(`${name}:${i + 1}: ${issue.path.map(String).join('.') || '(row)'}: ${issue.message}`);
    }
    rows.push(parsed.data);
  }
  if (rows.length === 0) throw new DatasetError(`${name}: no rows`);
  return rows;
}

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

/** Rows as the learned router's training examples. */
export function toExamples(rows: readonly DatasetRow[]): OutcomeExample[] {
  return rows.map((r) => ({
    text: r.prompt,
    ...(r.task === undefined ? {} : { task: r.task }),
    outcomes: Object.fromEntries(
      Object.entries(r.outcomes).map(([m, o]) => [
        m,
        { score: o.score, costUsd: o.cost_usd, outputTokens: o.output_tokens },
      ]),
    ),
  }));
}

/** Models with an outcome on every row, sorted. */
export function datasetModels(rows: readonly DatasetRow[]): string[] {
  return modelsOnEveryExample(rows);
}
