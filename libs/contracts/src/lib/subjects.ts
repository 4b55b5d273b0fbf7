// DO NOT CHANGE THE VALUES. Subjects are the wire contract between services of different releases:
// renaming one silently drops traffic. A breaking payload change is a new subject version (.v2), added
// beside the old one.
export const SUBJECTS = {
  /** Public: product teams publish chat requests here (request-reply, plain JSON). */
  request: 'router.request.v1',
  /** Public: feedback on an earlier request (request-reply, plain JSON). */
  feedback: 'router.feedback.v1',
  /** Public: ask rule-optimizer to run a job now (request-reply). */
  optimizerRunRequested: 'router.optimizer.run.requested.v1',
  /** Public: stats from the rollups, for the caller's tenant (an admin key: any or every tenant); request-reply. */
  statsQuery: 'router.stats.query.v1',
  requestReceived: 'router.request.received.v1',
  requestAnalyzed: 'router.request.analyzed.v1',
  /** Superseded by v2 (kept so a provider-adapters replica still serves decision-engine replicas of the last release). */
  routeDecided: 'router.route.decided.v1',
  /** A decided plan with the specs of every model it may call: provider-adapters runs it without a policy. */
  routeDecidedV2: 'router.route.decided.v2',
  completionSucceeded: 'router.completion.succeeded.v1',
  completionFailed: 'router.completion.failed.v1',
  feedbackSubmitted: 'router.feedback.submitted.v1',
  /** A new routing policy for every decision-engine and provider-adapters replica (JetStream, kept). */
  policyUpdated: 'router.policy.updated.v1',
  /** A replica refused a published policy; the old one keeps serving. */
  policyRejected: 'router.policy.rejected.v1',
  /** An event a durable consumer could not store (invalid, or failing every delivery), kept for inspection and replay. */
  eventDeadLettered: 'router.event.deadlettered.v1',
  /** A tenant key was created or revoked: every ingress replica reloads its keys now (core NATS, best effort). */
  tenantKeysChanged: 'router.tenant-keys.changed.v1',
  /** A learned router is in the model store; with `policyVersion`, a policy using it too (core NATS, best effort). */
  modelPublished: 'router.model.published.v1',
  /** A canary was decided (promote or roll back) and the resulting policy published (core NATS, best effort). */
  canaryVerdict: 'router.canary.verdict.v1',
  /** What a caller may name as `model` under the policy in force (ingress asks decision-engine; request-reply). */
  modelsList: 'router.models.list.v1',
  /** A judge model graded an answer: a quality label for its record (JetStream, de-duplicated by judgedKey). */
  labelJudged: 'router.label.judged.v1',
} as const;

export type Subject = (typeof SUBJECTS)[keyof typeof SUBJECTS];

/** The JetStream stream that keeps completions, feedback and judged labels until feedback-aggregator has stored them. */
export const EVENTS_STREAM = {
  name: 'ROUTER_EVENTS',
  subjects: ['router.completion.*.v1', SUBJECTS.feedbackSubmitted, SUBJECTS.labelJudged],
  /** Publishes with the same Nats-Msg-Id inside this window are stored once. */
  duplicateWindowMs: 10 * 60 * 1000,
} as const;

/** Published policies, kept without an age limit so a replica starting later loads the newest one. */
export const POLICIES_STREAM = {
  name: 'ROUTER_POLICIES',
  subjects: [SUBJECTS.policyUpdated],
  duplicateWindowMs: 10 * 60 * 1000,
  maxAgeMs: 0,
  /** Versions kept for audit and rollback. */
  maxMessages: 1000,
} as const;

/**
 * Events a durable consumer gave up on, each with why, kept for a month: `switchyard dlq list | replay | drop`.
 * Nothing a consumer cannot store is acked away without landing here first.
 */
export const DEAD_LETTER_STREAM = {
  name: 'ROUTER_DEADLETTER',
  subjects: [SUBJECTS.eventDeadLettered],
  duplicateWindowMs: 10 * 60 * 1000,
  maxAgeMs: 30 * 24 * 3600 * 1000,
} as const;

/** Durable consumer names. Changing one makes the new consumer re-read the stream from the start. */
export const DURABLE_CONSUMERS = {
  records: 'feedback-aggregator-records',
} as const;
