import {
  ACCEPTANCE_CHECKS,
  MAX_JUDGE_CHARS,
  closedObject,
  generationParamsSchema,
  modelSpecSchema,
  unknownKeysMessage,
} from '@switchyard/contracts';
import { z } from 'zod';

// Every object of a policy is closed (closedObject): a misspelt key (`quota:` for `quotas:`) is an error
// naming the closest known key, never a setting silently dropped.

const ID = /^[A-Za-z0-9][\w.:/-]{0,127}$/;

/**
 * `schema` (a union of closed objects) behind a check of the keys any of its options knows. A bare union
 * reports a misspelt key as "Invalid input": every option refuses it, none says which key it resembles.
 * A custom issue, not unrecognized_keys, so the pipe stops there (zod pipes on past unrecognized keys).
 */
function withKnownKeys<T extends z.ZodType>(known: readonly string[], schema: T) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
      for (const key of Object.keys(value).filter((k) => !known.includes(k)))
        ctx.addIssue({ code: 'custom', path: [key], message: unknownKeysMessage([key], known) });
    })
    .pipe(schema);
}

// Refinements of an object run only when the object is otherwise valid: a misspelt key is reported once,
// not again as the condition or choice it left missing.
const whenValid = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

/**
 * Generation params as a policy sets them: the request's params, closed here. The contract itself stays
 * open (requests from callers of other releases).
 */
const policyParamsSchema = closedObject(generationParamsSchema.shape);

/**
 * A model as a policy declares it: the contract's model spec, closed here. The contract stays open: decided
 * plans carry it between services of different releases, where a newer field must not be refused.
 */
export const policyModelSchema = closedObject({
  ...modelSpecSchema.shape,
  priceUsdPerMTok: closedObject(modelSpecSchema.shape.priceUsdPerMTok.shape),
});

/** A route target: one model by id, or a tier (its models in policy order). */
export const routeTargetSchema = withKnownKeys(
  ['model', 'tier'],
  z.union([closedObject({ model: z.string().min(1) }), closedObject({ tier: z.string().min(1) })], {
    error: 'a route is { model: <id> } or { tier: <name> }, one of the two',
  }),
);

export type RouteTarget = z.infer<typeof routeTargetSchema>;

export const ruleConditionSchema = closedObject({
  /**
   * Any of these keywords in the last user message, case-insensitive: whole words in scripts written with
   * spaces (English, Russian, Arabic, ...), substrings in those written without (Chinese, Japanese, Thai) and
   * in Korean (`KeywordMatcher`).
   */
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
}).refine((c) => Object.keys(c).length > 0, { message: 'a rule needs at least one condition', ...whenValid });

export type RuleCondition = z.infer<typeof ruleConditionSchema>;

/** A rule's multi-model strategy: the seed's cascade (cheap first, escalate) or consensus voting. */
const cascadeSpecSchema = closedObject({
  kind: z.literal('cascade'),
  /** Cheapest first. */
  models: z.array(z.string().min(1)).min(2),
  acceptance: z.array(z.enum(ACCEPTANCE_CHECKS)).min(1).default(['non-empty', 'not-refusal', 'not-truncated']),
  maxCostUsd: z.number().positive().optional(),
  /**
   * The seed's self-evaluation: an answer that passes `acceptance` is accepted only when the policy's `judge`
   * grades it at least this (1-10); otherwise the next tier is asked. The judge's cost is the plan's.
   */
  acceptGrade: z.number().int().min(1).max(10).optional(),
});

const consensusSpecSchema = closedObject({
  kind: z.literal('consensus'),
  models: z.array(z.string().min(1)).min(2),
  quorum: z.number().int().min(2),
  onDisagreement: z.enum(['escalate', 'flag']).default('escalate'),
  /**
   * Who answers when the vote fails and the plan escalates; default: the priciest of `models`. A model
   * outside `models` is asked only then (an agreement cascade: two cheap voters, a strong tie-breaker).
   */
  escalateTo: z.string().min(1).optional(),
});

