import { Inject, Injectable, Optional } from '@nestjs/common';
import type { LabelJudged } from '@switchyard/contracts';
import { HoldMessageError } from '@switchyard/messaging';
import { RecordMetrics } from '@switchyard/observability';
import { RoutingRecordRepository } from '@switchyard/persistence';
import { AGGREGATOR_CONFIG, type AggregatorConfig } from '../config';

/**
 * Stores a judge's grade (router.label.judged.v1) as its request's record label: source `judge`, the quality,
 * when, the judge model, its grade and what grading cost. For the tenant that was graded only (the record
 * key holds the tenant). A redelivered event sets the same label again; an older grade never replaces a newer
 * one. A grade that arrives before its record (the completion is still on its way, or waited in an outbox) is
 * held as feedback is: redelivered until FEEDBACK_HOLD_MS after it was graded, then dead-lettered as
 * `unknown-request`. It never creates a record. The caller's feedback, stored beside it, still outranks it.
 */
@Injectable()
export class RecordJudgedLabel {
  constructor(
    @Inject(AGGREGATOR_CONFIG) private readonly config: Pick<AggregatorConfig, 'FEEDBACK_HOLD_MS'>,
    private readonly records: RoutingRecordRepository,
    @Optional() private readonly metrics: RecordMetrics = RecordMetrics.detached(),
  ) {}

  async execute(event: LabelJudged): Promise<void> {
    const outcome = await this.records.setJudgeLabel(event.tenant, event.requestId, {
      quality: event.quality,
      source: 'judge',
      at: new Date(event.at),
      judgeModel: event.judgeModel,
      grade: event.grade,
      costUsd: event.costUsd,
    });
    if (outcome === 'no-record') {
      this.metrics.stored('label', 'held');
      throw new HoldMessageError(
        `judged label of ${event.judgeModel}: tenant "${event.tenant}" has no request "${event.requestId}" on record`,
        event.at + this.config.FEEDBACK_HOLD_MS,
        'unknown-request',
      );
    }
    this.metrics.stored('label', outcome === 'labelled' ? 'attached' : 'kept');
  }
}
