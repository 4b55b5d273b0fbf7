import { z } from 'zod';
import { chatRequestSchema } from './chat-request';
import { decisionSchema } from './decision';
import { featuresSchema } from './features';
import { modelSpecSchema } from './model-spec';
import { requestIdSchema, tenantSchema } from '../lib/identity';

/** `router.request.received.v1`: a validated, authenticated request with its id and tenant fixed. */
export const requestReceivedSchema = z.object({
  requestId: requestIdSchema,
  tenant: tenantSchema,
  /** Epoch ms when ingress accepted the request. */
  receivedAt: z.number().int().nonnegative(),
  request: chatRequestSchema,
});

export type RequestReceived = z.infer<typeof requestReceivedSchema>;

/** `router.request.analyzed.v1`. */
export const requestAnalyzedSchema = requestReceivedSchema.extend({
  features: featuresSchema,
  analyzedAt: z.number().int().nonnegative(),
});

export type RequestAnalyzed = z.infer<typeof requestAnalyzedSchema>;

/** `router.route.decided.v1`. */
export const routeDecidedSchema = requestAnalyzedSchema.extend({
  decision: decisionSchema,
  decidedAt: z.number().int().nonnegative(),
});

export type RouteDecided = z.infer<typeof routeDecidedSchema>;

/** A model a decided plan may call, as the deciding policy (or canary arm) declared it, with its daily quota. */
export const plannedModelSchema = modelSpecSchema.extend({
  /** Calls per UTC day (the policy's quota); taken before a later tier, a fallback or an escalation is called. */
  dailyQuota: z.number().int().nonnegative().optional(),
});

export type PlannedModel = z.infer<typeof plannedModelSchema>;

/** The most models one decided plan may carry (its own and its fallbacks). */
export const MAX_PLANNED_MODELS = 32;

/** The longest question or answer a judge is shown, in characters (a policy's caps are at most this). */
export const MAX_JUDGE_CHARS = 100_000;

/**
 * The deciding policy's judge: after the caller has its answer, a sampled share of answers is graded by this
 * model (its spec is in `models`) off the reply path, and the grade becomes the record's label.
 */
export const executionJudgeSchema = z.object({
  model: z.string().min(1),
  /** Share of answers graded, 0..1, chosen by a hash of the tenant and request id (a replay agrees). */
  sampleRate: z.number().min(0).max(1),
  /** The question (the routing text) and the answer are cut to these lengths before the judge reads them. */
  maxPromptChars: z.number().int().positive().max(MAX_JUDGE_CHARS),
  maxAnswerChars: z.number().int().positive().max(MAX_JUDGE_CHARS),
});

export type ExecutionJudge = z.infer<typeof executionJudgeSchema>;

/**
 * Everything provider-adapters needs to run a decided plan without looking anything up in a policy: the
 * specs of every model the plan may call (its own and its fallbacks, and the judge's), at the prices of the
 * policy that decided, and what to do when the quota store is unreachable.
 */
export const executionSchema = z.object({
  models: z.array(plannedModelSchema).min(1).max(MAX_PLANNED_MODELS),
  /** A single-model plan's fallbacks, in order, when its model fails every try; each is in `models`. */
  fallbacks: z.array(z.string().min(1)).max(MAX_PLANNED_MODELS),
  onStoreDown: z.enum(['open', 'closed']),
  /** The policy's judge, when it has one (a replica of an earlier release ignores it: nothing is graded). */
  judge: executionJudgeSchema.optional(),
});

export type Execution = z.infer<typeof executionSchema>;

/**
 * `router.route.decided.v2`: the decision with its execution, self-contained: a plan decided by a canary's
 * candidate runs on the candidate's models and prices whatever policy provider-adapters holds.
 */
export const routeDecidedV2Schema = routeDecidedSchema.extend({ execution: executionSchema }).superRefine((e, ctx) => {
  const known = new Set(e.execution.models.map((m) => m.id));
  const plan = e.decision.plan;
  const named = [
    plan.model,
    ...(plan.kind === 'single' ? [] : plan.models),
    ...e.execution.fallbacks,
    ...(e.execution.judge ? [e.execution.judge.model] : []),
  ];
  for (const id of named)
    if (!known.has(id))
      ctx.addIssue({
        code: 'custom',
        path: ['execution', 'models'],
        message: `the plan names "${id}" but carries no spec for it`,
      });
  if (plan.kind === 'cascade' && plan.acceptGrade !== undefined && !e.execution.judge)
    ctx.addIssue({
      code: 'custom',
      path: ['execution', 'judge'],
      message: 'the cascade accepts by a judge grade (acceptGrade) but the plan carries no judge',
    });
});

export type RouteDecidedV2 = z.infer<typeof routeDecidedV2Schema>;
