import { Inject, Injectable } from '@nestjs/common';
import { recordKey } from '@switchyard/contracts';
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

  /** Stores the feedback once per tenant and feedbackId, however often it is delivered. */
  async insertOnce(feedback: FeedbackEntity): Promise<void> {
    const _id = recordKey(feedback.tenant, feedback.feedbackId);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.model.updateOne({ _id }, { $setOnInsert: { ...feedback, _id } }, { upsert: true });
        return;
      } catch (err) {
        // Two deliveries racing to insert it: the loser finds it stored on its next try.
        if ((err as { code?: unknown }).code !== 11000 || attempt >= 3) throw err;
      }
    }
  }

  async findByRequestId(tenant: string, requestId: string): Promise<FeedbackEntity[]> {
    return this.model.find({ tenant, requestId }, { _id: 0 }).lean<FeedbackEntity[]>().exec();
  }
}
