import { Injectable } from '@nestjs/common';
import {
  type RollupCounts,
  type RollupFeedback,
  type RollupRecord,
  completionContribution,
  feedbackDelta,
  rollupDimsOf,
} from '@switchyard/analytics';
import { RollupRepository } from '@switchyard/persistence';

/**
 * Counts records and feedback into the rollups, once each: a completion when its record was created, a
 * feedback by the change it made to its record's feedback. The rollups are written behind
 * (RollupRepository), so this never holds up or fails an event.
 */
@Injectable()
export class RollupCounter {
  constructor(private readonly rollups: RollupRepository) {}

  async completion(record: RollupRecord): Promise<void> {
    await this.add(record, completionContribution(record));
  }

  /** `record` as it was before the feedback was joined to it. */
  async feedback(record: RollupRecord, feedback: RollupFeedback): Promise<void> {
    const delta = feedbackDelta(record.feedback, feedback);
    if (delta) await this.add(record, delta);
  }

  private async add(record: RollupRecord, counts: RollupCounts): Promise<void> {
    await this.rollups.add(rollupDimsOf(record), counts);
  }
}
