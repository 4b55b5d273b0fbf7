import { Schema } from 'mongoose';
import type { OptimizerReportEntity } from './optimizer-report.entity';

export const OPTIMIZER_REPORTS_COLLECTION = 'optimizer_reports';

export const optimizerReportSchema = new Schema<OptimizerReportEntity>(
  {
    reportId: { required: true, type: String },
    kind: { required: true, type: String },
    createdAt: { required: true, type: Date },
    windowDays: { required: true, type: Number },
    body: Schema.Types.Mixed,
  },
  { collection: OPTIMIZER_REPORTS_COLLECTION, versionKey: false },
);

// Serves the idempotent write when a BullMQ job is retried after it stored its report (reportId = job id).
optimizerReportSchema.index({ reportId: 1 }, { unique: true });
// Serves OptimizerReportRepository.latest(kind): the newest report of a kind.
optimizerReportSchema.index({ kind: 1, createdAt: -1 });
