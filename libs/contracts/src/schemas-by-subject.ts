import type { z } from 'zod';
import { chatRequestSchema } from './payloads/chat-request';
import { completionFailedSchema, completionSucceededSchema } from './payloads/completion-events';
import { deadLetterSchema } from './payloads/dead-letter';
import { feedbackRequestSchema, feedbackSubmittedSchema } from './payloads/feedback';
import { canaryVerdictSchema, modelPublishedSchema } from './payloads/learning';
import { optimizerRunRequestSchema } from './payloads/optimizer';
import { requestAnalyzedSchema, requestReceivedSchema, routeDecidedSchema } from './payloads/pipeline-events';
import { policyRejectedSchema, policyUpdatedSchema } from './payloads/policy';
import { statsQuerySchema } from './payloads/stats';
import { tenantKeysChangedSchema } from './payloads/tenant-keys';
import { SUBJECTS, type Subject } from './lib/subjects';

/** The payload schema of every subject: one table, so no subject can be published without one. */
export const SCHEMA_BY_SUBJECT: Record<Subject, z.ZodType> = {
  [SUBJECTS.request]: chatRequestSchema,
  [SUBJECTS.feedback]: feedbackRequestSchema,
  [SUBJECTS.optimizerRunRequested]: optimizerRunRequestSchema,
  [SUBJECTS.statsQuery]: statsQuerySchema,
  [SUBJECTS.requestReceived]: requestReceivedSchema,
  [SUBJECTS.requestAnalyzed]: requestAnalyzedSchema,
  [SUBJECTS.routeDecided]: routeDecidedSchema,
  [SUBJECTS.completionSucceeded]: completionSucceededSchema,
  [SUBJECTS.completionFailed]: completionFailedSchema,
  [SUBJECTS.feedbackSubmitted]: feedbackSubmittedSchema,
  [SUBJECTS.policyUpdated]: policyUpdatedSchema,
  [SUBJECTS.policyRejected]: policyRejectedSchema,
  [SUBJECTS.eventDeadLettered]: deadLetterSchema,
  [SUBJECTS.tenantKeysChanged]: tenantKeysChangedSchema,
  [SUBJECTS.modelPublished]: modelPublishedSchema,
  [SUBJECTS.canaryVerdict]: canaryVerdictSchema,
};
