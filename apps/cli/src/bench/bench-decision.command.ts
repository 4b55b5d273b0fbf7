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
import type { BenchOutcome } from './bench-outcome';
import { percentile } from './overhead/overhead-stats';

export interface BenchDecisionOptions {
  dataset: string;
  prompts: number;
  /** A trained artifact; without one, the router is trained on the dataset's 70% train split first. */
  model?: string;
}

/** What `bench decision` measured (`--json`). */
export interface BenchDecisionResult {
  settings: {
    dataset: string;
    prompts: number;
    /** The artifact given with --model; null when the router was trained on the dataset's 70% split first. */
    modelFile: string | null;
    /** Decisions made before timing, not counted. */
    warmupPrompts: number;
  };
  /** Models of the dataset, every one a candidate. */
  models: number;
  routerVersion: string;
  meanPromptChars: number;
  /** One decision: features, rules, difficulty, learned prediction and fallback order. */
  latency: { p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number };
  /** Options of every plan made, summed (keeps the work from being optimised away). */
  optionsPlanned: number;
}

/** What one run timed, before it is summed up. */
export interface DecisionSample {
  settings: BenchDecisionResult['settings'];
  models: number;
  routerVersion: string;
  prompts: readonly string[];
  /** One per prompt, in any order. */
  timesMs: ArrayLike<number>;
  optionsPlanned: number;
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const WARMUP = 1000;

/**
 * In-process decision latency: features + every routing level (rules, difficulty, learned prediction) +
 * fallback order, on real prompts, timed one by one after a warm-up. No I/O: what decision-engine adds to a
 * request besides one Redis round trip.
 */
export async function runBenchDecision(opts: BenchDecisionOptions): Promise<BenchOutcome<BenchDecisionResult>> {
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
  const warmup = Math.min(WARMUP, prompts.length);
  for (let i = 0; i < warmup; i++) decide(prompts[i]);
  const times = new Float64Array(prompts.length);
  let sink = 0;
  for (let i = 0; i < prompts.length; i++) {
    const t0 = process.hrtime.bigint();
    sink += decide(prompts[i]).length;
    times[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  const result = summarizeDecision({
    settings: { dataset: opts.dataset, prompts: opts.prompts, modelFile: opts.model ?? null, warmupPrompts: warmup },
    models: models.length,
    routerVersion: router.version,
    prompts,
    timesMs: times,
    optionsPlanned: sink,
  });
  for (const line of decisionReport(result)) out(line);
  return { exitCode: 0, result };
}

export function summarizeDecision(sample: DecisionSample): BenchDecisionResult {
  const sorted = Float64Array.from(sample.timesMs).sort();
  const chars = sample.prompts.reduce((a, p) => a + p.length, 0);
  return {
    settings: sample.settings,
    models: sample.models,
    routerVersion: sample.routerVersion,
    meanPromptChars: sample.prompts.length > 0 ? chars / sample.prompts.length : 0,
    latency: {
      p50Ms: percentile(sorted, 0.5),
      p90Ms: percentile(sorted, 0.9),
      p99Ms: percentile(sorted, 0.99),
      maxMs: percentile(sorted, 1),
    },
    optionsPlanned: sample.optionsPlanned,
  };
}

/** The report's lines: the result in words. */
export function decisionReport(r: BenchDecisionResult): string[] {
  const { latency: l } = r;
  return [
    `decision latency over ${r.settings.prompts} prompts of ${r.settings.dataset} (mean ${r.meanPromptChars.toFixed(0)} chars; ${r.models} models; rules + difficulty + learned ${r.routerVersion}):`,
    `  p50 ${l.p50Ms.toFixed(3)} ms   p90 ${l.p90Ms.toFixed(3)} ms   p99 ${l.p99Ms.toFixed(3)} ms   max ${l.maxMs.toFixed(3)} ms   (${r.optionsPlanned} options planned)`,
  ];
}
