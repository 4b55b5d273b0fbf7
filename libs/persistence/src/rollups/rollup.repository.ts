import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  type RollupCounts,
  type RollupDims,
  type RollupRow,
  addCounts,
  countsDifference,
  countsOf,
  emptyCounts,
  incrementsOf,
  rollupKey,
} from '@switchyard/analytics';
import type { Connection, Model } from 'mongoose';
import { MONGO_CONNECTION, ROLLUP_WRITER_OPTIONS } from '../persistence.constants';
import { isBulkWriteReport, isDuplicateKey } from '../verified-upsert';
import { DAILY_ROLLUPS_COLLECTION, ROLLUPS_COLLECTION, type RollupDocument, rollupSchema } from './rollup.schema';

/** Which rows a query reads: an hour window [from, to) and, optionally, one value of any dimension. */
export interface RollupFilter {
  from: number;
  to: number;
  /** The window ends now: its last day's row holds nothing later, and may be read whole. */
  throughNow?: boolean;
  tenant?: string;
  model?: string;
  rule?: string;
  method?: string;
  arm?: string;
}

/** What a reconciliation found and put right. */
export interface ReconcileOutcome {
  /** Rows compared (recounted or stored). */
  rows: number;
  /** Rows whose stored sums differed from the recount, and were corrected. */
  corrected: number;
  /** Requests and labels the correction added (negative: taken away, a row had counted too many). */
  requestsAdded: number;
  labelsAdded: number;
}

/**
 * FerretDB v1.24.2 stalls on an update command of 100 or more operations that match existing documents
 * (routing-record.repository.ts); a write of increments stays well under it.
 */
const MAX_ROWS_PER_WRITE = 64;
/** Rows known to exist, so their increments skip the upsert that creates them; forgotten past this many. */
const KNOWN_ROWS_LIMIT = 50_000;
/** Rows with unwritten increments past which `add` waits for a write (the store is away or slow). */
const MAX_PENDING_ROWS = 20_000;
/** Wait after a failed write before the next, doubling up to the most. */
const RETRY_MS = { first: 500, most: 30_000 };

/** Rows per hour (every window), or per UTC day (windows of whole days: 24 times fewer rows to read). */
export type RollupGrain = 'hour' | 'day';

const DAY_MS = 24 * 3600 * 1000;

interface Pending {
  grain: RollupGrain;
  dims: RollupDims;
  counts: RollupCounts;
  /** The write that carries these increments, once sent (see `RollupRepository`, "at most once"). */
  seq?: number;
}

/** The field of a row holding, per writer, the last of its writes the row has taken: `w.<writer>`. */
const WRITES_FIELD = 'w';

/** The day's row of an hour's: the same dimensions at the UTC day's midnight. */
function dayOf(dims: RollupDims): RollupDims {
  return { ...dimsOf(dims), hour: Math.floor(dims.hour / DAY_MS) * DAY_MS };
}

/** Whether a window is read from the daily rows: it starts at a UTC midnight and ends at one, or now. */
export function dailyWindow(window: { from: number; to: number; throughNow?: boolean }): boolean {
  return window.from % DAY_MS === 0 && (window.to % DAY_MS === 0 || window.throughNow === true);
}

export interface RollupWriterOptions {
  /** Increments are merged per row for this long, then written together. */
  flushIntervalMs: number;
}

/**
 * The rollups: sums per hour × tenant × model × rule × method × canary arm, kept by increments as records
 * and feedback arrive, and read by stats and reports instead of the records. Every increment goes to the
 * hour's row and to the UTC day's (`rollups_daily`): a month of whole days reads a month of daily rows.
 *
 * Written behind: increments are merged per row in memory and written every `flushIntervalMs` (a second
 * of records of one hour costs a few row updates, not one per record), and a write that fails is merged
 * back and tried again, so an outage of the store loses nothing that this process holds. Waiting for
 * each increment would buy no durability: a record is counted once, when it is created, so an event
 * redelivered after a crash finds its record and counts nothing either way. What a crash loses (the last
 * interval's increments) the optimizer's reconciliation recounts from the records.
 *
 * At most once, too: a write that fails may still have been applied (the server took it, and the answer
 * was lost or came after the socket timeout), so retrying an `$inc` would count it twice. Each write is
 * numbered per writer (a random id per process), and a row stores the number of the last write it took
 * from each writer (`w.<writer>`); an increment applies only to a row whose number for this writer is
 * lower. A failed write is retried with its own number and its own increments, before anything newer
 * for its rows: a row that took it the first time ignores the retry.
 */
