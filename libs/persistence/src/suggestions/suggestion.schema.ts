import { Schema } from 'mongoose';
import type { SuggestionEntity } from './suggestion.entity';

export const SUGGESTIONS_COLLECTION = 'suggestions';

export const suggestionSchema = new Schema<SuggestionEntity & { _id: string }>(
  {
    // The suggestion id is the primary key: a retried run writes its suggestions once.
    _id: { required: true, type: String },
    suggestionId: { required: true, type: String },
    reportId: { required: true, type: String },
    createdAt: { required: true, type: Date },
    status: { required: true, type: String },
  },
  { collection: SUGGESTIONS_COLLECTION, strict: false, versionKey: false },
);

// Serves SuggestionRepository.list: the newest first, by status.
suggestionSchema.index({ status: 1, createdAt: -1 });