export const planSpecSchema = withKnownKeys(
  [...new Set([...Object.keys(cascadeSpecSchema.shape), ...Object.keys(consensusSpecSchema.shape)])],
  z.discriminatedUnion('kind', [cascadeSpecSchema, consensusSpecSchema]),
);

export type PlanSpec = z.infer<typeof planSpecSchema>;

export const ruleSchema = closedObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be lower-case letters, digits, _ or -'),
  enabled: z.boolean().default(true),
  when: ruleConditionSchema,
  /** One model or tier; or, instead, a multi-model `plan`. */
  route: routeTargetSchema.optional(),
  plan: planSpecSchema.optional(),
  params: policyParamsSchema.default({}),
}).refine((r) => (r.route === undefined) !== (r.plan === undefined), {
  message: 'give a rule either "route" or "plan"',
  path: ['route'],
  ...whenValid,
});

export type Rule = z.infer<typeof ruleSchema>;

export const difficultyBandSchema = closedObject({
  /** Difficulty strictly below this falls in the band; the last band has none and takes the rest. */
  below: z.number().gt(0).lte(1).optional(),
  route: routeTargetSchema,
  params: policyParamsSchema.default({}),
});

export const learnedSettingsSchema = closedObject({
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
  target: withKnownKeys(
    ['quality', 'of', 'maxCostPerRequestUsd'],
    z.union(
      [
        closedObject({ quality: z.number().gt(0).max(2), of: z.string().min(1) }),
        closedObject({ maxCostPerRequestUsd: z.number().positive() }),
      ],
      { error: 'a target is { quality: <0..2>, of: <model> } or { maxCostPerRequestUsd: <dollars> }' },
    ),
  ).optional(),
  /** classifier mode: below this confidence, route to `fallback` (the seed's premium fallback). */
  confidenceThreshold: z.number().min(0).max(1).default(0.6),
  fallback: routeTargetSchema.optional(),
})
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
    ...whenValid,
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

export const quotasSchema = closedObject({
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
      closedObject({
        requestsPerMinute: z.number().int().positive().optional(),
        tokensPerMinute: z.number().int().positive().optional(),
      }),
    )
    .default({}),
  /** Output tokens a request is expected to produce when it sets no max_tokens (budget holds, token rates). */
  expectedOutputTokens: z.number().int().positive().default(1000),
  /** When the quota store (Redis) cannot be reached: route without quotas (open) or refuse (closed). */
  onStoreDown: z.enum(['open', 'closed']).default('open'),
});

export type QuotaSettings = z.infer<typeof quotasSchema>;

export const canaryAutoSchema = closedObject({
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
});

export type CanaryAuto = z.infer<typeof canaryAutoSchema>;

export const canarySettingsSchema = closedObject({
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
}).refine((c) => (c.policy === undefined) !== (c.candidate === undefined), {
  message: 'give the candidate either as a file ("policy") or inline ("candidate"), one of the two',
  ...whenValid,
});

export type CanarySettings = z.infer<typeof canarySettingsSchema>;

export const learningSettingsSchema = closedObject({
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
  /**
   * Continue from the router in force (its `learned.model`, loaded from the model store) rather than train
   * from scratch: what it knows is kept and the records refine it, at a quarter of the step
   * (WARM_START_LEARNING_RATE). From scratch when the policy has no stored router (or it does not load).
   */
  warmStart: z.boolean().default(true),
  /** How a candidate that passed the gate is released: canary share, stickiness, and its automatic verdict. */
  canary: closedObject({
    percent: z.number().gt(0).max(100).default(20),
    stickyBy: z.enum(['tenant', 'user']).default('user'),
    auto: canaryAutoSchema.prefault({}),
  }).prefault({}),
});

export type LearningSettings = z.infer<typeof learningSettingsSchema>;

export const explorationSettingsSchema = closedObject({
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
});

