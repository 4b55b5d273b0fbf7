import { ACCEPTANCE_CHECKS, generationParamsSchema } from '@switchyard/contracts';
import { z } from 'zod';

const ID = /^[A-Za-z0-9][\w.:/-]{0,127}$/;

export const modelSpecSchema = z.object({
  id: z.string().regex(ID, 'must be a model id of letters, digits and . _ : / -'),
  /** Adapter kind that serves it (`simulated`, `openai`, `anthropic`, `openai-compatible`, `replay`). */
  provider: z.string().min(1),
  /** Name of the model at the provider, when it differs from `id`. */
  deployment: z.string().min(1).optional(),
  baseUrl: z.string().url().optional(),
  /** Name of the environment variable that holds this model's API key (keys never go in the policy). */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name')
    .optional(),
  tier: z.string().min(1),
  /** US dollars per million tokens. */
  priceUsdPerMTok: z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() }),
  contextWindow: z.number().int().positive().optional(),
  capabilities: z.array(z.string()).default([]),
});

export type ModelSpec = z.infer<typeof modelSpecSchema>;

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
    artifact: z.string().min(1),
    /** cost-aware: a per-model quality prediction traded against cost; classifier: the seed's best-model classifier. */
    mode: z.enum(['cost-aware', 'classifier']).default('cost-aware'),
    /**
     * cost-aware: the model with the highest predicted quality − costWeight × cost (cost in units of the dearest
     * model's mean cost). 0 buys the best predicted model; the default is DEFAULT_COST_WEIGHT.
     */
    costWeight: z.number().min(0).optional(),
    /** cost-aware, instead of costWeight: the cheapest model within `tolerance` of the best predicted quality. */
    tolerance: z.number().min(0).max(1).optional(),
    /** classifier mode: below this confidence, route to `fallback` (the seed's premium fallback). */
    confidenceThreshold: z.number().min(0).max(1).default(0.6),
    fallback: routeTargetSchema.optional(),
  })
  .strict()
  .refine((s) => s.costWeight === undefined || s.tolerance === undefined, {
    message: 'set costWeight or tolerance, not both',
    path: ['tolerance'],
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
  })
  .strict()
  .refine((c) => (c.policy === undefined) !== (c.candidate === undefined), {
    message: 'give the candidate either as a file ("policy") or inline ("candidate"), one of the two',
  });

export type CanarySettings = z.infer<typeof canarySettingsSchema>;

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
});

export type PolicyDocument = z.infer<typeof policySchema>;
