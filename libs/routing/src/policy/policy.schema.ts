import { ACCEPTANCE_CHECKS, generationParamsSchema, modelSpecSchema } from '@switchyard/contracts';
import { z } from 'zod';

const ID = /^[A-Za-z0-9][\w.:/-]{0,127}$/;

/** A route target: one model by id, or a tier (its models in policy order). */
export const routeTargetSchema = z.union([
  z.object({ model: z.string().min(1) }).strict(),
  z.object({ tier: z.string().min(1) }).strict(),
]);

export type RouteTarget = z.infer<typeof routeTargetSchema>;

export const ruleConditionSchema = z
  .object({
    /** Any of these keywords in the last user message (Chinese substrings, English whole words). */
    keywordsAny: z.array(z.string().min(1)).min(1).optional(),
    /**
     * An RE2 regular expression (linear time: no backreferences or lookaround) tested against the last user
     * message, its first 65,536 characters.
     */
    regex: z.string().min(1).max(1000).optional(),
    regexFlags: z
      .string()
      .regex(/^[imsu]*$/, 'only i, m, s and u flags are allowed')
      .optional(),
    minChars: z.number().int().nonnegative().optional(),
    maxChars: z.number().int().positive().optional(),
    /** Request hint `task` is one of these. */
    taskIn: z.array(z.string().min(1)).min(1).optional(),
    tenantIn: z.array(z.string().min(1)).min(1).optional(),
    /** Every listed metadata key has the given value. */
    metadata: z.record(z.string(), z.string()).optional(),
  })
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'a rule needs at least one condition');

export type RuleCondition = z.infer<typeof ruleConditionSchema>;

/** A rule's multi-model strategy: the seed's cascade (cheap first, escalate) or consensus voting. */
export const planSpecSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('cascade'),
      /** Cheapest first. */
      models: z.array(z.string().min(1)).min(2),
      acceptance: z.array(z.enum(ACCEPTANCE_CHECKS)).min(1).default(['non-empty', 'not-refusal', 'not-truncated']),
      maxCostUsd: z.number().positive().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('consensus'),
      models: z.array(z.string().min(1)).min(2),
      quorum: z.number().int().min(2),
      onDisagreement: z.enum(['escalate', 'flag']).default('escalate'),
      /**
       * Who answers when the vote fails and the plan escalates; default: the priciest of `models`. A model
       * outside `models` is asked only then (an agreement cascade: two cheap voters, a strong tie-breaker).
       */
      escalateTo: z.string().min(1).optional(),
    })
    .strict(),
]);

export type PlanSpec = z.infer<typeof planSpecSchema>;

export const ruleSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be lower-case letters, digits, _ or -'),
    enabled: z.boolean().default(true),
    when: ruleConditionSchema,
    /** One model or tier; or, instead, a multi-model `plan`. */
    route: routeTargetSchema.optional(),
    plan: planSpecSchema.optional(),
    params: generationParamsSchema.default({}),
  })
  .refine((r) => (r.route === undefined) !== (r.plan === undefined), {
    message: 'give a rule either "route" or "plan"',
    path: ['route'],
  });

export type Rule = z.infer<typeof ruleSchema>;

export const difficultyBandSchema = z.object({
  /** Difficulty strictly below this falls in the band; the last band has none and takes the rest. */
  below: z.number().gt(0).lte(1).optional(),
  route: routeTargetSchema,
  params: generationParamsSchema.default({}),
});

