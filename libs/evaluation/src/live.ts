import type { ChatRequest, RoutePlan } from '@switchyard/contracts';
import { REPLAY_ROW_METADATA, rowMessages } from '@switchyard/datasets';
import { type CostAwareKnob, type DecisionInput, type PolicyDocument, extractFeatures } from '@switchyard/routing';
import type { DatasetRow } from '@switchyard/datasets';
import { policyForDataset } from './dataset-policy';
import { replayPlan } from './replay-plan';

/** The tenant live evaluation sends as, and offline replay decides for: rules on tenants see the same one. */
export const LIVE_TENANT = 'eval';

/**
 * The request sent for a test prompt on the public subject: the prompt as the last user message (after the
 * row's context, when it has one: `rowMessages`), the row id in metadata so the replay provider answers
 * from that row even when the prompt is in the dataset twice, and with `taskHint` the row's task label as
 * the request's task hint (as a caller that knows it would).
 */
export function liveRequest(row: DatasetRow, requestId: string, taskHint = false): ChatRequest {
  return {
    requestId,
    tenant: LIVE_TENANT,
    messages: rowMessages(row),
    ...(taskHint && row.task !== undefined ? { hints: { task: row.task } } : {}),
    metadata: { [REPLAY_ROW_METADATA]: row.id },
  };
}

/**
 * What decision-engine decides on for a request sent on the public subject: the request as ingress passes
 * it on (its id and tenant filled in, not streamed) and the features analyzer extracts from it.
 */
export function decisionInputOf(request: ChatRequest): DecisionInput {
  const tenant = request.tenant ?? 'default';
  const passedOn: ChatRequest = { ...request, tenant, stream: false };
  return { request: passedOn, tenant, features: extractFeatures(passedOn.messages) };
}

/**
 * A policy with the cost-aware learned router as its only level, turned by `knob` (a cost weight or a
 * tolerance; without one, the policy default), for any dataset's models: each served by
 * the replay provider and priced at its observed dollars per token on the training part (what the router
 * weighs), no rules, no difficulty bands, no quotas. The default (never reached while the router answers)
 * is the cheapest model.
 */
export function livePolicyDocument(
  train: readonly DatasetRow[],
  models: readonly string[],
  artifact: string,
  knob?: CostAwareKnob,
  version = 'live-eval@1',
): PolicyDocument {
  const priced = policyForDataset(train, models).models;
  return {
    version,
    models: priced,
    rules: [],
    learned: { enabled: true, artifact, mode: 'cost-aware', ...knob, confidenceThreshold: 0.6 },
    default: { route: { model: priced[0].id }, params: {} },
  };
}

/** What the running services answered for one test prompt. */
export interface LiveAnswer {
  /** The dataset row's id. */
  id: string;
  ok: boolean;
  /** The model that answered. */
  model?: string;
  /** The model the decision chose; differs from `model` when provider-adapters fell back to another. */
  decidedModel?: string;
  costUsd?: number;
  policyVersion?: string;
  /** Why there is no answer: the error code and message, or the transport failure. */
  error?: string;
}

/** Quality, cost and where the prompts went, for one way of routing the test part. */
export interface RouteTotals {
  prompts: number;
  answered: number;
  /** Mean score of the chosen models' recorded answers over the answered prompts. */
  quality: number;
  /** Mean cost per answered prompt, US dollars. */
  costUsd: number;
  totalCostUsd: number;
  /** Answered prompts per model. */
  byModel: Record<string, number>;
}

export interface LiveComparison {
  offline: RouteTotals;
  live: RouteTotals;
  /** Prompts the live system routed to another model than the offline replay of the same policy. */
  differing: Array<{ id: string; offline: string; live: string }>;
  /** Prompts with no answer. */
  failed: Array<{ id: string; error: string }>;
  /** Answers whose cost is not the recorded cost of that model on that row. */
  costMismatches: Array<{ id: string; model: string; recordedUsd: number; liveUsd: number }>;
  /** Answers decided by another policy version than the one evaluated (a published policy superseding the file). */
  otherPolicy: Array<{ id: string; version: string }>;
  /** Every prompt answered, by the same model at the recorded cost, under the evaluated policy. */
  matches: boolean;
}

/** What the services should answer for a row under a decided plan, all its models available and well. */
export interface ExpectedAnswer {
  /** The model whose answer is returned. */
  model: string;
  /** The plan's lead model, as the decision names it (the model itself for a single-model plan). */
  decided: string;
  /** What the whole plan costs: every model it calls, at the recorded cost. */
  costUsd: number;
}

