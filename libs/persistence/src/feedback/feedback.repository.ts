import { Inject, Injectable } from '@nestjs/common';
import { extend, recordKey } from '@switchyard/contracts';
import type { Connection, Model } from 'mongoose';
import { type BatchFailures, GroupCommit } from '../group-commit';
import { MONGO_CONNECTION } from '../persistence.constants';
import { isBulkWriteReport, isDuplicateKey } from '../verified-upsert';
import type { FeedbackEntity } from './feedback.entity';
import { FEEDBACK_COLLECTION, feedbackSchema } from './feedback.schema';

type Keyed = FeedbackEntity & { _id: string };

@Injectable()
export class FeedbackRepository {
  private readonly model: Model<FeedbackEntity>;
  // Feedback stored while a write is in flight goes out together in the next (see routing records).
  private readonly inserts = new GroupCommit<Keyed>(
    (docs) => this.insertMany(docs),
    (doc) => doc._id,
    64,
  );

  constructor(@Inject(MONGO_CONNECTION) connection: Connection) {
    this.model = connection.model<FeedbackEntity>(FEEDBACK_COLLECTION, feedbackSchema);
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }

  /** Stores the feedback once per tenant and feedbackId, however often it is delivered. */
  async insertOnce(feedback: FeedbackEntity): Promise<void> {
    await this.inserts.submit(extend(feedback, { _id: recordKey(feedback.tenant, feedback.feedbackId) }));
  }

  /**
   * One unordered insert; when it is not fully acknowledged (a redelivered feedback is there already), each
   * is written again alone as an insert-if-missing, which leaves a stored one as it was.
   */
  private async insertMany(docs: Keyed[]): Promise<BatchFailures> {
    try {
      const result = await this.model.collection.insertMany(docs as never[], { ordered: false });
      if (result.insertedCount === docs.length) return new Map();
    } catch (err) {
      if (!isBulkWriteReport(err)) throw err;
    }
    const failures = new Map<number, Error>();
    for (const [index, doc] of docs.entries()) {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.model.collection.updateOne({ _id: doc._id } as never, { $setOnInsert: doc }, { upsert: true });
          break;
        } catch (err) {
          // Two deliveries racing to insert it: the loser finds it stored on its next try.
          if (isDuplicateKey(err) && attempt < 3) continue;
          failures.set(index, err as Error);
          break;
        }
      }
    }
    return failures;
  }

  async findByRequestId(tenant: string, requestId: string): Promise<FeedbackEntity[]> {
    return this.model.find({ tenant, requestId }, { _id: 0 }).lean<FeedbackEntity[]>().exec();
  }
}
