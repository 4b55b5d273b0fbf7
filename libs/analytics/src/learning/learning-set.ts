import { type Decision, type Features, type Usage, estimateTokens, messagesWithContext } from '@switchyard/contracts';
import {
  type CompiledPolicy,
  type LearnedContext,
  type LearnedRouter,
  extractFeatures,
  routeOptions,
} from '@switchyard/routing';
import { qualityOf } from '../rollups/rollup';

/** Where a request's quality label came from, most trusted first. */
export type LabelSource = 'feedback' | 'judge' | 'dataset';

/** The fields of a stored routing record the learning loop reads (routing_records, lean). */
export interface StoredOutcome {
  tenant: string;
  status?: 'succeeded' | 'failed';
  completedAt?: Date;
  prompt?: string;
  context?: string;
  taskHint?: string;
  features?: Features;
  decision?: Decision;
  model?: string;
  costUsd?: number;
  usage?: Usage;
  feedback?: { rating?: number; success?: boolean; submittedAt?: Date };
  label?: { quality: number; source: LabelSource; at: Date };
}

/** One labelled request as a learner and an off-policy evaluator need it. */
export interface LearningRecord {
  text: string;
  task?: string;
  /** The conversation before `text` (`contextText`), when the request had one and the record kept it. */
  context?: string;
  features?: Features;
  tenant: string;
  /** The model that answered. */
  model: string;
  /** The probability with which the logging policy chose that model (1 when deterministic). */
  propensity: number;
  /** What the policy in force chose itself (differs from `model` under exploration). */
  policyChoice: string;
  /**
   * The answer is the decision's own single-model choice (no cascade or vote, no fallback after a failure):
   * the logged action an off-policy evaluation may weigh by its propensity.
   */
  evaluable: boolean;
  quality: number;
  labelSource: LabelSource;
  costUsd: number;
  outputTokens?: number;
  at: number;
  policyVersion?: string;
}

/**
 * A record's label, in order of trust: the caller's feedback (success, else the rating on 0..1), then a
 * stored judge's or dataset's label. Undefined when the request has none.
 */
export function labelOf(record: StoredOutcome): { quality: number; source: LabelSource } | undefined {
  const fromFeedback = qualityOf(record.feedback);
  if (fromFeedback !== undefined) return { quality: fromFeedback, source: 'feedback' };
  if (record.label && Number.isFinite(record.label.quality))
    return { quality: Math.min(Math.max(record.label.quality, 0), 1), source: record.label.source };
  return undefined;
}

/**
 * Why a stored record cannot teach, or undefined when it can: it did not succeed, it has no label, or its
 * text was not kept (feedback-aggregator's RECORD_PROMPTS=none) or was removed (PROMPT_RETENTION_DAYS).
 */
export function unlearnableBecause(record: StoredOutcome): 'not-succeeded' | 'unlabelled' | 'no-text' | undefined {
  if (record.status !== 'succeeded' || !record.model || !record.completedAt) return 'not-succeeded';
  if (!labelOf(record)) return 'unlabelled';
  if (!record.prompt) return 'no-text';
  return undefined;
}

/** A stored record as the learning loop uses it; undefined when it cannot teach (see `unlearnableBecause`). */
export function learningRecordOf(record: StoredOutcome): LearningRecord | undefined {
  if (record.status !== 'succeeded' || !record.model || !record.prompt || !record.completedAt) return undefined;
  const label = labelOf(record);
  if (!label) return undefined;
  const decision = record.decision;
  const plan = decision?.plan;
  const evaluable = plan?.kind === 'single' && plan.model === record.model;
  const out: LearningRecord = {
    text: record.prompt,
    tenant: record.tenant,
    model: record.model,
    propensity: evaluable ? (decision?.propensity ?? 1) : 1,
    policyChoice: decision?.policyChoice ?? record.model,
    evaluable,
    quality: label.quality,
    labelSource: label.source,
    costUsd: record.costUsd ?? 0,
    at: new Date(record.completedAt).getTime(),
  };
  if (record.taskHint !== undefined) out.task = record.taskHint;
  if (record.context) out.context = record.context;
  if (record.features !== undefined) out.features = record.features;
  if (record.usage !== undefined) out.outputTokens = record.usage.outputTokens;
  if (decision?.policyVersion !== undefined) out.policyVersion = decision.policyVersion;
  return out;
}

