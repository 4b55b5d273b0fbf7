import { Schema } from 'mongoose';
import type { LearningRunEntity } from './learning-run.entity';

export const LEARNING_RUNS_COLLECTION = 'learning_runs';

export const learningRunSchema = new Schema<LearningRunEntity>(
  {
    _id: { required: true, type: String },
    runId: { required: true, type: String },
    startedAt: { required: true, type: Date },
    finishedAt: Date,
    outcome: { required: true, type: String },
    reason: { required: true, type: String },
    policyVersion: { required: true, type: String },
    modelVersion: String,
    training: Schema.Types.Mixed,
    evaluation: Schema.Types.Mixed,
    releasedVersion: String,
    canary: Schema.Types.Mixed,
  },
  { collection: LEARNING_RUNS_COLLECTION, minimize: true, versionKey: false },
);