@Injectable()
export class RollupRepository {
  private readonly logger = new Logger(RollupRepository.name);
  private readonly models: Record<RollupGrain, Model<RollupDocument>>;
  private readonly pending = new Map<string, Pending>();
  /** Increments whose write failed and may have been applied: retried as they were sent, before `pending`. */
  private readonly inDoubt = new Map<string, Pending>();
  private readonly writer = randomBytes(6).toString('hex');
  private sequence = 0;
  private readonly known = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private retryMs = 0;
  private readonly waiting: Array<() => void> = [];
  /** Row writes that failed (and were retried) since start-up. */
  failedWrites = 0;
  /** Rows that had taken a write whose answer was lost: its retry counted nothing (at most once). */
  retriesAlreadyTaken = 0;

  constructor(
    @Inject(MONGO_CONNECTION) connection: Connection,
    @Optional() @Inject(ROLLUP_WRITER_OPTIONS) private readonly options: RollupWriterOptions = { flushIntervalMs: 250 },
  ) {
    this.models = {
      hour: connection.model<RollupDocument>(ROLLUPS_COLLECTION, rollupSchema, ROLLUPS_COLLECTION),
      day: connection.model<RollupDocument>(DAILY_ROLLUPS_COLLECTION, rollupSchema, DAILY_ROLLUPS_COLLECTION),
    };
  }

  async ensureIndexes(): Promise<void> {
    await Promise.all([this.models.hour.createIndexes(), this.models.day.createIndexes()]);
  }

  /**
   * Adds counts to a row, to be written with the next flush. An increment is not idempotent: callers add
   * a record's contribution once, when they created the record, and a feedback's change once, from the
   * state it replaced. Resolves at once, unless too many rows wait to be written: then after a write.
   */
  add(dims: RollupDims, counts: RollupCounts): Promise<void> {
    if (Object.keys(incrementsOf(counts)).length === 0) return Promise.resolve();
    this.hold('hour', dims, counts);
    this.hold('day', dayOf(dims), counts);
    return this.admitted();
  }

  private hold(grain: RollupGrain, dims: RollupDims, counts: RollupCounts): void {
    const key = `${grain}|${rollupKey(dims)}`;
    const entry = this.pending.get(key);
    if (entry) entry.counts = addCounts(entry.counts, counts);
    else this.pending.set(key, { grain, dims: dimsOf(dims), counts });
    this.schedule(this.retryMs || this.options.flushIntervalMs);
  }

  private admitted(): Promise<void> {
    if (this.pending.size < MAX_PENDING_ROWS) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Writes every increment held now; rejects (keeping them for the next try) when the store refuses. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0 && this.inDoubt.size === 0) return;
    this.flushing = this.writePending();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  /** Increments not written yet, in rows. */
  get backlog(): number {
    return this.pending.size + this.inDoubt.size;
  }

  /** Writes what is held and stops the timer: at shutdown, before the connection closes. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      await this.flush();
    } catch (err) {
      this.logger.error(
        `${this.backlog} rollup rows were not written at shutdown (${(err as Error).message}); the optimizer's reconciliation recounts them`,
      );
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().then(
        () => {
          this.retryMs = 0;
        },
        (err: Error) => {
          this.failedWrites++;
          this.retryMs = Math.min(RETRY_MS.most, this.retryMs ? this.retryMs * 2 : RETRY_MS.first);
          this.logger.warn(
            `rollup increments of ${this.backlog} rows not written (${err.message}); trying again in ${this.retryMs} ms`,
          );
          this.schedule(this.retryMs);
        },
      );
    }, delayMs);
    this.timer.unref();
  }

  private async writePending(): Promise<void> {
    // What failed before goes first, under its own numbers: a row must see a write's retry before any
    // later write of this writer, whose higher number would make the retry look applied.
    const doubtful = [...this.inDoubt];
    this.inDoubt.clear();
    await this.writeEntries(doubtful);
    const fresh = [...this.pending];
    this.pending.clear();
    await this.writeEntries(fresh);
    if (this.pending.size < MAX_PENDING_ROWS) for (const resolve of this.waiting.splice(0)) resolve();
  }

  /**
   * Writes entries in batches, each batch under a new number unless its entries were sent before. When a
   * batch fails its entries are in doubt (they may have been applied) and are kept, numbers and all, for a
   * retry; of the entries after it, those sent before stay in doubt and the others go back to `pending`,
   * merged with what arrived since.
   */
  private async writeEntries(entries: Array<[string, Pending]>): Promise<void> {
    for (let i = 0; i < entries.length; i += MAX_ROWS_PER_WRITE) {
      const batch = entries.slice(i, i + MAX_ROWS_PER_WRITE);
      const seq = ++this.sequence;
      for (const [, p] of batch) p.seq ??= seq;
      try {
        await this.write(batch);
      } catch (err) {
        for (const [key, p] of batch) {
          this.known.delete(key);
          this.inDoubt.set(key, p);
        }
        for (const [key, p] of entries.slice(i + MAX_ROWS_PER_WRITE)) {
          if (p.seq !== undefined) {
            this.inDoubt.set(key, p);
            continue;
          }
          const now = this.pending.get(key);
          this.pending.set(key, now ? { ...p, counts: addCounts(p.counts, now.counts) } : p);
        }
        throw err;
      }
    }
  }

