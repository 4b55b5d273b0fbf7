import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type ChatFailure,
  type FeedbackAccepted,
  type FeedbackSubmitted,
  SUBJECTS,
  feedbackKey,
  feedbackRequestSchema,
  parsePayload,
} from '@switchyard/contracts';
import { EventPublisher } from '@switchyard/messaging';
import { failure } from '../chat/handle-chat-request.usecase';
import { TenantAuthenticator } from '@switchyard/tenancy';

export interface SubmitFeedbackCommand {
  payload: unknown;
  authorization?: string;
  tenant?: string;
}

/** Accepts feedback on an earlier request and stores it durably (JetStream, then feedback-aggregator). */
@Injectable()
export class SubmitFeedback {
  private readonly logger = new Logger(SubmitFeedback.name);

  constructor(
    private readonly publisher: EventPublisher,
    @Inject(TenantAuthenticator) private readonly tenants: TenantAuthenticator,
  ) {}

  async execute(cmd: SubmitFeedbackCommand): Promise<FeedbackAccepted | ChatFailure> {
    try {
      const fb = parsePayload(feedbackRequestSchema, cmd.payload, 'feedback');
      const tenant = this.tenants.authenticate(fb.tenant ?? cmd.tenant, cmd.authorization);
      const event: FeedbackSubmitted = {
        feedbackId: fb.feedbackId ?? randomUUID(),
        requestId: fb.requestId,
        tenant,
        submittedAt: Date.now(),
      };
      if (fb.rating !== undefined) event.rating = fb.rating;
      if (fb.success !== undefined) event.success = fb.success;
      if (fb.comment !== undefined) event.comment = fb.comment;
      await this.publisher.publishDurable(SUBJECTS.feedbackSubmitted, event, feedbackKey(tenant, event.feedbackId));
      return { ok: true, feedbackId: event.feedbackId, requestId: event.requestId };
    } catch (err) {
      return failure(err, undefined, this.logger);
    }
  }
}
