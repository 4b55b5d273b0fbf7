import { Inject, Injectable, Optional } from '@nestjs/common';
import { type CompletionFailed, type CompletionSucceeded, extend, recordKey } from '@switchyard/contracts';
import type { Connection, Model } from 'mongoose';
import { type BatchOutcome, GroupCommit } from '../group-commit';
import { MONGO_CONNECTION, RECORD_WRITER_OPTIONS } from '../persistence.constants';
import { type UpsertById, insertOrUpsertVerified } from '../verified-upsert';
import type { FeedbackSummary, RecordLabel, RoutingRecordEntity } from './routing-record.entity';
import { ROUTING_RECORDS_COLLECTION, routingRecordSchema } from './routing-record.schema';

/** What joining feedback to a record did. */
/** What the learning loop reads of a record (learningRecordOf in libs/analytics). */
const LEARNING_FIELDS = {
  _id: 0,
  tenant: 1,
  status: 1,
  completedAt: 1,
  prompt: 1,
  context: 1,
  taskHint: 1,
  features: 1,
  'decision.plan': 1,
  'decision.propensity': 1,
  'decision.policyChoice': 1,
  'decision.policyVersion': 1,
  model: 1,
  costUsd: 1,
  usage: 1,
  feedback: 1,
  label: 1,
};

/** What a canary's verdict counts of a record. */
const ARM_FIELDS = {
  _id: 0,
  status: 1,
  costUsd: 1,
  usage: 1,
  feedback: 1,
  label: 1,
  'decision.policyVersion': 1,
};

export type AttachOutcome =
  /** No record for this tenant and request (yet). Nothing was written. */
  | { outcome: 'no-record' }
  /**
   * The record now carries this feedback, or one submitted later; `before` is the record as it was just
   * before this write (its feedback then tells what this one replaced, if anything).
   */
  | { outcome: 'attached'; before: RoutingRecordEntity };

/**
 * What setting a judge's label did: `labelled` (set, or set again to the same by a redelivery), `kept` (the
 * record holds a judge's label given later, which stays), `no-record` (no record for this tenant and request
 * yet; nothing was written).
 */
export type JudgeLabelOutcome = 'labelled' | 'kept' | 'no-record';

/** What storing a completion did: whether it created the record (a redelivered event finds it there). */
export interface CompletionOutcome {
  created: boolean;
  /** The fields stored. */
  record: RoutingRecordEntity;
}

/** A feedback summary to join to a record, as `$max` compares it: `submittedAt` first. */
interface Attach {
  _id: string;
  summary: Record<string, unknown>;
}

/** The fields of a record a rollup needs, and no more (not the prompt): what a recount reads. */
const ROLLUP_FIELDS = {
  _id: 0,
  tenant: 1,
  completedAt: 1,
  status: 1,
  model: 1,
  rule: 1,
  method: 1,
  'decision.rule': 1,
  'decision.band': 1,
  'decision.method': 1,
  'decision.canaryArm': 1,
  'decision.plan.model': 1,
  'error.code': 1,
  costUsd: 1,
  usage: 1,
  'latency.totalMs': 1,
  feedback: 1,
} as const;

/** How a service's record writes are grouped (feedback-aggregator sets them from its config). */
export interface RecordWriterOptions {
  /**
   * How long a completion's write waits for others to share its bulk write (`GroupCommit` lingerMs; 0: it
   * goes at once when nothing else is being written).
   */
  completionLingerMs: number;
}

@Injectable()
export class RoutingRecordRepository {
  private readonly model: Model<RoutingRecordEntity>;
  // Completions stored while a bulk write is in flight go out together in the next: under load one round trip
  // and one bulk write for many records (FerretDB CPU per upsert 0.61 ms against 1.11 ms one at a time,
  // docs/benchmarks.md); alone, a record waits `completionLingerMs` for company, or goes at once.
  private readonly completions: GroupCommit<UpsertById<RoutingRecordEntity>, boolean>;
  // Feedback joined in batches too: one read each and one update command for many.
  private readonly attaches = new GroupCommit<Attach, RoutingRecordEntity>(
    (ops) => this.attachMany(ops),
    (op) => op._id,
    64,
  );