export const learnedSettingsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Path of the trained artifact (switchyard train), relative to the policy file. */
    artifact: z.string().min(1).optional(),
    /**
     * Or a version in the model store (MongoDB): what `switchyard train --publish` and the nightly retraining
     * store, loaded by every decision-engine replica without a file. Give `artifact` or `model`.
     */
    model: z.string().regex(ID, 'must be a model version of letters, digits and . _ : / -').optional(),
    /** cost-aware: a per-model quality prediction traded against cost; classifier: the seed's best-model classifier. */
    mode: z.enum(['cost-aware', 'classifier']).default('cost-aware'),
    /**
     * cost-aware: the model with the highest predicted quality − costWeight × cost (cost in units of the dearest
     * model's mean cost). 0 buys the best predicted model; the default is DEFAULT_COST_WEIGHT.
     */
    costWeight: z.number().min(0).optional(),
    /** cost-aware, instead of costWeight: the cheapest model within `tolerance` of the best predicted quality. */
    tolerance: z.number().min(0).max(1).optional(),
    /**
     * cost-aware, instead of either: what to aim for, resolved on the router's calibration (measured at
     * training time on held-out data): `{ quality: 0.98, of: <model> }`, the cheapest setting reaching 98% of
     * that model's quality, or `{ maxCostPerRequestUsd: X }`, the best setting within that mean cost. Between
     * two settings the router serves a mix of both, split by a hash of the prompt.
     */
    target: z
      .union([
        z.object({ quality: z.number().gt(0).max(2), of: z.string().min(1) }).strict(),
        z.object({ maxCostPerRequestUsd: z.number().positive() }).strict(),
      ])
      .optional(),
    /** classifier mode: below this confidence, route to `fallback` (the seed's premium fallback). */
    confidenceThreshold: z.number().min(0).max(1).default(0.6),
    fallback: routeTargetSchema.optional(),
  })
  .strict()
  .refine((s) => s.costWeight === undefined || s.tolerance === undefined, {
    message: 'set costWeight or tolerance, not both',
    path: ['tolerance'],
  })
  .refine((s) => s.target === undefined || (s.costWeight === undefined && s.tolerance === undefined), {
    message: 'set target, or costWeight or tolerance, not both',
    path: ['target'],
  })
  .refine((s) => s.target === undefined || s.mode === 'cost-aware', {
    message: 'target applies to mode cost-aware only',
    path: ['target'],
  })
  .refine((s) => (s.artifact === undefined) !== (s.model === undefined), {
    message:
      'name the trained router either as a file ("artifact") or as a model-store version ("model"), one of the two',
    path: ['artifact'],
  });

/**
 * The cost weight when a policy sets neither knob: on validation cuts of the MMLU-Pro training part it kept
 * the best single model's quality at about 87% saving (docs/benchmarks.md).
 */
export const DEFAULT_COST_WEIGHT = 0.1;

/** The cost-aware knob a policy's learned settings ask for. */
export function costAwareKnob(
  settings: Pick<LearnedSettings, 'costWeight' | 'tolerance'>,
): { costWeight: number } | { tolerance: number } {
  return settings.tolerance !== undefined
    ? { tolerance: settings.tolerance }
    : { costWeight: settings.costWeight ?? DEFAULT_COST_WEIGHT };
}

export type LearnedSettings = z.infer<typeof learnedSettingsSchema>;

export const quotasSchema = z
  .object({
    /** Calls per UTC day, per model id. Models not listed have no quota. */
    models: z.record(z.string(), z.number().int().nonnegative()).default({}),
    /**
     * US dollars per UTC day, per tenant; "*" applies to tenants not listed. Held before each call (its most
     * expensive outcome) and settled at its real cost, so concurrent requests cannot overshoot it together.
     */
    tenants: z.record(z.string(), z.number().nonnegative()).default({}),
    /** Requests and tokens (prompt + max output) per minute, per tenant; "*" applies to tenants not listed. */
    rates: z
      .record(
        z.string(),
        z
          .object({
            requestsPerMinute: z.number().int().positive().optional(),
            tokensPerMinute: z.number().int().positive().optional(),
          })
          .strict(),
      )
      .default({}),
    /** Output tokens a request is expected to produce when it sets no max_tokens (budget holds, token rates). */
    expectedOutputTokens: z.number().int().positive().default(1000),
    /** When the quota store (Redis) cannot be reached: route without quotas (open) or refuse (closed). */
    onStoreDown: z.enum(['open', 'closed']).default('open'),
  })
  .strict();

export type QuotaSettings = z.infer<typeof quotasSchema>;

export const canaryAutoSchema = z
  .object({
    /** Requests the candidate arm serves before it can be promoted. */
    minRequests: z.number().int().positive().default(500),
    /** Labelled requests (feedback) of the candidate arm before any verdict. */
    minLabels: z.number().int().positive().default(100),
    /** Undecided after this many candidate requests: rolled back (not shown to be as good). */
    maxRequests: z.number().int().positive().default(5000),
    /**
     * Utility (quality − costWeight × cost in units of the dearest model's) the candidate may lose before it is
     * rolled back, and must be within to be promoted.
     */
    margin: z.number().min(0).max(1).default(0.02),
    costWeight: z.number().min(0).optional(),
  })
  .strict();

export type CanaryAuto = z.infer<typeof canaryAutoSchema>;

