import { readFileSync } from 'node:fs';
import { policyForDataset, splitDataset, toExamples } from '@switchyard/evaluation';
import { loadComparable } from '../dataset-input';
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
  /**
   * Its pieces, each timed on its own over the same prompts after the whole decisions: the request's
   * features, the learned prediction, and planning every option without the learned level (features given).
   * What the decision's time is made of (they need not add up to it: caches are warmer alone).
   */
  pieces: Record<DecisionPiece, { p50Ms: number; p99Ms: number }>;
  /** Options of every plan made, summed (keeps the work from being optimised away). */
  optionsPlanned: number;
}

export type DecisionPiece = 'features' | 'learned' | 'planning';

/** What one run timed, before it is summed up. */
export interface DecisionSample {
  settings: BenchDecisionResult['settings'];
  models: number;
  routerVersion: string;
  prompts: readonly string[];
  /** One per prompt, in any order. */
  timesMs: ArrayLike<number>;
  /** Each piece's times, one per prompt. */
  pieceTimesMs: Record<DecisionPiece, ArrayLike<number>>;
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
  const {
    sets: [rows],
    models,
  } = loadComparable([opts.dataset], out);
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
  let sink = 0;
  // Each prompt once after `warmup` untimed calls: the times in ms, one per prompt.
  const timed = (call: (prompt: string, i: number) => number) => {
    for (let i = 0; i < warmup; i++) call(prompts[i], i);
    const times = new Float64Array(prompts.length);
    for (let i = 0; i < prompts.length; i++) {
      const t0 = process.hrtime.bigint();
      sink += call(prompts[i], i);
      times[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    }
    return times;
  };
  const times = timed((content) => decide(content).length);
  const options = sink;
  const features = prompts.map((content) => extractFeatures([{ role: 'user', content }]));
  const pieceTimesMs = {
    features: timed((content) => extractFeatures([{ role: 'user', content }]).chars),
    learned: timed((content) => router.predictQuality(content).quality.length),
    planning: timed(
      (content, i) =>
        planRoute(policy, {
          request: { messages: [{ role: 'user', content }] },
          tenant: 'bench',
          features: features[i],
        }).length,
    ),
  };
  const result = summarizeDecision({
    settings: { dataset: opts.dataset, prompts: opts.prompts, modelFile: opts.model ?? null, warmupPrompts: warmup },
    models: models.length,
    routerVersion: router.version,
    prompts,
    timesMs: times,
    pieceTimesMs,
    optionsPlanned: options,
  });
  for (const line of decisionReport(result)) out(line);
  return { exitCode: 0, result };
}

export function summarizeDecision(sample: DecisionSample): BenchDecisionResult {
  const sorted = Float64Array.from(sample.timesMs).sort();
  const chars = sample.prompts.reduce((a, p) => a + p.length, 0);
  const piece = (times: ArrayLike<number>) => {
    const t = Float64Array.from(times).sort();
    return { p50Ms: percentile(t, 0.5), p99Ms: percentile(t, 0.99) };
  };
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
    pieces: {
      features: piece(sample.pieceTimesMs.features),
      learned: piece(sample.pieceTimesMs.learned),
      planning: piece(sample.pieceTimesMs.planning),
    },
  };
}

/** The report's lines: the result in words. */
export function decisionReport(r: BenchDecisionResult): string[] {
  const { latency: l, pieces: p } = r;
  const ms = (x: number) => x.toFixed(3);
  return [
    `decision latency over ${r.settings.prompts} prompts of ${r.settings.dataset} (mean ${r.meanPromptChars.toFixed(0)} chars; ${r.models} models; rules + difficulty + learned ${r.routerVersion}):`,
    `  p50 ${l.p50Ms.toFixed(3)} ms   p90 ${l.p90Ms.toFixed(3)} ms   p99 ${l.p99Ms.toFixed(3)} ms   max ${l.maxMs.toFixed(3)} ms   (${r.optionsPlanned} options planned)`,
    `  pieces, each timed alone: features p50 ${ms(p.features.p50Ms)} p99 ${ms(p.features.p99Ms)}; learned prediction p50 ${ms(p.learned.p50Ms)} p99 ${ms(p.learned.p99Ms)}; planning without it p50 ${ms(p.planning.p50Ms)} p99 ${ms(p.planning.p99Ms)} (ms)`,
  ];
}
