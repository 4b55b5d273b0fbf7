import { Inject, Injectable, Optional } from '@nestjs/common';
import type { CompletionFailed, CompletionSucceeded } from '@switchyard/contracts';
import { RecordMetrics } from '@switchyard/observability';
import { RoutingRecordRepository } from '@switchyard/persistence';
import { AGGREGATOR_CONFIG, type AggregatorConfig } from '../config';
import { RollupCounter } from '../rollups/rollup-counter';

/**
 * Stores the outcome of a request as its routing record (idempotent by request id) and, when that created
 * the record, counts it in its rollup row: a redelivered event is stored again and counted never. The
 * routed text, and the conversation before it, are stored only under RECORD_PROMPTS=full, and only when
 * the event carries them (its publisher's RECORD_PROMPTS was full too).
 */
@Injectable()
export class RecordCompletion {
  constructor(
    private readonly records: RoutingRecordRepository,
    private readonly rollups: RollupCounter,
    @Inject(AGGREGATOR_CONFIG) private readonly config: Pick<AggregatorConfig, 'RECORD_PROMPTS'>,
    @Optional() private readonly metrics: RecordMetrics = RecordMetrics.detached(),
  ) {}

  async execute(event: CompletionSucceeded | CompletionFailed): Promise<void> {
    const { created, record } = await this.records.upsertCompletion(event, {
      // A publisher under RECORD_PROMPTS=none sent no text: nothing to keep, whatever this service says.
      keepPrompt: this.config.RECORD_PROMPTS === 'full' && event.textWithheld !== true,
    });
    if (created) await this.rollups.completion(record);
    this.metrics.stored('completion', created ? 'created' : 'duplicate');
  }
}