/**
 * Splits by time: the most recent `holdoutShare` of the evaluable records (at least `minHoldout` when there
 * are that many) are held out for the gate; everything older trains. Nothing is in both.
 */
export function splitByTime(
  records: readonly LearningRecord[],
  holdoutShare: number,
): { train: LearningRecord[]; holdout: LearningRecord[] } {
  const sorted = [...records].sort((a, b) => a.at - b.at);
  const evaluable = sorted.filter((r) => r.evaluable).length;
  const wanted = Math.floor(evaluable * holdoutShare);
  const holdout: LearningRecord[] = [];
  let cut = sorted.length;
  while (cut > 0 && holdout.length < wanted) {
    cut--;
    if (sorted[cut].evaluable) holdout.push(sorted[cut]);
  }
  return { train: sorted.slice(0, cut), holdout: holdout.reverse() };
}

export interface LabelledRecordExample {
  text: string;
  task?: string;
  /** The conversation before `text`, a feature of a router trained with a context weight. */
  context?: string;
  labels: Record<string, { score: number; costUsd: number; outputTokens?: number }>;
  /** How much the example counts in training (a seed dataset's rows may count less); 1 when absent. */
  weight?: number;
}

/** Training examples for `trainRouterFromLabels`: one label each, for the model that answered. */
export function labelledExamples(records: readonly LearningRecord[]): LabelledRecordExample[] {
  return records.map((r) => {
    const label: { score: number; costUsd: number; outputTokens?: number } = { score: r.quality, costUsd: r.costUsd };
    if (r.outputTokens !== undefined) label.outputTokens = r.outputTokens;
    const example: LabelledRecordExample = { text: r.text, labels: { [r.model]: label } };
    if (r.task !== undefined) example.task = r.task;
    if (r.context !== undefined) example.context = r.context;
    return example;
  });
}

/**
 * The model a policy routes a recorded request to when every model is available (no exploration). The
 * request is rebuilt as its context (one earlier user message) then its text, so a learned router that reads
 * the conversation gets what `contextText` gave it when the request was routed.
 */
export function policyChoiceOn(policy: CompiledPolicy, record: LearningRecord, learned?: LearnedContext): string {
  const messages = messagesWithContext(record.text, record.context);
  const request = record.task !== undefined ? { messages, hints: { task: record.task } } : { messages };
  const first = routeOptions(
    policy,
    { request, tenant: record.tenant, features: record.features ?? extractFeatures(messages) },
    learned,
  ).next();
  if (first.done) throw new Error(`policy ${policy.version} names no model`);
  return first.value.model;
}

/**
 * The reward model of the doubly robust estimate: the router's predicted quality of each model on a record
 * and the expected cost of calling it (its prices, the prompt's tokens, the model's usual answer length).
 * A model the router does not know is predicted at `fallbackQuality`.
 */
export function rewardModel(
  router: LearnedRouter,
  policy: CompiledPolicy,
  fallbackQuality: number,
): {
  quality: (record: LearningRecord, model: string) => number;
  cost: (record: LearningRecord, model: string) => number;
} {
  const cache = new WeakMap<LearningRecord, Float64Array>();
  return {
    quality: (record, model) => {
      const i = router.models.indexOf(model);
      if (i < 0) return fallbackQuality;
      let q = cache.get(record);
      if (!q) {
        q = router.predictQuality(record.text, record.task, router.usesContext ? record.context : undefined).quality;
        cache.set(record, q);
      }
      return q[i];
    },
    cost: (record, model) => {
      const spec = policy.models.get(model);
      // The request's input as the analyzer counted it (the whole conversation), else the text's.
      const inputTokens = record.features?.tokenEstimate ?? estimateTokens(record.text);
      return spec ? router.expectedCostUsd(inputTokens, model, spec.priceUsdPerMTok) : 0;
    },
  };
}
