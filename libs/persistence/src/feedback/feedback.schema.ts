import { Schema } from 'mongoose';
import type { FeedbackEntity } from './feedback.entity';

export const FEEDBACK_COLLECTION = 'feedback';

export const feedbackSchema = new Schema<FeedbackEntity>(
  {
    // The tenant-scoped feedback id is the primary key, so the idempotent insert is an upsert by _id (see
    // routing records).
    _id: { required: true, type: String },
    feedbackId: { required: true, type: String },
    requestId: { required: true, type: String },
    tenant: { required: true, type: String },
    rating: Number,
    success: Boolean,
    comment: String,
    submittedAt: { required: true, type: Date },
  },
  { collection: FEEDBACK_COLLECTION, versionKey: false },
);

// Serves FeedbackRepository.findByRequestId(): all feedback a tenant gave on one request.
feedbackSchema.index({ requestId: 1, tenant: 1 });
