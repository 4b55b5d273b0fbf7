import { z } from 'zod';
import { REQUEST_ID_PATTERN } from './chat-request';

/** Payload of the public subject `router.feedback.v1` and of `POST /v1/feedback`. */
export const feedbackRequestSchema = z
  .object({
    requestId: z.string().regex(REQUEST_ID_PATTERN, 'must be 1-128 characters of A-Z a-z 0-9 . _ : -'),
    tenant: z.string().min(1).max(64).optional(),
    /** 1 (bad) .. 5 (great). */
    rating: z.number().int().min(1).max(5).optional(),
    /** Did the answer do the job? */
    success: z.boolean().optional(),
    comment: z.string().max(2000).optional(),
    /** Caller's id for this feedback; re-sending it stores it once. */
    feedbackId: z.string().regex(REQUEST_ID_PATTERN).optional(),
  })
  .refine((f) => f.rating !== undefined || f.success !== undefined, {
    message: 'give a rating (1-5), success (true/false), or both',
    path: ['rating'],
  });

export type FeedbackRequest = z.infer<typeof feedbackRequestSchema>;

/** `router.feedback.submitted.v1` (JetStream, de-duplicated by feedback id). */
export const feedbackSubmittedSchema = z.object({
  feedbackId: z.string().min(1),
  requestId: z.string().min(1),
  tenant: z.string().min(1),
  rating: z.number().int().min(1).max(5).optional(),
  success: z.boolean().optional(),
  comment: z.string().optional(),
  submittedAt: z.number().int().nonnegative(),
});

export type FeedbackSubmitted = z.infer<typeof feedbackSubmittedSchema>;

/** Reply on `router.feedback.v1`. */
export const feedbackAcceptedSchema = z.object({ ok: z.literal(true), feedbackId: z.string(), requestId: z.string() });
export type FeedbackAccepted = z.infer<typeof feedbackAcceptedSchema>;
