import { Schema } from 'mongoose';
import type { OptimizerReportEntity } from './optimizer-report.entity';

export const OPTIMIZER_REPORTS_COLLECTION = 'optimizer_reports';

export const optimizerReportSchema = new Schema<OptimizerReportEntity>(
  {
    // The report id is the primary key: a retried job's write is an upsert by _id (see routing records).
    _id: { required: true, type: String },
    reportId: { required: true, type: String },
    kind: { required: true, type: String },
    createdAt: { required: true, type: Date },
    windowDays: { required: true, type: Number },
    body: Schema.Types.Mixed,
  },
  { collection: OPTIMIZER_REPORTS_COLLECTION, versionKey: false },
);

// Serves OptimizerReportRepository.latest(kind): the newest report of a kind.
optimizerReportSchema.index({ kind: 1, createdAt: -1 });
