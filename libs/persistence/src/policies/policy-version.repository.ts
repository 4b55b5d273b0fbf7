import { Inject, Injectable } from '@nestjs/common';
import type { Connection, Model } from 'mongoose';
import { MONGO_CONNECTION } from '../persistence.constants';
import type { PolicyVersionEntity } from './policy-version.entity';
import { POLICIES_COLLECTION, policyVersionSchema } from './policy-version.schema';

@Injectable()
export class PolicyVersionRepository {
  private readonly model: Model<PolicyVersionEntity>;

  constructor(@Inject(MONGO_CONNECTION) connection: Connection) {
    this.model = connection.model<PolicyVersionEntity>(POLICIES_COLLECTION, policyVersionSchema);
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }

  /** Stores a version once; returns false when that version was already stored (with whatever text it had). */
  async saveOnce(policy: PolicyVersionEntity): Promise<boolean> {
    const result = await this.model.updateOne(
      { _id: policy.version },
      { $setOnInsert: { ...policy, _id: policy.version } },
      { upsert: true },
    );
    return result.upsertedCount === 1;
  }

  async findByVersion(version: string): Promise<PolicyVersionEntity | null> {
    return this.model.findOne({ _id: version }, { _id: 0 }).lean<PolicyVersionEntity>().exec();
  }

  async recent(limit = 20): Promise<PolicyVersionEntity[]> {
    return this.model.find({}, { _id: 0 }).sort({ publishedAt: -1 }).limit(limit).lean<PolicyVersionEntity[]>().exec();
  }
}