/**
 * Runs a decided plan on a row's recorded outcomes with the plan interpreter provider-adapters runs (every
 * model available, none failing): answers are the replay provider's (`replayedAnswer`), so checks and votes
 * read what the services read, and each call costs its recorded cost. A cascade's cost cap reads the next
 * tier's recorded cost as its expected cost (the services estimate it from prices and the tokens of the tier
 * before, so a capped cascade may stop one tier apart live).
 */
export function expectedAnswer(row: DatasetRow, plan: RoutePlan): ExpectedAnswer {
  const run = replayPlan(row, plan);
  return { model: run.answer.model, decided: plan.model, costUsd: run.costUsd };
}

/**
 * Compares the live answers with the offline decisions of the same policy, prompt by prompt (`offline[i]`
 * and `live[i]` belong to `rows[i]`). Live quality is the recorded score of the model that answered; live
 * cost is what the services charged.
 */
export function compareLive(
  rows: readonly DatasetRow[],
  offline: readonly ExpectedAnswer[],
  live: readonly LiveAnswer[],
  policyVersion?: string,
): LiveComparison {
  if (offline.length !== rows.length || live.length !== rows.length)
    throw new Error(`${rows.length} rows but ${offline.length} offline decisions and ${live.length} live answers`);
  const offlineTotals = totals(
    rows.length,
    rows.map((row, i) => {
      const outcome = row.outcomes[offline[i].model];
      if (!outcome)
        throw new Error(`the policy chose "${offline[i].model}" for row ${row.id}, which has no outcome for it`);
      return { model: offline[i].model, score: outcome.score, costUsd: offline[i].costUsd };
    }),
  );
  const result: Omit<LiveComparison, 'offline' | 'live' | 'matches'> = {
    differing: [],
    failed: [],
    costMismatches: [],
    otherPolicy: [],
  };
  const answered: Array<{ model: string; score: number; costUsd: number }> = [];
  rows.forEach((row, i) => {
    const a = live[i];
    if (a.id !== row.id) throw new Error(`live answer ${i} is for row ${a.id}, not ${row.id}`);
    if (!a.ok || a.model === undefined || a.costUsd === undefined) {
      result.failed.push({ id: row.id, error: a.error ?? 'no answer' });
      return;
    }
    if (policyVersion !== undefined && a.policyVersion !== policyVersion)
      result.otherPolicy.push({ id: row.id, version: a.policyVersion ?? '(none)' });
    const expected = offline[i];
    const decided = a.decidedModel ?? a.model;
    if (decided !== expected.decided || a.model !== expected.model)
      result.differing.push({
        id: row.id,
        offline: expected.decided === expected.model ? expected.model : `${expected.decided} -> ${expected.model}`,
        live: decided === a.model ? a.model : `${decided} -> ${a.model}`,
      });
    const outcome = row.outcomes[a.model];
    if (!outcome) {
      result.failed.push({ id: row.id, error: `answered by ${a.model}, which has no outcome on this row` });
      return;
    }
    if (Math.abs(expected.costUsd - a.costUsd) > 1e-12)
      result.costMismatches.push({ id: row.id, model: a.model, recordedUsd: expected.costUsd, liveUsd: a.costUsd });
    answered.push({ model: a.model, score: outcome.score, costUsd: a.costUsd });
  });
  const liveTotals = totals(rows.length, answered);
  const matches =
    result.differing.length === 0 &&
    result.failed.length === 0 &&
    result.costMismatches.length === 0 &&
    result.otherPolicy.length === 0 &&
    liveTotals.quality === offlineTotals.quality &&
    Math.abs(liveTotals.totalCostUsd - offlineTotals.totalCostUsd) <= 1e-9;
  return { offline: offlineTotals, live: liveTotals, ...result, matches };
}

function totals(
  prompts: number,
  answers: ReadonlyArray<{ model: string; score: number; costUsd: number }>,
): RouteTotals {
  let score = 0;
  let cost = 0;
  const byModel: Record<string, number> = {};
  for (const a of answers) {
    score += a.score;
    cost += a.costUsd;
    byModel[a.model] = (byModel[a.model] ?? 0) + 1;
  }
  const n = answers.length;
  return {
    prompts,
    answered: n,
    quality: n > 0 ? score / n : 0,
    costUsd: n > 0 ? cost / n : 0,
    totalCostUsd: cost,
    byModel,
  };
}
