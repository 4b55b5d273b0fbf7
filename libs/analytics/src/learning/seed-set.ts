import { mulberry32 } from '@switchyard/routing';
import type { LabelledRecordExample } from './learning-set';

/**
 * One row of a routing dataset (libs/datasets' `DatasetRow`, structurally; docs/datasets.md): how every
 * model of the file did on one prompt.
 */
export interface SeedRow {
  prompt: string;
  task?: string;
  /** The conversation before `prompt`, as records keep theirs. */
  context?: string;
  outcomes: Record<string, { score: number; cost_usd: number; output_tokens?: number }>;
}

/** A seed dataset merged into a retraining's training part. */
export interface SeedSet {
  rows: readonly SeedRow[];
  /** How much a seed row counts against a production record in training (its gradient's factor); 1 by default. */
  weight?: number;
}

/** What a seed dataset added to one training set: what `learning_runs` stores of it. */
export interface SeedSummary {
  /** Rows given. */
  rows: number;
  /** Rows that became training examples. */
  used: number;
  /** Rows left out because a held-out record has their text: the gate never grades on what was trained on. */
  heldOut: number;
  /** Rows with an outcome of none of the policy's models. */
  withoutPolicyModel: number;
  weight: number;
  /** The policy's models the used rows label, and the file's models the policy does not have (ignored). */
  models: string[];
  ignoredModels: string[];
}

/**
 * Leading characters of a prompt that identify it when comparing a seed row with a recorded request: a
 * record keeps the routed text capped (4,000 characters), so whole texts of long prompts would never match.
 */
export const SEED_TEXT_KEY_CHARS = 1000;

/**
 * A seed dataset's rows as examples of the partial-label trainer (`trainRouterFromLabels`). A row has every
 * model's outcome: it is a full-information example, one per row, labelling each of the policy's models it
 * has an outcome for, as if each had answered it (propensity 1: nothing to reweigh). The trainer learns each
 * model's output only from the rows that label it, so one row labelling k models teaches each exactly what k
 * rows with one label each would, at one featurisation. Models the policy does not have are ignored; rows
 * labelling none of the policy's models, and rows whose text is a held-out record's (`exclude`), are left out.
 * Costs and answer lengths are the file's, as `switchyard train` and the replay provider use them.
 */
export function seedExamples(
  seed: SeedSet,
  policyModels: readonly string[],
  exclude: readonly string[] = [],
): { examples: LabelledRecordExample[]; summary: SeedSummary } {
  const weight = seed.weight ?? 1;
  if (!(Number.isFinite(weight) && weight > 0)) throw new Error(`the seed weight must be above 0; got ${weight}`);
  const inPolicy = new Set(policyModels);
  const excluded = new Set(exclude.map(textKey));
  const labelled = new Set<string>();
  const ignored = new Set<string>();
  const examples: LabelledRecordExample[] = [];
  let heldOut = 0;
  let withoutPolicyModel = 0;
  for (const row of seed.rows) {
    const labels: LabelledRecordExample['labels'] = {};
    for (const [model, outcome] of Object.entries(row.outcomes)) {
      if (!inPolicy.has(model)) {
        ignored.add(model);
        continue;
      }
      const label: LabelledRecordExample['labels'][string] = { score: outcome.score, costUsd: outcome.cost_usd };
      if (outcome.output_tokens !== undefined) label.outputTokens = outcome.output_tokens;
      labels[model] = label;
    }
    const models = Object.keys(labels);
    if (models.length === 0) {
      withoutPolicyModel++;
      continue;
    }
    if (excluded.has(textKey(row.prompt))) {
      heldOut++;
      continue;
    }
    for (const m of models) labelled.add(m);
    const example: LabelledRecordExample = { text: row.prompt, labels };
    if (row.task !== undefined) example.task = row.task;
    if (row.context) example.context = row.context;
    if (weight !== 1) example.weight = weight;
    examples.push(example);
  }
  return {
    examples,
    summary: {
      rows: seed.rows.length,
      used: examples.length,
      heldOut,
      withoutPolicyModel,
      weight,
      models: policyModels.filter((m) => labelled.has(m)),
      ignoredModels: [...ignored].sort(),
    },
  };
}

/**
 * At most `max` rows of a seed file: all of them when it has no more, else a seeded sample in file order
 * (a file sorted by task still gives every task its share; the same file gives the same rows every start).
 */
export function sampleSeedRows<T>(rows: readonly T[], max: number, seed = 0): T[] {
  if (rows.length <= max) return [...rows];
  const random = mulberry32(seed);
  const order = Array.from(rows.keys());
  // Partial Fisher-Yates: the first `max` positions end up a uniform sample.
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(random() * (order.length - i));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order
    .slice(0, max)
    .sort((a, b) => a - b)
    .map((i) => rows[i]);
}

function textKey(text: string): string {
  return text.slice(0, SEED_TEXT_KEY_CHARS);
}
