import { Schema } from 'mongoose';
import type { FeedbackEntity } from './feedback.entity';

export const FEEDBACK_COLLECTION = 'feedback';

export const feedbackSchema = new Schema<FeedbackEntity>(
  {
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

// Serves the idempotent insert (FeedbackRepository.insertOnce) when a feedback event is redelivered.
feedbackSchema.index({ feedbackId: 1 }, { unique: true });
// Serves FeedbackRepository.findByRequestId(): all feedback given on one request.
feedbackSchema.index({ requestId: 1 });
