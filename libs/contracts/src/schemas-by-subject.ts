import type { z } from 'zod';
import { chatRequestSchema } from './payloads/chat-request';
import { completionFailedSchema, completionSucceededSchema } from './payloads/completion-events';
import { deadLetterSchema } from './payloads/dead-letter';
import { feedbackRequestSchema, feedbackSubmittedSchema } from './payloads/feedback';
import { labelJudgedSchema } from './payloads/judge';
import { canaryVerdictSchema, modelPublishedSchema } from './payloads/learning';
import { modelsListQuerySchema } from './payloads/models';
import { optimizerRunRequestSchema } from './payloads/optimizer';
import {
  requestAnalyzedSchema,
  requestReceivedSchema,
  routeDecidedSchema,
  routeDecidedV2Schema,
} from './payloads/pipeline-events';
import { policyRejectedSchema, policyUpdatedSchema } from './payloads/policy';
import { statsQuerySchema } from './payloads/stats';
import { tenantKeysChangedSchema } from './payloads/tenant-keys';
import { SUBJECTS, type Subject } from './lib/subjects';
import { parsePayload } from './lib/validate';

/** The payload schema of every subject: one table, so no subject can be published without one. */
export const SCHEMA_BY_SUBJECT = {
  [SUBJECTS.request]: chatRequestSchema,
  [SUBJECTS.feedback]: feedbackRequestSchema,
  [SUBJECTS.optimizerRunRequested]: optimizerRunRequestSchema,
  [SUBJECTS.statsQuery]: statsQuerySchema,
  [SUBJECTS.requestReceived]: requestReceivedSchema,
  [SUBJECTS.requestAnalyzed]: requestAnalyzedSchema,
  [SUBJECTS.routeDecided]: routeDecidedSchema,
  [SUBJECTS.routeDecidedV2]: routeDecidedV2Schema,
  [SUBJECTS.completionSucceeded]: completionSucceededSchema,
  [SUBJECTS.completionFailed]: completionFailedSchema,
  [SUBJECTS.feedbackSubmitted]: feedbackSubmittedSchema,
  [SUBJECTS.policyUpdated]: policyUpdatedSchema,
  [SUBJECTS.policyRejected]: policyRejectedSchema,
  [SUBJECTS.eventDeadLettered]: deadLetterSchema,
  [SUBJECTS.tenantKeysChanged]: tenantKeysChangedSchema,
  [SUBJECTS.modelPublished]: modelPublishedSchema,
  [SUBJECTS.canaryVerdict]: canaryVerdictSchema,
  [SUBJECTS.modelsList]: modelsListQuerySchema,
  [SUBJECTS.labelJudged]: labelJudgedSchema,
} as const satisfies Record<Subject, z.ZodType>;

/** What a subject carries, as its schema parses it: publishing anything else does not compile. */
export type PayloadOf<S extends Subject> = z.infer<(typeof SCHEMA_BY_SUBJECT)[S]>;

/** A subject's payload parsed with the subject's schema; a RouterError invalid_request naming the field otherwise. */
export function parseSubjectPayload<S extends Subject>(subject: S, value: unknown): PayloadOf<S> {
  return parsePayload(SCHEMA_BY_SUBJECT[subject], value, subject) as PayloadOf<S>;
}
