import { Inject, Injectable } from '@nestjs/common';
import type { Connection, Model } from 'mongoose';
import { MONGO_CONNECTION } from '../persistence.constants';
import type { LearningRunEntity } from './learning-run.entity';
import { LEARNING_RUNS_COLLECTION, learningRunSchema } from './learning-run.schema';

/** Every retraining run's metrics and outcome, keyed by run id. A few a day: reads may scan. */
@Injectable()
export class LearningRunRepository {
  private readonly model: Model<LearningRunEntity>;

  constructor(@Inject(MONGO_CONNECTION) connection: Connection) {
    this.model = connection.model<LearningRunEntity>(LEARNING_RUNS_COLLECTION, learningRunSchema);
  }

  /** Stores a run's outcome (a retried job writes the same run again). */
  async save(run: LearningRunEntity): Promise<void> {
    await this.model.replaceOne({ _id: run.runId }, { ...run, _id: run.runId }, { upsert: true });
  }

  /** The run that released `modelVersion`, with the canary's verdict. */
  async recordVerdict(modelVersion: string, canary: NonNullable<LearningRunEntity['canary']>): Promise<boolean> {
    const result = await this.model.updateMany({ modelVersion, outcome: 'released' }, { $set: { canary } });
    return result.matchedCount > 0;
  }

  /** One run by id, if stored. */
  async find(runId: string): Promise<LearningRunEntity | undefined> {
    return (await this.model.findOne({ _id: runId }, { _id: 0 }).lean<LearningRunEntity>().exec()) ?? undefined;
  }

  async recent(limit = 30): Promise<LearningRunEntity[]> {
    return this.model.find({}, { _id: 0 }).sort({ startedAt: -1 }).limit(limit).lean<LearningRunEntity[]>().exec();
  }
}