export const canarySettingsSchema = z
  .object({
    /** Share of traffic, 0-100, that the candidate policy routes (the seed's gray release: 10 first). */
    percent: z.number().min(0).max(100),
    /** What keeps a caller in one arm: its tenant, or its user (falling back to the tenant without one). */
    stickyBy: z.enum(['tenant', 'user']).default('tenant'),
    /** The candidate policy file, relative to this one (a new learned model is a candidate whose learned.artifact differs). */
    policy: z.string().min(1).optional(),
    /**
     * Or the candidate policy itself, inline (what `switchyard policy apply-suggestion` publishes: one
     * message holds both arms, so every replica gets the same candidate).
     */
    candidate: z.record(z.string(), z.unknown()).optional(),
    /**
     * A verdict without anyone watching: rule-optimizer's canary check compares the arms' labelled quality and
     * cost (records of either arm's policy version) and publishes the candidate to all traffic, or rolls it
     * back, with the reason (router.canary.verdict.v1). Without it the canary runs until a person decides.
     */
    auto: canaryAutoSchema.optional(),
  })
  .strict()
  .refine((c) => (c.policy === undefined) !== (c.candidate === undefined), {
    message: 'give the candidate either as a file ("policy") or inline ("candidate"), one of the two',
  });

export type CanarySettings = z.infer<typeof canarySettingsSchema>;

export const learningSettingsSchema = z
  .object({
    /** The nightly retraining trains routers for this policy from its labelled traffic, and proposes them. */
    retrain: z.boolean().default(true),
    /** Days of records the training set is built from. */
    windowDays: z.number().int().min(1).max(90).default(7),
    /** Labelled requests the training part needs before a run trains at all. */
    minLabels: z.number().int().positive().default(200),
    /** The most recent share of the labelled requests, held out for the off-policy evaluation. */
    holdoutShare: z.number().gt(0).lt(1).default(0.5),
    /** Held-out requests the gate needs to decide. */
    minHoldout: z.number().int().positive().default(100),
    /** Utility the candidate must gain over the policy in force (doubly robust estimate, 95% lower bound > 0). */
    margin: z.number().min(0).max(1).default(0.005),
    /** The learned level's cost weight in the policies it proposes (DEFAULT_COST_WEIGHT when left out). */
    costWeight: z.number().min(0).optional(),
    /** How a candidate that passed the gate is released: canary share, stickiness, and its automatic verdict. */
    canary: z
      .object({
        percent: z.number().gt(0).max(100).default(20),
        stickyBy: z.enum(['tenant', 'user']).default('user'),
        auto: canaryAutoSchema.prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type LearningSettings = z.infer<typeof learningSettingsSchema>;

export const explorationSettingsSchema = z
  .object({
    /**
     * Share of requests, 0-20%, sent to another candidate than the one the policy chose, picked at random
     * (so rule review and retraining see how other models do on each rule's and band's traffic). Never past
     * quotas or budgets: an explored model out of either is skipped for the policy's own choice.
     */
    percent: z.number().min(0).max(20),
    /** The candidates; every model of the policy when left out. */
    models: z.array(z.string().min(1)).min(1).optional(),
    /** Only candidates whose input plus output price per million tokens is at most this. */
    maxPriceUsdPerMTok: z.number().positive().optional(),
  })
  .strict();

export type ExplorationSettings = z.infer<typeof explorationSettingsSchema>;

export const policySchema = z.object({
  version: z.string().min(1),
  models: z.array(modelSpecSchema).min(1, 'a policy needs at least one model'),
  rules: z.array(ruleSchema).default([]),
  difficulty: z.object({ enabled: z.boolean().default(true), bands: z.array(difficultyBandSchema).min(1) }).optional(),
  /** L3: the learned router; reached when no rule matched and difficulty routing is off or out of quota. */
  learned: learnedSettingsSchema.optional(),
  /** Where a request goes when no level decides. */
  default: z.object({ route: routeTargetSchema, params: generationParamsSchema.default({}) }),
  quotas: quotasSchema.optional(),
  /** Models tried in this order when the chosen one is out of quota or cooling down; default: cheapest first. */
  fallbackOrder: z.array(z.string().min(1)).optional(),
  canary: canarySettingsSchema.optional(),
  /** Off unless set. */
  exploration: explorationSettingsSchema.optional(),
  /** The learning loop: nightly retraining from this policy's labelled traffic, gated, released by canary. */
  learning: learningSettingsSchema.optional(),
});

export type PolicyDocument = z.infer<typeof policySchema>;
