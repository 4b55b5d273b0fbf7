import { z } from 'zod';
import { chatRequestSchema } from './chat-request';
import { decisionSchema } from './decision';
import { featuresSchema } from './features';
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
