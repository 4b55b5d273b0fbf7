import { Inject, Injectable } from '@nestjs/common';
import type { Connection, Model } from 'mongoose';
import { MONGO_CONNECTION } from '../persistence.constants';
import type { SuggestionEntity, SuggestionStatus } from './suggestion.entity';
import { SUGGESTIONS_COLLECTION, suggestionSchema } from './suggestion.schema';

@Injectable()
export class SuggestionRepository {
  private readonly model: Model<SuggestionEntity & { _id: string }>;

  constructor(@Inject(MONGO_CONNECTION) connection: Connection) {
    this.model = connection.model<SuggestionEntity & { _id: string }>(SUGGESTIONS_COLLECTION, suggestionSchema);
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }

  /**
   * Stores a run's suggestions (once each, so a retried run changes nothing) and marks the open ones of
   * earlier runs superseded: the newest review of the same traffic is the one to act on.
   */
  async saveRun(reportId: string, suggestions: readonly SuggestionEntity[]): Promise<void> {
    if (suggestions.length > 0)
      await this.model.bulkWrite(
        suggestions.map((s) => ({
          updateOne: {
            filter: { _id: s.suggestionId },
            update: { $setOnInsert: { ...s, _id: s.suggestionId } },
            upsert: true,
          },
        })),
        { ordered: true },
      );
    await this.model.updateMany(
      { status: 'open', reportId: { $ne: reportId } },
      { $set: { status: 'superseded' satisfies SuggestionStatus } },
    );
  }

  async list(
    filter: { status?: SuggestionStatus; reportId?: string; limit?: number } = {},
  ): Promise<SuggestionEntity[]> {
    const query: Record<string, unknown> = {};
    if (filter.status) query['status'] = filter.status;
    if (filter.reportId) query['reportId'] = filter.reportId;
    return this.model
      .find(query, { _id: 0 })
      .sort({ createdAt: -1, suggestionId: 1 })
      .limit(Math.min(filter.limit ?? 100, 1000))
      .lean<SuggestionEntity[]>()
      .exec();
  }

  async findById(suggestionId: string): Promise<SuggestionEntity | null> {
    return this.model.findOne({ _id: suggestionId }, { _id: 0 }).lean<SuggestionEntity>().exec();
  }

  /** Marks an open suggestion applied; false when it was not open (applied already, or superseded). */
  async markApplied(suggestionId: string, applied: NonNullable<SuggestionEntity['applied']>): Promise<boolean> {
    const result = await this.model.updateOne(
      { _id: suggestionId, status: 'open' },
      { $set: { status: 'applied' satisfies SuggestionStatus, applied } },
    );
    return result.modifiedCount === 1;
  }
}
