import { Schema } from 'mongoose';
import type { RoutingRecordEntity } from './routing-record.entity';

export const ROUTING_RECORDS_COLLECTION = 'routing_records';

export const routingRecordSchema = new Schema<RoutingRecordEntity>(
  {
    // The tenant-scoped request id (recordKey) is the primary key: every write is an upsert by _id, the one
    // lookup that FerretDB's SQLite backend serves from its primary key (a secondary-field upsert scans: 13 ms
    // at 5,000 records, growing with the collection, against 1 ms by _id).
    _id: { required: true, type: String },
    requestId: { required: true, type: String },
    tenant: { required: true, type: String },
    user: String,
    status: String,
    receivedAt: Date,
    completedAt: Date,
    prompt: String,
    context: String,
    taskHint: String,
    features: Schema.Types.Mixed,
    decision: Schema.Types.Mixed,
    rule: String,
    method: String,
    model: String,
    provider: String,
    usage: Schema.Types.Mixed,
    costUsd: Number,
    latency: Schema.Types.Mixed,
    attempts: Schema.Types.Mixed,
    stage: String,
    error: Schema.Types.Mixed,
    feedback: Schema.Types.Mixed,
    label: Schema.Types.Mixed,
  },
  { collection: ROUTING_RECORDS_COLLECTION, minimize: true, versionKey: false },
);

// Serves RoutingRecordRepository.rollupSource(): the optimizer's recount of closed hours; and
// removePromptsBefore(): the optimizer run's prompt retention (PROMPT_RETENTION_DAYS).
routingRecordSchema.index({ completedAt: 1 });
