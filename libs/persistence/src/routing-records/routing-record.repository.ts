import { Inject, Injectable } from '@nestjs/common';
import { type CompletionFailed, type CompletionSucceeded, recordKey } from '@switchyard/contracts';
import type { Connection, Model } from 'mongoose';
import { type BatchFailures, GroupCommit } from '../group-commit';
import { MONGO_CONNECTION } from '../persistence.constants';
import { type UpsertById, insertOrUpsertVerified } from '../verified-upsert';
import type { FeedbackSummary, RoutingRecordEntity } from './routing-record.entity';
import { ROUTING_RECORDS_COLLECTION, routingRecordSchema } from './routing-record.schema';

/** What joining feedback to a record did. */
export type AttachOutcome =
  /** The record carries this feedback, or one submitted later. */
  | 'attached'
  /** No record for this tenant and request (yet). Nothing was written. */
  | 'no-record';

/** A feedback summary to join to a record, as `$max` compares it: `submittedAt` first. */
interface Attach {
  _id: string;
  summary: Record<string, unknown>;
}

/** The record a feedback was for does not exist (yet). */
class RecordMissingError extends Error {
  constructor(id: string) {
    super(`no record ${id}`);
    this.name = 'RecordMissingError';
  }
}

type StatsRow = Pick<RoutingRecordEntity, 'model' | 'rule' | 'status' | 'costUsd' | 'latency' | 'feedback' | 'tenant'>;

@Injectable()
export class RoutingRecordRepository {
  private readonly model: Model<RoutingRecordEntity>;
  // Completions stored while a bulk write is in flight go out together in the next: under load one round trip
  // and one bulk write for many records (FerretDB CPU per upsert 0.61 ms against 1.11 ms one at a time,
  // docs/benchmarks.md); alone, a record is written at once.
  private readonly completions = new GroupCommit<UpsertById<RoutingRecordEntity>>(
    (ops) => insertOrUpsertVerified(this.model, ops),
    (op) => op._id,
    // FerretDB v1.24.2 stalls on an update command of 100 or more operations that match existing documents
    // (and then on that collection); 64 stays well under it.
    64,
  );
  // Feedback joined in batches too: one update command for many, instead of one round trip each.
  private readonly attaches = new GroupCommit<Attach>(
    (ops) => this.attachMany(ops),
    (op) => op._id,
    64,
  );

  constructor(@Inject(MONGO_CONNECTION) connection: Connection) {
    this.model = connection.model<RoutingRecordEntity>(ROUTING_RECORDS_COLLECTION, routingRecordSchema);
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }

  /**
   * Writes the outcome of a request; resolves once the server has confirmed this very write. Replays of the
   * same event set the same values (idempotent); feedback that arrived first is kept, since this never
   * touches `feedback`.
   */
  async upsertCompletion(event: CompletionSucceeded | CompletionFailed): Promise<void> {
    const common: Partial<RoutingRecordEntity> = {
      requestId: event.requestId,
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
    await this.completions.submit({ _id: recordKey(event.tenant, event.requestId), $set: fields });
  }

  /**
   * Joins feedback to the tenant's record of the request, unless the record already carries feedback
   * submitted at the same time or later (redelivered or out-of-order events never roll it back). Never
   * creates a record: feedback for a request that has none is the caller's to hold or refuse.
   *
   * An update by _id with `$max` on the whole summary, whose first field is `submittedAt`: documents compare
   * field by field, so the later feedback wins. Feedback arriving together is written in one bulk. A conditional filter (`$or` on the stored feedback) does the
   * same, but FerretDB serves it 4-13 times slower and worse under concurrency (22-76 against 262-289
   * feedback/s: `node tools/probes/feedback-attach.cjs`, docs/benchmarks.md).
   */
  async attachFeedback(tenant: string, requestId: string, feedback: FeedbackSummary): Promise<AttachOutcome> {
    const summary: Record<string, unknown> = { submittedAt: feedback.submittedAt, feedbackId: feedback.feedbackId };
    if (feedback.rating !== undefined) summary['rating'] = feedback.rating;
    if (feedback.success !== undefined) summary['success'] = feedback.success;
    if (feedback.comment !== undefined) summary['comment'] = feedback.comment;
    try {
      await this.attaches.submit({ _id: recordKey(tenant, requestId), summary });
      return 'attached';
    } catch (err) {
      if (err instanceof RecordMissingError) return 'no-record';
      throw err;
    }
  }

  /**
   * One unordered bulk of `$max` updates by _id (the driver's own collection: mongoose's casting must not
   * reorder a summary's fields). When every record was there, that is all; otherwise each is written again
   * alone (`$max` is idempotent) to learn which records are missing.
   */
  private async attachMany(ops: Attach[]): Promise<BatchFailures> {
    const update = (op: Attach) => ({ filter: { _id: op._id }, update: { $max: { feedback: op.summary } } });
    const result = await this.model.collection.bulkWrite(ops.map((op) => ({ updateOne: update(op) })) as never, {
      ordered: false,
    });
    if (result.matchedCount === ops.length) return new Map();
    const failures = new Map<number, Error>();
    for (const [index, op] of ops.entries()) {
      const one = update(op);
      const alone = await this.model.collection.updateOne(one.filter as never, one.update);
      if (alone.matchedCount === 0) failures.set(index, new RecordMissingError(op._id));
    }
    return failures;
  }

  async findByRequestId(tenant: string, requestId: string): Promise<RoutingRecordEntity | null> {
    return this.model
      .findOne({ _id: recordKey(tenant, requestId) }, { _id: 0 })
      .lean<RoutingRecordEntity>()
      .exec();
  }

  async findByRequestIds(tenant: string, requestIds: readonly string[]): Promise<RoutingRecordEntity[]> {
    return this.model
      .find({ _id: { $in: requestIds.map((id) => recordKey(tenant, id)) } }, { _id: 0 })
      .lean<RoutingRecordEntity[]>()
      .exec();
  }

  /** Completed records since a time, with just what stats need; one tenant's only when `tenant` is given. */
  async findCompletedSince(since: Date, tenant?: string): Promise<StatsRow[]> {
    const filter: Record<string, unknown> = { completedAt: { $gte: since } };
    if (tenant !== undefined) filter['tenant'] = tenant;
    return this.model
      .find(filter, { _id: 0, model: 1, rule: 1, status: 1, costUsd: 1, latency: 1, feedback: 1, tenant: 1 })
      .lean<StatsRow[]>()
      .exec();
  }
}
