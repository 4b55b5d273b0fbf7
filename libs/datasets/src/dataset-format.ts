import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';

/**
 * Longest `context` a row may carry: five times what a request's context is cut to (`CONTEXT_MAX_CHARS`),
 * so a dataset may keep whole conversations while a runaway field is still refused.
 */
export const DATASET_CONTEXT_MAX_CHARS = 20_000;

/** One line of a routing dataset (format: shared/datasets/README.md). Unknown fields are kept out. */
export const datasetRowSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  task: z.string().optional(),
  prompt: z.string(),
  /** The conversation before the prompt as text: system prompt and earlier user messages, most recent first. */
  context: z.string().max(DATASET_CONTEXT_MAX_CHARS).optional(),
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
 * file, the line and the field. `maxBytes` bounds the file and, gzipped, what it expands to.
 */
export function loadDataset(file: string, options: { maxBytes?: number } = {}): DatasetRow[] {
  let text: string;
  try {
    const max = options.maxBytes;
    const size = max === undefined ? 0 : statSync(file).size;
    if (max !== undefined && size > max) throw new Error(`${size} bytes, more than the ${max} allowed`);
    const bytes = readFileSync(file);
    const raw = file.endsWith('.gz') ? gunzipSync(bytes, max === undefined ? {} : { maxOutputLength: max }) : bytes;
    text = raw.toString('utf8');
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
