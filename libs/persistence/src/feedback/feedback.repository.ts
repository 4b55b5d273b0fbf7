import { Inject, Injectable } from '@nestjs/common';
import type { Connection, Model } from 'mongoose';
import { MONGO_CONNECTION } from '../persistence.constants';
import type { FeedbackEntity } from './feedback.entity';
import { FEEDBACK_COLLECTION, feedbackSchema } from './feedback.schema';

@Injectable()
export class FeedbackRepository {
  private readonly model: Model<FeedbackEntity>;

  constructor(@Inject(MONGO_CONNECTION) connection: Connection) {
    this.model = connection.model<FeedbackEntity>(FEEDBACK_COLLECTION, feedbackSchema);
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }

  /** Stores the feedback once per feedbackId, however often it is delivered. */
  async insertOnce(feedback: FeedbackEntity): Promise<void> {
    await this.model.updateOne(
      { _id: feedback.feedbackId },
      { $setOnInsert: { ...feedback, _id: feedback.feedbackId } },
      { upsert: true },
    );
  }

  async findByRequestId(requestId: string): Promise<FeedbackEntity[]> {
    return this.model.find({ requestId }, { _id: 0 }).lean<FeedbackEntity[]>().exec();
  }
}
