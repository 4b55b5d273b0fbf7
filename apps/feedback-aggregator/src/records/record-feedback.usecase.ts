import { Injectable } from '@nestjs/common';
import type { FeedbackSubmitted } from '@switchyard/contracts';
import { type FeedbackEntity, FeedbackRepository, RoutingRecordRepository } from '@switchyard/persistence';

/** Stores feedback once and joins it to its request's record (whichever of the two arrives first). */
@Injectable()
export class RecordFeedback {
  constructor(
    private readonly feedback: FeedbackRepository,
    private readonly records: RoutingRecordRepository,
  ) {}

  async execute(event: FeedbackSubmitted): Promise<void> {
    const entity: FeedbackEntity = {
      feedbackId: event.feedbackId,
      requestId: event.requestId,
      tenant: event.tenant,
      submittedAt: new Date(event.submittedAt),
    };
    if (event.rating !== undefined) entity.rating = event.rating;
    if (event.success !== undefined) entity.success = event.success;
    if (event.comment !== undefined) entity.comment = event.comment;
    await this.feedback.insertOnce(entity);
    await this.records.attachFeedback(event.requestId, event.tenant, {
      feedbackId: entity.feedbackId,
      rating: entity.rating,
      success: entity.success,
      comment: entity.comment,
      submittedAt: entity.submittedAt,
    });
  }
}