  /**
   * Rows of a window, limited to the filter's dimension values: the daily rows when the window is whole
   * UTC days (the last one may end now), else the hourly rows (a window is then read at whole hours).
   */
  async find(filter: RollupFilter, grain: RollupGrain = dailyWindow(filter) ? 'day' : 'hour'): Promise<RollupRow[]> {
    // The last day's row starts before a window that ends now, and holds only what happened by now.
    const to = grain === 'day' && filter.throughNow ? Math.ceil((filter.to + 1) / DAY_MS) * DAY_MS : filter.to;
    const query: Record<string, unknown> = { hour: { $gte: new Date(filter.from), $lt: new Date(to) } };
    for (const d of ['tenant', 'model', 'rule', 'method', 'arm'] as const)
      if (filter[d] !== undefined) query[d] = filter[d];
    const docs = await this.models[grain]
      .find(query, { [WRITES_FIELD]: 0 })
      .lean<RollupDocument[]>()
      .exec();
    return docs.map(toRow);
  }

  /**
   * Deletes the hourly rows of hours before `before` (the daily rows stay): what keeps the hourly
   * collection, which every window that is not whole days and every recount reads, from growing forever.
   */
  async pruneHourly(before: number): Promise<number> {
    const result = await this.models.hour.deleteMany({ hour: { $lt: new Date(before) } }).exec();
    // An increment held for a pruned row would re-create it with just that increment: forget it is known.
    this.known.clear();
    return result.deletedCount;
  }

  /**
   * Makes the stored rows of a window equal to a recount of its records (recountRollups over the records
   * completed in it): each row that differs gets the difference added. Increments that were lost (a crash
   * between a record's write and its row's) or counted twice are put right; rows of the window that no
   * record supports are brought to zero.
   */
  async reconcile(
    window: { from: number; to: number },
    recount: ReadonlyMap<string, RollupRow>,
  ): Promise<ReconcileOutcome> {
    const outcome: ReconcileOutcome = { rows: 0, corrected: 0, requestsAdded: 0, labelsAdded: 0 };
    await this.reconcileGrain('hour', window, recount, outcome);
    // The days wholly inside the window: their daily rows are the sums of its hourly ones.
    const days = { from: Math.ceil(window.from / DAY_MS) * DAY_MS, to: Math.floor(window.to / DAY_MS) * DAY_MS };
    if (days.to > days.from) {
      const daily = new Map<string, RollupRow>();
      for (const row of recount.values()) {
        if (row.hour < days.from || row.hour >= days.to) continue;
        const dims = dayOf(row);
        const key = rollupKey(dims);
        daily.set(key, { ...dims, ...addCounts(daily.get(key) ?? emptyCounts(), row) });
      }
      // Only the hourly corrections count in the outcome: the daily ones repeat them.
      await this.reconcileGrain('day', days, daily, { rows: 0, corrected: 0, requestsAdded: 0, labelsAdded: 0 });
    }
    await this.flush();
    return outcome;
  }

  private async reconcileGrain(
    grain: RollupGrain,
    window: { from: number; to: number },
    recount: ReadonlyMap<string, RollupRow>,
    outcome: ReconcileOutcome,
  ): Promise<void> {
    const stored = new Map((await this.find(window, grain)).map((row) => [rollupKey(row), row]));
    for (const key of new Set([...recount.keys(), ...stored.keys()])) {
      outcome.rows++;
      const want = recount.get(key);
      const have = stored.get(key);
      const diff = countsDifference(want ? countsOf(want) : emptyCounts(), have ? countsOf(have) : emptyCounts());
      if (Object.keys(incrementsOf(diff)).length === 0) continue;
      outcome.corrected++;
      outcome.requestsAdded += diff.requests;
      outcome.labelsAdded += diff.qualityCount;
      this.hold(grain, dimsOf((want ?? have) as RollupRow), diff);
    }
    await this.admitted();
  }

