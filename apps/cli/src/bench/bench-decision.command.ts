import { readFileSync } from 'node:fs';
import { datasetModels, policyForDataset, splitDataset, toExamples } from '@switchyard/evaluation';
import { loadDataset } from '@switchyard/datasets';
import {
  LearnedRouter,
  compilePolicy,
  extractFeatures,
  learnedSettingsSchema,
  planRoute,
  trainLearnedRouter,
} from '@switchyard/routing';

export interface BenchDecisionOptions {
  dataset: string;
  prompts: number;
  /** A trained artifact; without one, the router is trained on the dataset's 70% train split first. */
  model?: string;
}

const out = (line = '') => process.stdout.write(`${line}\n`);

/**
 * In-process decision latency: features + every routing level (rules, difficulty, learned prediction) +
 * fallback order, on real prompts, timed one by one after a warm-up. No I/O: what decision-engine adds to a
 * request besides one Redis round trip.
 */
export async function runBenchDecision(opts: BenchDecisionOptions): Promise<number> {
  const rows = loadDataset(opts.dataset);
  const models = datasetModels(rows);
  const artifact = opts.model
    ? JSON.parse(readFileSync(opts.model, 'utf8'))
    : trainLearnedRouter(toExamples(splitDataset(rows, 0.7, 0).train), { version: 'bench', models });
  const router = new LearnedRouter(artifact);
  const policy = compilePolicy(policyForDataset(rows, models, 'in-memory'));
  const learned = {
    router,
    settings: learnedSettingsSchema.parse({ artifact: 'in-memory', mode: 'cost-aware' }),
  };
  const prompts = Array.from({ length: opts.prompts }, (_, i) => rows[i % rows.length].prompt);
  const decide = (content: string) => {
    const request = { messages: [{ role: 'user' as const, content }] };
    return planRoute(policy, { request, tenant: 'bench', features: extractFeatures(request.messages) }, learned);
  };
  for (let i = 0; i < Math.min(1000, prompts.length); i++) decide(prompts[i]);
  const times = new Float64Array(prompts.length);
  let sink = 0;
  for (let i = 0; i < prompts.length; i++) {
    const t0 = process.hrtime.bigint();
    sink += decide(prompts[i]).length;
    times[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  times.sort();
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(times.length * p))];
  const chars = prompts.reduce((a, p) => a + p.length, 0) / prompts.length;
  out(
    `decision latency over ${prompts.length} prompts of ${opts.dataset} (mean ${chars.toFixed(0)} chars; ${models.length} models; rules + difficulty + learned ${router.version}):`,
  );
  out(
    `  p50 ${q(0.5).toFixed(3)} ms   p90 ${q(0.9).toFixed(3)} ms   p99 ${q(0.99).toFixed(3)} ms   max ${times[times.length - 1].toFixed(3)} ms   (${sink} options planned)`,
  );
  return 0;
}