  constructor(
    @Inject(MONGO_CONNECTION) connection: Connection,
    @Optional() @Inject(RECORD_WRITER_OPTIONS) options: RecordWriterOptions = { completionLingerMs: 0 },
  ) {
    this.model = connection.model<RoutingRecordEntity>(ROUTING_RECORDS_COLLECTION, routingRecordSchema);
    this.completions = new GroupCommit(
      (ops) => insertOrUpsertVerified(this.model, ops),
      (op) => op._id,
      // FerretDB v1.24.2 stalls on an update command of 100 or more operations that match existing documents
      // (and then on that collection); 64 stays well under it.
      64,
      options.completionLingerMs,
    );
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }

  /**
   * Writes the outcome of a request; resolves once the server has confirmed this very write, saying
   * whether it created the record. Replays of the same event set the same values (idempotent) and never
   * touch `feedback`.
   */
  async upsertCompletion(
    event: CompletionSucceeded | CompletionFailed,
    options: { keepPrompt?: boolean } = {},
  ): Promise<CompletionOutcome> {
    const common: RoutingRecordEntity = {
      requestId: event.requestId,
      tenant: event.tenant,
      receivedAt: new Date(event.receivedAt),
      completedAt: new Date(event.completedAt),
      attempts: event.attempts,
    };
    // keepPrompt false (RECORD_PROMPTS=none): the routed text is never written, nor the conversation before
    // it; such a record cannot teach.
    if (options.keepPrompt !== false) {
      common.prompt = event.prompt;
      if (event.context !== undefined) common.context = event.context;
    }
    if (event.user !== undefined) common.user = event.user;
    if (event.taskHint !== undefined) common.taskHint = event.taskHint;
    if (event.features) common.features = event.features;
    if (event.decision) {
      common.decision = event.decision;
      common.method = event.decision.method;
      if (event.decision.rule !== undefined) common.rule = event.decision.rule;
    }
    const fields: RoutingRecordEntity =
      'stage' in event
        ? extend(common, { status: 'failed' as const, stage: event.stage, error: event.error })
        : extend(common, {
            status: 'succeeded' as const,
            model: event.model,
            provider: event.provider,
            usage: event.usage,
            costUsd: event.costUsd,
            latency: event.latency,
          });
    const created = await this.completions.submit({ _id: recordKey(event.tenant, event.requestId), $set: fields });
    return { created: created === true, record: fields };
  }

  /**
   * Joins feedback to the tenant's record of the request, unless the record already carries feedback
   * submitted at the same time or later (redelivered or out-of-order events never roll it back), and
   * returns the record as it was before. Never creates a record: feedback for a request that has none is
   * the caller's to hold or refuse.
   *
   * Feedback arriving together is joined in one bulk of updates by _id with `$max` on the whole summary,
   * whose first field is `submittedAt` (documents compare field by field, so the later feedback wins, then
   * the greater feedbackId), after reading each record as it is. Two feedbacks on one record never share a
   * batch and batches go one after another, so within a replica each read is what its write replaced.
   * (Across replicas, two feedbacks on one request in the same instant could both read the same state: a
   * rollup label off by one, which the optimizer's reconciliation puts right.) Cheaper than an atomic
   * findOneAndUpdate each: FerretDB 1.8 against 2.4 ms per feedback, and it held up the record writes
   * (a 6,000-record backlog with 20% feedback drained at 425/s that way).
   */
  async attachFeedback(tenant: string, requestId: string, feedback: FeedbackSummary): Promise<AttachOutcome> {
    const summary: Record<string, unknown> = { submittedAt: feedback.submittedAt, feedbackId: feedback.feedbackId };
    if (feedback.rating !== undefined) summary['rating'] = feedback.rating;
    if (feedback.success !== undefined) summary['success'] = feedback.success;
    if (feedback.comment !== undefined) summary['comment'] = feedback.comment;
    const before = await this.attaches.submit({ _id: recordKey(tenant, requestId), summary });
    return before ? { outcome: 'attached', before } : { outcome: 'no-record' };
  }

  /**
   * Sets a judge's label on the tenant's record of the request, unless the record holds a judge's label
   * given later (an older grade arriving late never replaces a newer one). A dataset's label gives way: the
   * judge is trusted more. Feedback is another field and outranks both where labels are read (labelOf).
   * Never creates a record. One update by _id (the filter decides); only when it matched nothing, a look by
   * _id, and when the record is there, the update once more: the record may have been created between the
   * two (its completion and this grade are stored concurrently), and records are never deleted, so a second
   * miss can only be a later judge's label.
   */
  async setJudgeLabel(tenant: string, requestId: string, label: RecordLabel): Promise<JudgeLabelOutcome> {
    const _id = recordKey(tenant, requestId);
    const update = async () =>
      (
        await this.model.collection.updateOne(
          {
            _id,
            $or: [
              { label: { $exists: false } },
              { 'label.source': { $ne: 'judge' } },
              { 'label.at': { $lte: label.at } },
            ],
          } as never,
          { $set: { label } },
        )
      ).matchedCount > 0;
    if (await update()) return 'labelled';
    const found = await this.model.collection.findOne({ _id } as never, { projection: { _id: 1 } });
    if (!found) return 'no-record';
    return (await update()) ? 'labelled' : 'kept';
  }

