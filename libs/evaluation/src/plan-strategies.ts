import type { RoutePlan } from '@switchyard/contracts';
import { type PlanSpec, planSpecSchema, voteConsensus } from '@switchyard/routing';
import type { DatasetRow } from '@switchyard/datasets';
import { recordedAnswer, replayPlan } from './replay-plan';
import { type StrategyResult, referencePoints } from './metrics';

/** A multi-model plan replayed offline: what `replay` returns, plus which models it called and how often it fell back. */
export interface PlanStrategyResult extends StrategyResult {
  family: 'cascade' | 'consensus';
  /** Cascade tiers in call order (cheapest first); consensus voters, strongest first. */
  models: string[];
  /** Cascade: share of prompts escalated past its first check (of one tier, or of the agreeing pair). Consensus: share without a quorum. */
  fallbackShare: number;
}

export interface PlanStrategies {
  results: PlanStrategyResult[];
  /** Why a strategy was not offered (missing `pred`, too few models...), one line each. */
  skipped: string[];
}

/**
 * A model's answers are known when `pred` is recorded (a string, or null for "no answer could be read")
 * on at least this share of rows; below it the data cannot replay answer-based plans honestly.
 */
export const PRED_COVERAGE = 0.99;

// The checks a cascade rule gets when its policy names none: the run-time default, read from the schema
// so the two cannot drift apart.
const DEFAULT_ACCEPTANCE = (
  planSpecSchema.parse({ kind: 'cascade', models: ['first', 'second'] }) as Extract<PlanSpec, { kind: 'cascade' }>
).acceptance;

/**
 * Cascades and consensus votes over the dataset's models, chosen on `train` only (by cost and train
 * quality, never by name) and replayed on `test`. Every strategy here reads the models' answers (`pred`),
 * never their scores, to decide; strategies whose models lack `pred` are skipped and listed in `skipped`.
 */
export function planStrategies(
  train: readonly DatasetRow[],
  test: readonly DatasetRow[],
  models: readonly string[],
): PlanStrategies {
  const cascades = cascadeStrategies(train, test, models);
  const votes = consensusStrategies(train, test, models);
  return { results: [...cascades.results, ...votes.results], skipped: [...cascades.skipped, ...votes.skipped] };
}

/**
 * - Acceptance cascade: the train cost-quality frontier (models no other model beats on both), cheapest
 *   first, each answer kept when it passes the run-time acceptance checks on its text.
 * - Agreement cascades: the two cheapest "good" models (train quality at least the mean of all models',
 *   and cheaper than the train-best model) are called; when their answers agree that answer is kept,
 *   otherwise the next tier is called and kept when it agrees with an earlier answer, the last tier always.
 *   Escalation tiers: the best model cheaper than the train-best (when it beats both of the pair), the
 *   train-best, and both in that order.
 *   Why not the frontier for the pair: a second voter is worth its independence, not its own price, so a
 *   dominated model of another family can still be the right one; the mean-quality bar keeps out weak
 *   models, whose agreements are mostly shared mistakes and coincidences.
 */
