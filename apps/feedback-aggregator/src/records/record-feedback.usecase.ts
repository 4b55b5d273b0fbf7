import { Inject, Injectable, Optional } from '@nestjs/common';
import type { FeedbackSubmitted } from '@switchyard/contracts';
import { HoldMessageError } from '@switchyard/messaging';
import { RecordMetrics } from '@switchyard/observability';
import { type FeedbackEntity, FeedbackRepository, RoutingRecordRepository } from '@switchyard/persistence';
import { AGGREGATOR_CONFIG, type AggregatorConfig } from '../config';
import { RollupCounter } from '../rollups/rollup-counter';

/**
 * Joins feedback to its request's record, for the tenant that sent it only (the record key holds the
 * tenant, so another tenant's request of the same id is never touched), and keeps every feedback event once.
 * Feedback that arrives before its record (the completion is still on its way) is held: redelivered until
 * FEEDBACK_HOLD_MS after it was submitted, then dead-lettered as `unknown-request`. It never creates a record.
 * The record's rollup row counts its latest feedback.
 */
@Injectable()
export class RecordFeedback {
  constructor(
    @Inject(AGGREGATOR_CONFIG) private readonly config: Pick<AggregatorConfig, 'FEEDBACK_HOLD_MS'>,
    private readonly feedback: FeedbackRepository,
    private readonly records: RoutingRecordRepository,
    private readonly rollups: RollupCounter,
    @Optional() private readonly metrics: RecordMetrics = RecordMetrics.detached(),
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
    const summary = {
      feedbackId: entity.feedbackId,
      rating: entity.rating,
      success: entity.success,
      comment: entity.comment,
      submittedAt: entity.submittedAt,
    };
    const attached = await this.records.attachFeedback(event.tenant, event.requestId, summary);
    if (attached.outcome === 'no-record') {
      this.metrics.stored('feedback', 'held');
      throw new HoldMessageError(
        `feedback ${event.feedbackId}: tenant "${event.tenant}" has no request "${event.requestId}" on record`,
        event.submittedAt + this.config.FEEDBACK_HOLD_MS,
        'unknown-request',
      );
    }
    // Counted by what it changed: the first feedback adds a label, a later one replaces it, a replayed or an
    // older one changes nothing.
    await this.rollups.feedback(attached.before, summary);
    // After the record: feedback on a request nobody made is never kept, even in the feedback log.
    await this.feedback.insertOnce(entity);
    this.metrics.stored('feedback', 'attached');
  }
}