  private async write(entries: Array<[string, Pending]>): Promise<void> {
    for (const grain of ['hour', 'day'] as const) {
      const batch = entries.filter(([, p]) => p.grain === grain);
      if (batch.length > 0) await this.writeGrain(this.models[grain], batch);
    }
  }

  /** Increments rows of one collection, by _id (the row key without its grain). */
  private async writeGrain(model: Model<RollupDocument>, batch: Array<[string, Pending]>): Promise<void> {
    await this.ensureRows(
      model,
      batch.filter(([key]) => !this.known.has(key)),
    );
    const mark = `${WRITES_FIELD}.${this.writer}`;
    // Applies to a row that has not taken this write (nor a later one of this writer) yet.
    const increment = ([, p]: [string, Pending]) => ({
      updateOne: {
        filter: { _id: rollupKey(p.dims), $or: [{ [mark]: { $exists: false } }, { [mark]: { $lt: p.seq } }] },
        update: { $inc: incrementsOf(p.counts), $set: { [mark]: p.seq } },
      },
    });
    const result = await model.collection.bulkWrite(batch.map(increment) as never, { ordered: false });
    if (result.matchedCount !== batch.length) {
      // Not matched: a row that took this write already (a retry of a write applied the first time), or a
      // row this process knew of that is gone (rollups deleted by hand, or for retention): an update of a
      // missing document does nothing, so the increments of the rows missing now were not applied.
      const missing: Array<[string, Pending]> = [];
      let notTaken = 0;
      for (const entry of batch) {
        const row = await model.collection.findOne({ _id: rollupKey(entry[1].dims) } as never, {
          projection: { [mark]: 1 },
        });
        const taken = (row?.[WRITES_FIELD] as Record<string, unknown> | undefined)?.[this.writer];
        if (!row) missing.push(entry);
        else if (!(Number(taken) >= (entry[1].seq ?? 0))) notTaken++;
      }
      if (notTaken > 0)
        throw new Error(
          `rollup increments matched ${result.matchedCount} of ${batch.length} rows (${notTaken} not taken)`,
        );
      const takenBefore = batch.length - result.matchedCount - missing.length;
      this.retriesAlreadyTaken += takenBefore;
      if (takenBefore > 0)
        this.logger.log(`${takenBefore} rollup rows had taken a retried write already; not counted twice`);
      if (missing.length > 0) {
        await this.ensureRows(model, missing);
        const retried = await model.collection.bulkWrite(missing.map(increment) as never, { ordered: false });
        if (retried.matchedCount !== missing.length)
          throw new Error(`rollup increments matched ${retried.matchedCount} of ${missing.length} re-created rows`);
      }
    }
    if (this.known.size > KNOWN_ROWS_LIMIT) this.known.clear();
    for (const [key] of batch) this.known.add(key);
  }

  /**
   * Creates the rows that may not exist yet, with their dimensions and no sums: an upsert that sets only
   * on insert, so doing it twice (a retried batch, two replicas at once) changes nothing.
   */
  private async ensureRows(model: Model<RollupDocument>, batch: Array<[string, Pending]>): Promise<void> {
    if (batch.length === 0) return;
    const op = ([, p]: [string, Pending]) => ({
      filter: { _id: rollupKey(p.dims) },
      update: { $setOnInsert: { ...dimsOf(p.dims), hour: new Date(p.dims.hour) } },
      upsert: true,
    });
    try {
      const result = await model.collection.bulkWrite(batch.map((e) => ({ updateOne: op(e) })) as never, {
        ordered: false,
      });
      if (result.matchedCount + result.upsertedCount === batch.length) return;
    } catch (err) {
      if (!isBulkWriteReport(err)) throw err;
    }
    // A row created by another replica at the same moment (E11000), or a report not to be trusted: each alone.
    for (const entry of batch) {
      const { filter, update } = op(entry);
      for (let attempt = 1; ; attempt++) {
        try {
          await model.collection.updateOne(filter as never, update as never, { upsert: true });
          break;
        } catch (err) {
          if (!isDuplicateKey(err) || attempt >= 3) throw err;
        }
      }
    }
    this.logger.debug(`created ${batch.length} rollup rows one by one`);
  }
}

/** Just the dimensions of a row (a row is dimensions and sums). */
function dimsOf({ hour, tenant, model, rule, method, arm }: RollupDims): RollupDims {
  return { hour, tenant, model, rule, method, arm };
}

function toRow(doc: RollupDocument): RollupRow {
  const { _id, hour, tenant, model, rule, method, arm, [WRITES_FIELD]: _writes, ...sums } = doc;
  return {
    hour: new Date(hour).getTime(),
    tenant,
    model,
    rule,
    method,
    arm,
    ...countsOf(sums as Partial<RollupCounts>),
  };
}
