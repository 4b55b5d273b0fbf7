import { Injectable, Optional } from '@nestjs/common';
import type { CompletionFailed, CompletionSucceeded } from '@switchyard/contracts';
import { RecordMetrics } from '@switchyard/observability';
import { RoutingRecordRepository } from '@switchyard/persistence';
import { RollupCounter } from '../rollups/rollup-counter';

/**
 * Stores the outcome of a request as its routing record (idempotent by request id) and, when that created
 * the record, counts it in its rollup row: a redelivered event is stored again and counted never.
 */
@Injectable()
export class RecordCompletion {
  constructor(
    private readonly records: RoutingRecordRepository,
    private readonly rollups: RollupCounter,
    @Optional() private readonly metrics: RecordMetrics = RecordMetrics.detached(),
  ) {}

  async execute(event: CompletionSucceeded | CompletionFailed): Promise<void> {
    const { created, record } = await this.records.upsertCompletion(event);
    if (created) await this.rollups.completion(record);
    this.metrics.stored('completion', created ? 'created' : 'duplicate');
  }
}
