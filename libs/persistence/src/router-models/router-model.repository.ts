import { Inject, Injectable } from '@nestjs/common';
import { type Connection, type Model, mongo } from 'mongoose';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { MONGO_CONNECTION } from '../persistence.constants';
import type { RouterModelChunkEntity, RouterModelEntity, RouterModelStatus } from './router-model.entity';
import {
  ROUTER_MODEL_CHUNKS_COLLECTION,
  ROUTER_MODEL_CHUNK_BYTES,
  ROUTER_MODELS_COLLECTION,
  routerModelChunkSchema,
  routerModelSchema,
} from './router-model.schema';

// Async: gzipping ~30 MB on the event loop would stall a service's NATS traffic for a second.
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** What went wrong with a router model version: a caller falls back on `not-found`, alerts on the others. */
export type RouterModelProblem = 'not-found' | 'missing-chunk' | 'corrupt' | 'conflict';

export class RouterModelError extends Error {
  override readonly name = 'RouterModelError';
  constructor(
    readonly version: string,
    readonly problem: RouterModelProblem,
    message: string,
  ) {
    super(`router model ${version}: ${message}`);
  }
}

/** What is stored beside an artifact. */
export interface RouterModelMeta {
  source: string;
  training?: unknown;
  evaluation?: unknown;
  status?: RouterModelStatus;
  createdAt?: Date;
}

function chunkId(version: string, index: number): string {
  return `${version}#${index}`;
}

/** A chunk's data as the driver hands it back: a bson Binary from lean reads (a Buffer if promoted). */
function bytesOf(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof mongo.Binary) {
    const bytes = data.value();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  throw new TypeError(`chunk data is a ${typeof data}, not binary`);
}

/**
 * Learned routers, versioned, stored without files: the artifact's JSON gzipped, cut into
 * ROUTER_MODEL_CHUNK_BYTES chunks (`router_model_chunks`, `_id` = `${version}#${index}`), and one metadata
 * document per version (`router_models`, `_id` = version) written last, so a version is visible only once all
 * of its chunks are stored. Every read is by `_id`: FerretDB's SQLite backend indexes nothing else.
 *
 * Versions are meant to be written once each (a training run names its own). Two saves of different artifacts
 * under one version at the same moment can interleave their chunks; the loser is refused and the winner's load
 * then fails its sha256 check (naming the version) rather than serving a mix.
 */
@Injectable()
export class RouterModelRepository {
  private readonly models: Model<RouterModelEntity>;
  private readonly chunks: Model<RouterModelChunkEntity>;

  constructor(@Inject(MONGO_CONNECTION) connection: Connection) {
    this.models = connection.model<RouterModelEntity>(ROUTER_MODELS_COLLECTION, routerModelSchema);
    this.chunks = connection.model<RouterModelChunkEntity>(ROUTER_MODEL_CHUNKS_COLLECTION, routerModelChunkSchema);
  }

  async ensureIndexes(): Promise<void> {
    await Promise.all([this.models.createIndexes(), this.chunks.createIndexes()]);
  }

  /**
   * Stores `artifact` under `artifact.version`. Chunks first (upserts by `_id`: a retried save rewrites the
   * same documents), the metadata last. A version already stored with the same sha256 is left as it is and
   * returned; with another sha256 it is refused (a RouterModelError, `conflict`), before anything is written.
   * The sha256 is of the gzipped bytes: the same artifact saved again by the same Node (zlib) gives the same one.
   */
  async save(artifact: { version: string } & object, meta: RouterModelMeta): Promise<RouterModelEntity> {
    const { version } = artifact;
    if (typeof version !== 'string' || version.length === 0)
      throw new TypeError('a router model artifact needs a non-empty string "version"');
    const json = JSON.stringify(artifact);
    const compressed = await gzipAsync(json);
    const sha256 = createHash('sha256').update(compressed).digest('hex');

    const existing = await this.find(version);
    if (existing) return this.sameOrRefuse(existing, sha256);

    const count = Math.ceil(compressed.length / ROUTER_MODEL_CHUNK_BYTES);
    const writtenAt = new Date();
    // One at a time: each is up to 4 MiB (more on FerretDB's side), and a bulk write's report is not to be
    // trusted on FerretDB (verified-upsert.ts); a failure here leaves chunks without metadata, invisible.
    for (let index = 0; index < count; index++) {
      const _id = chunkId(version, index);
      const data = compressed.subarray(index * ROUTER_MODEL_CHUNK_BYTES, (index + 1) * ROUTER_MODEL_CHUNK_BYTES);
      const result = await this.chunks.replaceOne(
        { _id },
        { _id, version, index, data, createdAt: writtenAt },
        { upsert: true },
      );
      if (result.matchedCount + result.upsertedCount !== 1)
        throw new RouterModelError(version, 'missing-chunk', `chunk ${index} of ${count} was not acknowledged`);
    }

    const entity: RouterModelEntity = {
      version,
      createdAt: meta.createdAt ?? writtenAt,
      source: meta.source,
      bytes: Buffer.byteLength(json),
      compressedBytes: compressed.length,
      sha256,
      chunks: count,
      status: meta.status ?? 'candidate',
      ...(meta.training === undefined ? {} : { training: meta.training }),
      ...(meta.evaluation === undefined ? {} : { evaluation: meta.evaluation }),
    };
    try {
      const result = await this.models.updateOne(
        { _id: version },
        { $setOnInsert: { ...entity, _id: version } },
        { upsert: true },
      );
      if (result.upsertedCount === 1) return entity;
    } catch (err) {
      // Two saves of one version raced to insert the metadata: the one that lost reads what won.
      if ((err as { code?: unknown }).code !== 11000) throw err;
    }
    const winner = await this.find(version);
    if (!winner) throw new RouterModelError(version, 'not-found', 'its metadata was not stored; save it again');
    return this.sameOrRefuse(winner, sha256);
  }

