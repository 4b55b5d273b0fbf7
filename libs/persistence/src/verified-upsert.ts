import { extend } from '@switchyard/contracts';
import type { Collection, Model } from 'mongoose';
import { randomUUID } from 'node:crypto';
import type { BatchFailures, BatchOutcome } from './group-commit';

/** One upsert by `_id`: the only write shape a record takes, so replays and races end in the same document. */
export interface UpsertById<T> {
  _id: string;
  $set: Partial<T>;
}

/** Tries of one upsert that loses an insert race (E11000): the second finds the document and updates it. */
const DUPLICATE_KEY_RETRIES = 3;

/**
 * Field a batch's insert stamps on the documents it creates: when the batch must fall back to upserts, it
 * tells the documents this batch created from those that were there before.
 */
export const CREATED_BY_FIELD = '_batch';

/**
 * Writes a batch of records that are almost always new, and says which of them this write created (a
 * record counts in the rollups once, when it is created; a redelivered event must not count it again).
 * First as one unordered insert (about a third of the database's work of upserts: 0.23-0.33 against
 * 0.73-1.07 ms of FerretDB CPU per record, `node tools/probes/record-insert.cjs`, docs/benchmarks.md); when
 * that is not fully acknowledged (one of them exists already: a redelivered event), each operation alone:
 * created by this batch's insert (its stamp), or upserted, and then created when the upsert inserted it.
 */
export async function insertOrUpsertVerified<T>(
  model: Model<T>,
  ops: ReadonlyArray<UpsertById<T>>,
): Promise<BatchOutcome<boolean>> {
  const failures = new Map<number, Error>();
  const created = new Map<number, boolean>();
  if (ops.length === 0) return { failures, results: created };
  const batch = randomUUID();
  try {
    const result = await model.collection.insertMany(
      ops.map((op) => extend(op.$set, { _id: op._id, [CREATED_BY_FIELD]: batch }) as never),
      { ordered: false },
    );
    if (result.insertedCount === ops.length) {
      ops.forEach((_, i) => created.set(i, true));
      return { failures, results: created };
    }
  } catch (err) {
    if (!isBulkWriteReport(err)) throw err;
  }
  for (const [index, op] of ops.entries()) {
    const found = await model.collection.findOne({ _id: op._id } as never, {
      projection: { [CREATED_BY_FIELD]: 1 },
    });
    if ((found as Record<string, unknown> | null)?.[CREATED_BY_FIELD] === batch) {
      created.set(index, true);
      continue;
    }
    const outcome = await upsertOne(model.collection, op);
    if (outcome instanceof Error) failures.set(index, outcome);
    else created.set(index, outcome.created);
  }
  return { failures, results: created };
}

/**
 * Upserts a batch by `_id` in one unordered bulk write and returns the operations that failed. The server's
 * per-operation report is not trusted: FerretDB v1.24.2 stops an unordered bulk write at its first failure
 * and reports that failure at index 0 (checked against it, verified-upsert.integration.spec.ts), so the
 * failed operation's index and everything after it are wrong. When the bulk write reports any failure, or
 * fewer matched-or-upserted documents than operations, every operation of the batch is written again one
 * at a time (each is idempotent) and judged by its own acknowledged result.
 */
export async function upsertVerified<T>(model: Model<T>, ops: ReadonlyArray<UpsertById<T>>): Promise<BatchFailures> {
  if (ops.length === 0) return new Map();
  try {
    const result = await model.collection.bulkWrite(
      ops.map((op) => ({ updateOne: { filter: { _id: op._id }, update: { $set: op.$set }, upsert: true } })) as never,
      { ordered: false },
    );
    if (result.matchedCount + result.upsertedCount === ops.length) return new Map();
  } catch (err) {
    // A failure of the whole command (no connection) is the caller's to retry; per-operation failures are ours.
    if (!isBulkWriteReport(err)) throw err;
  }
  return upsertOneByOne(model.collection, ops);
}

async function upsertOneByOne<T>(collection: Collection, ops: ReadonlyArray<UpsertById<T>>): Promise<BatchFailures> {
  const failures = new Map<number, Error>();
  for (const [index, op] of ops.entries()) {
    const outcome = await upsertOne(collection, op);
    if (outcome instanceof Error) failures.set(index, outcome);
  }
  return failures;
}

/** One verified upsert: whether it created the document, or why it failed. */
async function upsertOne<T>(collection: Collection, op: UpsertById<T>): Promise<{ created: boolean } | Error> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await collection.updateOne({ _id: op._id } as never, { $set: op.$set } as never, { upsert: true });
      if (result.matchedCount + result.upsertedCount === 1) return { created: result.upsertedCount === 1 };
      return new Error(`upsert of ${op._id}: the server acknowledged it but matched and inserted nothing`);
    } catch (err) {
      if (isDuplicateKey(err) && attempt < DUPLICATE_KEY_RETRIES) continue;
      // A lost connection fails the whole batch (the caller retries it); anything else is this operation's.
      if (!hasCode(err)) throw err;
      return new Error(`upsert of ${op._id}: ${(err as Error).message}`, { cause: err });
    }
  }
}

export function isBulkWriteReport(err: unknown): boolean {
  const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
  return Array.isArray(writeErrors) || (err as Error).name === 'MongoBulkWriteError';
}

function hasCode(err: unknown): boolean {
  return typeof (err as { code?: unknown }).code === 'number';
}

export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown }).code === 11000;
}
