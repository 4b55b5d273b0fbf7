import { Inject, Injectable } from '@nestjs/common';
import type { CompletionFailed, CompletionSucceeded } from '@switchyard/contracts';
import type { Connection, Model } from 'mongoose';
import { type BatchFailures, GroupCommit } from '../group-commit';
import { MONGO_CONNECTION } from '../persistence.constants';
import type { FeedbackSummary, RoutingRecordEntity } from './routing-record.entity';
import { ROUTING_RECORDS_COLLECTION, routingRecordSchema } from './routing-record.schema';

@Injectable()
export class RoutingRecordRepository {
  private readonly model: Model<RoutingRecordEntity>;
  // Completions stored while a bulk write is in flight go out together in the next: under load one round trip
  // and one bulk write for many records (FerretDB CPU per upsert 0.61 ms against 1.11 ms one at a time,
  // docs/benchmarks.md); alone, a record is written at once.
  private readonly completions = new GroupCommit<{ _id: string; $set: Partial<RoutingRecordEntity> }>(
    (ops) => this.upsertMany(ops),
    (op) => op._id,
    // FerretDB v1.24.2 stalls on an update command of 100 or more operations that match existing documents
    // (and then on that collection); 64 stays well under it.
    64,
  );

  constructor(@Inject(MONGO_CONNECTION) connection: Connection) {
    this.model = connection.model<RoutingRecordEntity>(ROUTING_RECORDS_COLLECTION, routingRecordSchema);
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }

  /**
   * Writes the outcome of a request; resolves once it is stored. Replays of the same event set the same
   * values (idempotent); feedback that arrived first is kept, since this never touches `feedback`.
   */
  async upsertCompletion(event: CompletionSucceeded | CompletionFailed): Promise<void> {
    const common: Partial<RoutingRecordEntity> = {
      tenant: event.tenant,
      receivedAt: new Date(event.receivedAt),
      completedAt: new Date(event.completedAt),
      prompt: event.prompt,
      attempts: event.attempts,
    };
    if (event.user !== undefined) common.user = event.user;
    if (event.taskHint !== undefined) common.taskHint = event.taskHint;
    if (event.features) common.features = event.features;
    if (event.decision) {
      common.decision = event.decision;
      common.method = event.decision.method;
      if (event.decision.rule !== undefined) common.rule = event.decision.rule;
    }
    const fields: Partial<RoutingRecordEntity> =
      'stage' in event
        ? { ...common, status: 'failed', stage: event.stage, error: event.error }
        : {
            ...common,
            status: 'succeeded',
            model: event.model,
            provider: event.provider,
            usage: event.usage,
            costUsd: event.costUsd,
            latency: event.latency,
          };
    await this.completions.submit({ _id: event.requestId, $set: { ...fields, requestId: event.requestId } });
  }

  /** One unordered bulk upsert; the operations that failed, by index (a failed batch throws). */
  private async upsertMany(ops: Array<{ _id: string; $set: Partial<RoutingRecordEntity> }>): Promise<BatchFailures> {
    try {
      await this.model.bulkWrite(
        ops.map((op) => ({ updateOne: { filter: { _id: op._id }, update: { $set: op.$set }, upsert: true } })),
        { ordered: false },
      );
      return new Map();
    } catch (err) {
      const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
      if (!Array.isArray(writeErrors) || writeErrors.length === 0) throw err;
      return new Map(
        (writeErrors as Array<{ index: number; errmsg?: string }>).map((w) => [
          w.index,
          new Error(`upsert of routing record ${ops[w.index]?._id}: ${w.errmsg ?? 'failed'}`),
        ]),
      );
    }
  }

  /** Joins feedback to its request; creates the record when the completion has not been stored yet. */
  async attachFeedback(requestId: string, tenant: string, feedback: FeedbackSummary): Promise<void> {
    await this.model.updateOne(
      { _id: requestId },
      { $set: { feedback }, $setOnInsert: { requestId, tenant } },
      { upsert: true },
    );
  }

  async findByRequestId(requestId: string): Promise<RoutingRecordEntity | null> {
    return this.model.findOne({ _id: requestId }, { _id: 0 }).lean<RoutingRecordEntity>().exec();
  }

  async findByRequestIds(requestIds: readonly string[]): Promise<RoutingRecordEntity[]> {
    return this.model
      .find({ _id: { $in: requestIds } }, { _id: 0 })
      .lean<RoutingRecordEntity[]>()
      .exec();
  }

  /** Completed records since a time, with just what stats need. */
  async findCompletedSince(
    since: Date,
  ): Promise<
    Array<Pick<RoutingRecordEntity, 'model' | 'rule' | 'status' | 'costUsd' | 'latency' | 'feedback' | 'tenant'>>
  > {
    return this.model
      .find(
        { completedAt: { $gte: since } },
        { _id: 0, model: 1, rule: 1, status: 1, costUsd: 1, latency: 1, feedback: 1, tenant: 1 },
      )
      .lean<
        Array<Pick<RoutingRecordEntity, 'model' | 'rule' | 'status' | 'costUsd' | 'latency' | 'feedback' | 'tenant'>>
      >()
      .exec();
  }
}