export function cascadeStrategies(
  train: readonly DatasetRow[],
  test: readonly DatasetRow[],
  models: readonly string[],
): PlanStrategies {
  const results: PlanStrategyResult[] = [];
  const skipped: string[] = [];
  const stats = trainStats(train, models);
  const unanswered = (tiers: readonly string[]) => tiers.filter((m) => !hasAnswers(train, test, m));

  const frontier = [...stats.byCost].filter((m, i, byCost) =>
    byCost.slice(0, i).every((cheaper) => stats.quality(cheaper) < stats.quality(m)),
  );
  if (frontier.length < 2) skipped.push('acceptance cascade: the train cost-quality frontier has one model');
  else if (unanswered(frontier).length > 0)
    skipped.push(`acceptance cascade: no pred for ${unanswered(frontier).join(', ')}`);
  else results.push(acceptanceCascade(`cascade ${frontier.join(' → ')} (acceptance checks)`, test, frontier));

  const meanQuality = models.reduce((s, m) => s + stats.quality(m), 0) / models.length;
  const cheaperThanBest = stats.byCost.filter((m) => stats.cost(m) < stats.cost(stats.best));
  const pair = cheaperThanBest.filter((m) => stats.quality(m) >= meanQuality).slice(0, 2);
  if (pair.length < 2) {
    skipped.push('agreement cascade: fewer than two models cheaper than the best one reach the mean train quality');
    return { results, skipped };
  }
  const mid = cheaperThanBest
    .filter((m) => !pair.includes(m) && pair.every((p) => stats.quality(m) > stats.quality(p)))
    .reduce<string | undefined>((a, b) => (a === undefined || stats.quality(b) > stats.quality(a) ? b : a), undefined);
  const escalations = mid === undefined ? [[stats.best]] : [[mid], [stats.best], [mid, stats.best]];
  for (const escalation of escalations) {
    const tiers = [...pair, ...escalation];
    const name = `agreement cascade: ${pair.join(' + ')} agree, else ${escalation.join(', else ')}`;
    if (unanswered(tiers).length > 0) skipped.push(`${name}: no pred for ${unanswered(tiers).join(', ')}`);
    else results.push(agreementCascade(name, test, tiers));
  }
  return { results, skipped };
}

/**
 * Majority votes of k = 3 and 5 voters: the k models of best train quality among those cheaper than the
 * train-best model. The best model is left out because a vote is only worth running if it gets near the
 * best model for less: with it among the voters the vote costs more than it alone. Quorum: a strict
 * majority. Without one, the run-time plan's escalation: the answer of the strongest voter (best train
 * quality, set as the plan's `escalateTo`; the run-time default, the priciest, can be a weak model), no
 * extra call.
 */
export function consensusStrategies(
  train: readonly DatasetRow[],
  test: readonly DatasetRow[],
  models: readonly string[],
): PlanStrategies {
  const results: PlanStrategyResult[] = [];
  const skipped: string[] = [];
  const stats = trainStats(train, models);
  const byQuality = stats.byCost
    .filter((m) => stats.cost(m) < stats.cost(stats.best))
    .sort((a, b) => stats.quality(b) - stats.quality(a) || stats.cost(a) - stats.cost(b));
  for (const k of [3, 5]) {
    if (byQuality.length < k) {
      skipped.push(
        `consensus of ${k}: only ${byQuality.length} model${byQuality.length === 1 ? ' is' : 's are'} cheaper than the best one`,
      );
      continue;
    }
    const voters = byQuality.slice(0, k);
    const missing = voters.filter((m) => !hasAnswers(train, test, m));
    const name = `consensus of ${k} (${voters.join(', ')}), majority`;
    if (missing.length > 0) skipped.push(`${name}: no pred for ${missing.join(', ')}`);
    else results.push(consensus(name, test, voters, Math.floor(k / 2) + 1));
  }
  return { results, skipped };
}

/**
 * The run-time cascade plan over `tiers` with the default acceptance checks, run by the plan interpreter on
 * the recorded answers (`pred`; a dataset records no finish reason, so none counts as truncated): the first
 * answer that passes, else the last tier's. Cost: every tier called.
 */
export function acceptanceCascade(
  name: string,
  rows: readonly DatasetRow[],
  tiers: readonly string[],
): PlanStrategyResult {
  const plan: RoutePlan = { kind: 'cascade', model: tiers[0], models: [...tiers], acceptance: DEFAULT_ACCEPTANCE };
  return replayStrategy(name, 'cascade', rows, tiers, (row) => {
    const run = replayPlan(row, plan, recordedAnswer);
    return { answeredBy: run.answer.model, called: run.called, fellBack: run.called.length > 1 };
  });
}

/**
 * Calls the first two tiers; from the second on, keeps the answer of the first tier whose answer agrees
 * (same normalised answer, through the run-time vote) with an earlier tier's; the last tier is kept
 * whatever it says. An empty answer agrees with nothing.
 */
