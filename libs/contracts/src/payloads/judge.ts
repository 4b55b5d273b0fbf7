import { z } from 'zod';
import { requestIdSchema, tenantSchema } from '../lib/identity';

/**
 * `router.label.judged.v1` (JetStream, de-duplicated by judgedKey): the policy's judge model graded an answer
 * after the caller had it. feedback-aggregator stores it as the record's label (source `judge`), which the
 * caller's own feedback outranks.
 */
export const labelJudgedSchema = z
  .object({
    requestId: requestIdSchema,
    tenant: tenantSchema,
    /** The model whose answer was graded (the record's `model`). */
    answeringModel: z.string().min(1).max(128),
    /** The model that graded it. */
    judgeModel: z.string().min(1).max(128),
    /** The grade, 1 (useless or wrong) .. 10 (excellent). */
    grade: z.number().int().min(1).max(10),
    /** The grade on the labels' scale: (grade − 1) / 9. */
    quality: z.number().min(0).max(1),
    /** What the judge's call cost, US dollars. */
    costUsd: z.number().nonnegative(),
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    /** When it was graded, epoch ms. */
    at: z.number().int().nonnegative(),
  })
  .refine((e) => Math.abs(e.quality - (e.grade - 1) / 9) < 1e-9, {
    message: 'quality must be (grade - 1) / 9',
    path: ['quality'],
  });

export type LabelJudged = z.infer<typeof labelJudgedSchema>;

/** The quality label of a judge's grade (1..10 onto 0..1). */
export function qualityOfGrade(grade: number): number {
  return (grade - 1) / 9;
}
