/** One run of the nightly retraining, whatever its outcome: what analysts and the gate's history read. */
export interface LearningRunEntity {
  /** The BullMQ job id and its timestamp: unique per run. */
  _id?: string;
  runId: string;
  startedAt: Date;
  finishedAt?: Date;
  /** `skipped` (nothing to do, and why), `refused` (the gate said no), `released` (a canary started), `failed`. */
  outcome: 'skipped' | 'refused' | 'released' | 'failed';
  reason: string;
  /** The policy in force when the run started. */
  policyVersion: string;
  /** The trained router's version, when one was trained. */
  modelVersion?: string;
  /** Records read, labelled, used for training, held out; chosen training settings. */
  training?: Record<string, unknown>;
  /** The off-policy comparison of the candidate with the policy in force on the held-out records. */
  evaluation?: Record<string, unknown>;
  /** The canary policy published, when released. */
  releasedVersion?: string;
  /** The canary's verdict, once it has one. */
  canary?: { verdict: 'promote' | 'rollback'; reason: string; decidedAt: Date; publishedVersion: string };
}
