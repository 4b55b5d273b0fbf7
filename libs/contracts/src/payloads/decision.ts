import { z } from 'zod';
import { generationParamsSchema } from './chat-request';

/**
 * Which level chose the model; `explore` is the policy's exploration share, sent to another candidate;
 * `pinned`: the caller named the model.
 */
export const ROUTING_METHODS = ['rule', 'difficulty', 'learned', 'fallback', 'canary', 'explore', 'pinned'] as const;
export type RoutingMethod = (typeof ROUTING_METHODS)[number];

/** Heuristic checks an answer must pass for a cascade to stop at it (no peeking at ground truth). */
export const ACCEPTANCE_CHECKS = ['non-empty', 'not-refusal', 'not-truncated', 'valid-json'] as const;
export type AcceptanceCheck = (typeof ACCEPTANCE_CHECKS)[number];

export const routePlanSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('single'), model: z.string().min(1) }),
  z.object({
    kind: z.literal('cascade'),
    /** The first model to try: `models[0]`, always the one the engine reserved. */
    model: z.string().min(1),
    /** Cheapest first; the next is tried only when an answer fails the acceptance checks. */
    models: z.array(z.string().min(1)).min(2),
    acceptance: z.array(z.enum(ACCEPTANCE_CHECKS)).min(1),
    /** Stop escalating once this much has been spent on the request. */
    maxCostUsd: z.number().positive().optional(),
    /**
     * The seed's self-evaluation: an answer that passes the checks is accepted only when the policy's judge
     * (execution.judge) grades it at least this, 1-10; the judge's cost is the plan's. A replica of an
     * earlier release ignores it and accepts by the checks alone.
     */
    acceptGrade: z.number().int().min(1).max(10).optional(),
  }),
  z.object({
    kind: z.literal('consensus'),
    /** The strongest model of the vote, used when it must be escalated. */
    model: z.string().min(1),
    /** Called in parallel. */
    models: z.array(z.string().min(1)).min(2),
    /** Answers that must agree. */
    quorum: z.number().int().min(2),
    /** No quorum: ask `model` alone (escalate) or return the answers with the disagreement flagged. */
    onDisagreement: z.enum(['escalate', 'flag']),
  }),
]);

/** What provider-adapters must run for a request. */
export type RoutePlan = z.infer<typeof routePlanSchema>;

export const decisionSchema = z.object({
  plan: routePlanSchema,
  method: z.enum(ROUTING_METHODS),
  /** Human-readable why. */
  reason: z.string(),
  /**
   * Name of the L1 rule that matched, if any; travels on to completion and feedback. Kept when a later level
   * answered its request (its model was out of quota: `fallback`; or `explore`): the rule's traffic.
   */
  rule: z.string().optional(),
  /** The L2 difficulty band whose traffic this is (`< 0.5`, `>= 0.8`), when no rule matched; for stats like `rule`. */
  band: z.string().optional(),
  /**
   * The probability with which the policy chose this model for this request: below 1 under exploration
   * (the explored model's share, or the policy's own choice's), left out when the choice was deterministic.
   */
  propensity: z.number().min(0).max(1).optional(),
  /**
   * When exploration sent the request to another model: the model the policy itself chose. With the
   * propensity, what an off-policy evaluation of the policy in force needs (its choice on every request).
   */
  policyChoice: z.string().optional(),
  params: generationParamsSchema,
  policyVersion: z.string(),
  /** Version of the learned router's model, when the learned level took part. */
  learnedModelVersion: z.string().optional(),
  /** Models the engine considered, in its order of preference. */
  alternatives: z.array(z.string()),
  /** The canary arm this request was routed by, when a canary runs (`policyVersion` is that arm's policy). */
  canaryArm: z.enum(['control', 'candidate']).optional(),
  /** Models passed over and why (`out of quota`, `cooling down`). */
  skipped: z.array(z.object({ model: z.string(), why: z.string() })).optional(),
  /**
   * Models taken out before any level decided because they cannot honour the request, and why
   * (`lacks vision (messages.0.content.1 is an image)`, `prompt of ~9,800 tokens + maxTokens 512 exceeds contextWindow 8,192`).
   */
  filtered: z.array(z.object({ model: z.string(), why: z.string() })).optional(),
  /** The routing profile the caller asked for (`model: "auto:cheap"`). */
  profile: z.string().optional(),
});

export type Decision = z.infer<typeof decisionSchema>;

/** How a multi-model plan went: the tiers a cascade tried, or a consensus vote. */
export const planOutcomeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('cascade'),
    tried: z.array(z.string()),
    /** False when no tier's answer passed the checks and the last one is returned. */
    accepted: z.boolean(),
    stoppedAtCostCap: z.boolean().optional(),
    /** With `acceptGrade`: the judge's grade of each answer it was asked about (none: it gave no clear grade). */
    grades: z.array(z.object({ model: z.string(), grade: z.number().int().min(1).max(10).optional() })).optional(),
  }),
  z.object({
    kind: z.literal('consensus'),
    agreed: z.boolean(),
    majority: z.array(z.string()),
    votes: z.array(z.object({ model: z.string(), content: z.string() })),
    /** Without a quorum: the strongest model's answer, escalated or flagged. */
    resolution: z.enum(['escalate', 'flag']).optional(),
    /** Without a quorum, the model outside the vote that was asked and answered. */
    escalatedTo: z.string().optional(),
  }),
]);

export type PlanOutcome = z.infer<typeof planOutcomeSchema>;
