import { z } from 'zod';
import { requestIdSchema, tenantSchema } from '../lib/identity';

/** Payload of the public subject `router.feedback.v1` and of `POST /v1/feedback`. */
export const feedbackRequestSchema = z
  .object({
    requestId: requestIdSchema,
    tenant: tenantSchema.optional(),
    /** 1 (bad) .. 5 (great). */
    rating: z.number().int().min(1).max(5).optional(),
    /** Did the answer do the job? */
    success: z.boolean().optional(),
    comment: z.string().max(2000).optional(),
    /** Caller's id for this feedback; re-sending it stores it once. */
    feedbackId: requestIdSchema.optional(),
  })
  .refine((f) => f.rating !== undefined || f.success !== undefined, {
    message: 'give a rating (1-5), success (true/false), or both',
    path: ['rating'],
  });

export type FeedbackRequest = z.infer<typeof feedbackRequestSchema>;

/** `router.feedback.submitted.v1` (JetStream, de-duplicated by feedback id). */
export const feedbackSubmittedSchema = z.object({
  feedbackId: requestIdSchema,
  requestId: requestIdSchema,
  tenant: tenantSchema,
  rating: z.number().int().min(1).max(5).optional(),
  success: z.boolean().optional(),
  comment: z.string().optional(),
  submittedAt: z.number().int().nonnegative(),
});

export type FeedbackSubmitted = z.infer<typeof feedbackSubmittedSchema>;

/** Reply on `router.feedback.v1`. */
export const feedbackAcceptedSchema = z.object({ ok: z.literal(true), feedbackId: z.string(), requestId: z.string() });
export type FeedbackAccepted = z.infer<typeof feedbackAcceptedSchema>;