export type ExplorationSettings = z.infer<typeof explorationSettingsSchema>;

/**
 * The judge: a model of the policy that grades a sampled share of answers after the caller has them (off the
 * reply path, at its own cost), so that traffic without feedback can teach too. Its grade 1-10 becomes the
 * record's label (source `judge`, quality (grade − 1) / 9), which the caller's feedback outranks.
 */
export const judgeSettingsSchema = closedObject({
  /** The grading model: one of the policy's models (its quota, key and prices apply). */
  model: z.string().min(1),
  /** Share of answered requests graded, 0..1; chosen by a hash of the tenant and request id, so a replay agrees. */
  sampleRate: z.number().min(0).max(1).default(0.05),
  /** The question (the routing text) is cut to this many characters before the judge reads it. */
  maxPromptChars: z.number().int().min(100).max(MAX_JUDGE_CHARS).default(4000),
  /** The answer is cut to this many characters before the judge reads it. */
  maxAnswerChars: z.number().int().min(100).max(MAX_JUDGE_CHARS).default(4000),
});

export type JudgeSettings = z.infer<typeof judgeSettingsSchema>;

/**
 * A routing profile, asked for with `model: "auto:<name>"`: either new settings for the learned level's
 * cost-aware knob (one of costWeight, tolerance or target, as in `learned`, for this request only), or a
 * route that takes the place of every level (rules, bands, learned, default), with its params. See
 * docs/policy.md.
 */
export const routingProfileSchema = closedObject({
  /** One line shown by GET /v1/models. */
  description: z.string().min(1).max(200).optional(),
  costWeight: learnedSettingsSchema.shape.costWeight,
  tolerance: learnedSettingsSchema.shape.tolerance,
  target: learnedSettingsSchema.shape.target,
  route: routeTargetSchema.optional(),
  /** With `route`: the params of its calls (the caller's win), as a rule's. */
  params: policyParamsSchema.optional(),
})
  .refine((p) => [p.costWeight, p.tolerance, p.target, p.route].filter((v) => v !== undefined).length === 1, {
    message: 'give a profile one of costWeight, tolerance, target (the learned level) or route',
    ...whenValid,
  })
  .refine((p) => p.params === undefined || p.route !== undefined, {
    message: 'params go with a route',
    path: ['params'],
    ...whenValid,
  });

export type RoutingProfile = z.infer<typeof routingProfileSchema>;

/** A profile's name, as `auto:<name>` asks for it. */
export const PROFILE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const policySchema = closedObject({
  version: z.string().min(1),
  models: z.array(policyModelSchema).min(1, 'a policy needs at least one model'),
  rules: z.array(ruleSchema).default([]),
  difficulty: closedObject({
    enabled: z.boolean().default(true),
    bands: z.array(difficultyBandSchema).min(1),
  }).optional(),
  /** L3: the learned router; reached when no rule matched and difficulty routing is off or out of quota. */
  learned: learnedSettingsSchema.optional(),
  /** Where a request goes when no level decides. */
  default: closedObject({ route: routeTargetSchema, params: policyParamsSchema.default({}) }),
  quotas: quotasSchema.optional(),
  /** Models tried in this order when the chosen one is out of quota or cooling down; default: cheapest first. */
  fallbackOrder: z.array(z.string().min(1)).optional(),
  canary: canarySettingsSchema.optional(),
  /** Off unless set. */
  exploration: explorationSettingsSchema.optional(),
  /** The learning loop: nightly retraining from this policy's labelled traffic, gated, released by canary. */
  learning: learningSettingsSchema.optional(),
  /** Off unless set: a model of the policy grades a sampled share of answers, as labels for the learning loop. */
  judge: judgeSettingsSchema.optional(),
  /** Routing profiles by name (PROFILE_NAME), asked for with `model: "auto:<name>"`. */
  profiles: z.record(z.string(), routingProfileSchema).optional(),
});

export type PolicyDocument = z.infer<typeof policySchema>;
