import { Schema } from 'mongoose';
import type { PolicyVersionEntity } from './policy-version.entity';

export const POLICIES_COLLECTION = 'policies';

export const policyVersionSchema = new Schema<PolicyVersionEntity>(
  {
    // The version is the primary key: publishing the same version twice stores it once.
    _id: { required: true, type: String },
    version: { required: true, type: String },
    yaml: { required: true, type: String },
    publishedAt: { required: true, type: Date },
    publishedBy: String,
  },
  { collection: POLICIES_COLLECTION, versionKey: false },
);

// Serves PolicyVersionRepository.recent(): newest first.
policyVersionSchema.index({ publishedAt: -1 });