  /** The artifact as it was saved. Throws a RouterModelError naming the version and what is wrong. */
  async load(version: string): Promise<object> {
    const meta = await this.find(version);
    if (!meta) throw new RouterModelError(version, 'not-found', 'no such version (or its save never finished)');
    const ids = Array.from({ length: meta.chunks }, (_, index) => chunkId(version, index));
    const found = await this.chunks
      .find({ _id: { $in: ids } }, { _id: 1, data: 1 })
      .lean<Array<Pick<RouterModelChunkEntity, '_id' | 'data'>>>()
      .exec();
    const byId = new Map(found.map((chunk) => [chunk._id, bytesOf(chunk.data)]));
    const parts = ids.map((id, index) => {
      const part = byId.get(id);
      if (!part) throw new RouterModelError(version, 'missing-chunk', `chunk ${index} of ${meta.chunks} is missing`);
      return part;
    });
    const compressed = Buffer.concat(parts);
    const sha256 = createHash('sha256').update(compressed).digest('hex');
    if (compressed.length !== meta.compressedBytes || sha256 !== meta.sha256)
      throw new RouterModelError(
        version,
        'corrupt',
        `sha256 mismatch: the chunks hold ${compressed.length} bytes with sha256 ${sha256}, ` +
          `the metadata says ${meta.compressedBytes} bytes with sha256 ${meta.sha256}`,
      );
    try {
      return JSON.parse((await gunzipAsync(compressed)).toString('utf8')) as object;
    } catch (err) {
      // Only if it was stored broken: the bytes are the ones whose sha256 the save recorded.
      throw new RouterModelError(version, 'corrupt', `stored artifact does not decode: ${(err as Error).message}`);
    }
  }

  /** A version's metadata, or null when there is none (never saved, or its save has not finished). */
  async find(version: string): Promise<RouterModelEntity | null> {
    return this.models.findOne({ _id: version }, { _id: 0 }).lean<RouterModelEntity>().exec();
  }

  /** The newest versions' metadata (no artifact), newest first. */
  async list(limit = 20): Promise<RouterModelEntity[]> {
    return this.models
      .find({}, { _id: 0 })
      .sort({ createdAt: -1, _id: -1 })
      .limit(Math.min(Math.max(limit, 1), 500))
      .lean<RouterModelEntity[]>()
      .exec();
  }

  /** Sets a version's status and why (without a note, the old note goes); false when there is no such version. */
  async setStatus(version: string, status: RouterModelStatus, note?: string): Promise<boolean> {
    const update =
      note === undefined ? { $set: { status }, $unset: { statusNote: 1 } } : { $set: { status, statusNote: note } };
    const result = await this.models.updateOne({ _id: version }, update);
    return result.matchedCount === 1;
  }

  /** Replaces a version's evaluation; false when there is no such version. */
  async setEvaluation(version: string, evaluation: unknown): Promise<boolean> {
    const result = await this.models.updateOne({ _id: version }, { $set: { evaluation } });
    return result.matchedCount === 1;
  }

  /**
   * Deletes chunks last written before `olderThan` that no load can reach: those of a version without metadata
   * (a save that died) and those past a stored version's chunk count. Returns how many it deleted.
   *
   * Scans the chunk collection (chunks have no index but `_id`; the projection leaves their data on the
   * server), so it is a maintenance job, not a hot path. `olderThan` must lie well before any save still
   * running (an hour ago, say): a running save's chunks have no metadata yet.
   */
  async deleteOrphanChunks(olderThan: Date): Promise<number> {
    const stale = await this.chunks
      .find({ createdAt: { $lt: olderThan } }, { _id: 1, version: 1, index: 1 })
      .lean<Array<Pick<RouterModelChunkEntity, '_id' | 'version' | 'index'>>>()
      .exec();
    if (stale.length === 0) return 0;
    const versions = [...new Set(stale.map((chunk) => chunk.version))];
    const stored = await this.models
      .find({ _id: { $in: versions } }, { _id: 1, chunks: 1 })
      .lean<Array<{ _id: string; chunks: number }>>()
      .exec();
    const chunkCounts = new Map(stored.map((model) => [model._id, model.chunks]));
    const orphans = stale
      .filter((chunk) => chunk.index >= (chunkCounts.get(chunk.version) ?? 0))
      .map((chunk) => chunk._id);
    let deleted = 0;
    for (let i = 0; i < orphans.length; i += 500) {
      const result = await this.chunks.deleteMany({ _id: { $in: orphans.slice(i, i + 500) } });
      deleted += result.deletedCount;
    }
    return deleted;
  }

  private sameOrRefuse(existing: RouterModelEntity, sha256: string): RouterModelEntity {
    if (existing.sha256 === sha256) return existing;
    throw new RouterModelError(
      existing.version,
      'conflict',
      `already stored with sha256 ${existing.sha256}; this artifact's is ${sha256}. Save it under a new version`,
    );
  }
}
