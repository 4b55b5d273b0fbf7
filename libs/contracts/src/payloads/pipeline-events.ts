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

/**
 * Everything provider-adapters needs to run a decided plan without looking anything up in a policy: the
 * specs of every model the plan may call (its own and its fallbacks), at the prices of the policy that
 * decided, and what to do when the quota store is unreachable.
 */
export const executionSchema = z.object({
  models: z.array(plannedModelSchema).min(1).max(MAX_PLANNED_MODELS),
  /** A single-model plan's fallbacks, in order, when its model fails every try; each is in `models`. */
  fallbacks: z.array(z.string().min(1)).max(MAX_PLANNED_MODELS),
  onStoreDown: z.enum(['open', 'closed']),
});

export type Execution = z.infer<typeof executionSchema>;

/**
 * `router.route.decided.v2`: the decision with its execution, self-contained: a plan decided by a canary's
 * candidate runs on the candidate's models and prices whatever policy provider-adapters holds.
 */
export const routeDecidedV2Schema = routeDecidedSchema.extend({ execution: executionSchema }).superRefine((e, ctx) => {
  const known = new Set(e.execution.models.map((m) => m.id));
  const plan = e.decision.plan;
  const named = [plan.model, ...(plan.kind === 'single' ? [] : plan.models), ...e.execution.fallbacks];
  for (const id of named)
    if (!known.has(id))
      ctx.addIssue({
        code: 'custom',
        path: ['execution', 'models'],
        message: `the plan names "${id}" but carries no spec for it`,
      });
});

export type RouteDecidedV2 = z.infer<typeof routeDecidedV2Schema>;
