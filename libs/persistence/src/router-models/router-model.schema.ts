import { Schema } from 'mongoose';
import type { RouterModelChunkEntity, RouterModelEntity } from './router-model.entity';

export const ROUTER_MODELS_COLLECTION = 'router_models';
export const ROUTER_MODEL_CHUNKS_COLLECTION = 'router_model_chunks';

/**
 * Bytes of gzipped JSON per chunk document: well under the 16 MiB document limit of MongoDB and FerretDB
 * (FerretDB's SQLite backend keeps binary as base64 inside JSON, a third larger), and few enough
 * documents that a ~30 MB artifact is a handful of writes.
 */
export const ROUTER_MODEL_CHUNK_BYTES = 4 * 1024 * 1024;

export const routerModelSchema = new Schema<RouterModelEntity>(
  {
    // The version is the primary key: FerretDB's SQLite backend indexes only _id, and a save retried after a
    // crash finds the version it may have written.
    _id: { required: true, type: String },
    version: { required: true, type: String },
    createdAt: { required: true, type: Date },
    source: { required: true, type: String },
    bytes: { required: true, type: Number },
    compressedBytes: { required: true, type: Number },
    sha256: { required: true, type: String },
    chunks: { required: true, type: Number },
    status: { required: true, type: String },
    statusNote: String,
    training: Schema.Types.Mixed,
    evaluation: Schema.Types.Mixed,
  },
  { collection: ROUTER_MODELS_COLLECTION, minimize: false, versionKey: false },
);

// Serves RouterModelRepository.list(): the newest first (on real MongoDB; a few documents per week either way).
routerModelSchema.index({ createdAt: -1 });

// No secondary index: chunks are read and written only by _id (`${version}#${index}`, computed from the
// metadata's chunk count). deleteOrphanChunks() scans, rarely, rather than every chunk write paying for an index.
export const routerModelChunkSchema = new Schema<RouterModelChunkEntity>(
  {
    _id: { required: true, type: String },
    version: { required: true, type: String },
    index: { required: true, type: Number },
    data: { required: true, type: Buffer },
    createdAt: { required: true, type: Date },
  },
  { collection: ROUTER_MODEL_CHUNKS_COLLECTION, versionKey: false },
);
