import { Injectable } from '@nestjs/common';
import type { CompletionFailed, CompletionSucceeded } from '@switchyard/contracts';
import { RoutingRecordRepository } from '@switchyard/persistence';

/** Stores the outcome of a request as its routing record (idempotent by request id). */
@Injectable()
export class RecordCompletion {
  constructor(private readonly records: RoutingRecordRepository) {}

  async execute(event: CompletionSucceeded | CompletionFailed): Promise<void> {
    await this.records.upsertCompletion(event);
  }
}
