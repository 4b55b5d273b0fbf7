import { Schema } from 'mongoose';

export const ROLLUPS_COLLECTION = 'rollups';
/** The same rows summed per UTC day (`hour` is the day's midnight): what windows of whole days read. */
export const DAILY_ROLLUPS_COLLECTION = 'rollups_daily';

/** A rollup row as stored: its dimensions, with the hour as a date, and its sums (RollupCounts). */
export interface RollupDocument {
  /** rollupKey(dims): every increment of a row is an update by _id. */
  _id: string;
  hour: Date;
  tenant: string;
  model: string;
  rule: string;
  method: string;
  arm: string;
  [sum: string]: unknown;
}

export const rollupSchema = new Schema<RollupDocument>(
  {
    _id: { required: true, type: String },
    hour: { required: true, type: Date },
    tenant: { required: true, type: String },
    model: { required: true, type: String },
    rule: { required: true, type: String },
    method: { required: true, type: String },
    arm: { required: true, type: String },
  },
  // The sums are written by $inc on the driver's collection; mongoose only reads them back.
  { strict: false, versionKey: false },
);

// Serves every stats query and report: rows of a time window (then the tenant's, or a rule's).
rollupSchema.index({ hour: 1 });