  /**
   * Reads each record (just what a rollup needs), then one unordered bulk of `$max` updates by _id for the
   * ones that exist (the driver's own collection: mongoose's casting must not reorder a summary's fields).
   */
  private async attachMany(ops: Attach[]): Promise<BatchOutcome<RoutingRecordEntity>> {
    const found = await Promise.all(
      ops.map((op) => this.model.collection.findOne({ _id: op._id } as never, { projection: ROLLUP_FIELDS })),
    );
    const results = new Map<number, RoutingRecordEntity>();
    const writes: Attach[] = [];
    found.forEach((doc, i) => {
      if (!doc) return;
      results.set(i, doc as unknown as RoutingRecordEntity);
      writes.push(ops[i]);
    });
    if (writes.length > 0) {
      const result = await this.model.collection.bulkWrite(
        writes.map((op) => ({
          updateOne: { filter: { _id: op._id }, update: { $max: { feedback: op.summary } } },
        })) as never,
        { ordered: false },
      );
      if (result.matchedCount !== writes.length)
        throw new Error(`feedback matched ${result.matchedCount} of the ${writes.length} records read just before`);
    }
    return { failures: new Map(), results };
  }

  /**
   * The records completed in a window, with only what rollups count, one at a time from a cursor (a
   * window may hold millions): what reconciling the rollups recounts.
   */
  async *rollupSource(window: { from: number; to: number }): AsyncGenerator<RoutingRecordEntity> {
    const cursor = this.model.collection.find(
      { completedAt: { $gte: new Date(window.from), $lt: new Date(window.to) } },
      { projection: ROLLUP_FIELDS, batchSize: 2000 },
    );
    try {
      for await (const doc of cursor) yield doc as unknown as RoutingRecordEntity;
    } finally {
      await cursor.close();
    }
  }

  /**
   * The succeeded records completed in a window that carry a label (feedback, or a judge's or dataset's), with
   * what the learning loop reads, oldest first, from a cursor. FerretDB scans the collection for this filter
   * (about 4,000 records a second); the nightly run reads once.
   */
  async *learningSource(window: { from: number; to: number }): AsyncGenerator<RoutingRecordEntity> {
    const cursor = this.model.collection.find(
      {
        completedAt: { $gte: new Date(window.from), $lt: new Date(window.to) },
        status: 'succeeded',
        $or: [{ feedback: { $exists: true } }, { label: { $exists: true } }],
      },
      { projection: LEARNING_FIELDS, batchSize: 2000 },
    );
    try {
      for await (const doc of cursor) yield doc as unknown as RoutingRecordEntity;
    } finally {
      await cursor.close();
    }
  }

  /**
   * The records routed by any of these policy versions (a canary's two arms), with what its verdict counts.
   * Scans on FerretDB: the canary check runs every few minutes, not per request.
   */
  async *armSource(policyVersions: readonly string[]): AsyncGenerator<RoutingRecordEntity> {
    const cursor = this.model.collection.find(
      { 'decision.policyVersion': { $in: [...policyVersions] } },
      { projection: ARM_FIELDS, batchSize: 2000 },
    );
    try {
      for await (const doc of cursor) yield doc as unknown as RoutingRecordEntity;
    } finally {
      await cursor.close();
    }
  }

  /**
   * Removes the routed text, and the conversation before it, of every record completed before `before`
   * (PROMPT_RETENTION_DAYS); the rest of each record stays. Returns how many records lost their text (no
   * record has a context without its text: both are written together). One update: FerretDB scans for it
   * (it has no TTL indexes, and a TTL would delete whole records), MongoDB reads the completedAt index; a
   * nightly run finds about one day of records to clear.
   */
  async removePromptsBefore(before: Date): Promise<number> {
    const result = await this.model.collection.updateMany(
      { completedAt: { $lt: before }, prompt: { $exists: true } },
      { $unset: { prompt: '', context: '' } },
    );
    return result.modifiedCount;
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
}