export function agreementCascade(
  name: string,
  rows: readonly DatasetRow[],
  tiers: readonly string[],
): PlanStrategyResult {
  if (tiers.length < 3) throw new Error(`${name}: an agreement cascade needs two models and one to escalate to`);
  return replayStrategy(name, 'cascade', rows, tiers, (row) => {
    for (let i = 1; i < tiers.length; i++) {
      const vote = voteConsensus(votesOf(row, tiers.slice(0, i + 1)), 2);
      if (vote.agreed || i === tiers.length - 1)
        return {
          answeredBy: vote.agreed ? vote.majority[0] : tiers[i],
          called: tiers.slice(0, i + 1),
          fellBack: i > 1,
        };
    }
    throw new Error('unreachable: the last tier is always kept');
  });
}

/**
 * The run-time consensus plan (`onDisagreement: flag`, led by the first, strongest voter) run by the plan
 * interpreter: every voter is called (cost: all of them); the majority answer when it reaches `quorum`,
 * scored as the first voter that gave it; otherwise the strongest voter's answer. Empty answers do not vote.
 */
export function consensus(
  name: string,
  rows: readonly DatasetRow[],
  voters: readonly string[],
  quorum: number,
): PlanStrategyResult {
  const plan: RoutePlan = { kind: 'consensus', model: voters[0], models: [...voters], quorum, onDisagreement: 'flag' };
  return replayStrategy(name, 'consensus', rows, voters, (row) => {
    const run = replayPlan(row, plan, recordedAnswer);
    return {
      answeredBy: run.answer.model,
      called: run.called,
      fellBack: run.outcome?.kind === 'consensus' && !run.outcome.agreed,
    };
  });
}

interface PlanRun {
  /** The model whose answer (and so whose score) the plan returns. */
  answeredBy: string;
  called: readonly string[];
  /** Escalated past the plan's first check, or no quorum. */
  fellBack: boolean;
}

function replayStrategy(
  name: string,
  family: PlanStrategyResult['family'],
  rows: readonly DatasetRow[],
  models: readonly string[],
  run: (row: DatasetRow) => PlanRun,
): PlanStrategyResult {
  let quality = 0;
  let cost = 0;
  let fellBack = 0;
  for (const row of rows) {
    const r = run(row);
    quality += outcome(row, r.answeredBy).score;
    for (const m of r.called) cost += outcome(row, m).cost_usd;
    if (r.fellBack) fellBack++;
  }
  const n = rows.length;
  return { name, family, models: [...models], quality: quality / n, costUsd: cost / n, fallbackShare: fellBack / n };
}

function outcome(row: DatasetRow, model: string) {
  const o = row.outcomes[model];
  if (!o) throw new Error(`row ${row.id} has no outcome for "${model}"`);
  return o;
}

const votesOf = (row: DatasetRow, models: readonly string[]) =>
  models
    .map((model) => ({ model, answer: recordedAnswer(model, outcome(row, model)).content }))
    .filter((v) => v.answer.trim() !== '');

function hasAnswers(train: readonly DatasetRow[], test: readonly DatasetRow[], model: string): boolean {
  const share = (rows: readonly DatasetRow[]) =>
    rows.filter((r) => r.outcomes[model]?.pred !== undefined).length / Math.max(rows.length, 1);
  return share(train) >= PRED_COVERAGE && share(test) >= PRED_COVERAGE;
}

/** Train quality and cost per model; `byCost` cheapest first (ties: better first); `best` as referencePoints picks it. */
function trainStats(train: readonly DatasetRow[], models: readonly string[]) {
  const ref = referencePoints(train, models);
  const single = new Map(ref.singles.map((s) => [s.name, s]));
  const quality = (m: string) => single.get(m)?.quality ?? 0;
  const cost = (m: string) => single.get(m)?.costUsd ?? 0;
  const byCost = [...models].sort((a, b) => cost(a) - cost(b) || quality(b) - quality(a));
  return { best: ref.best.name, quality, cost, byCost };
}
