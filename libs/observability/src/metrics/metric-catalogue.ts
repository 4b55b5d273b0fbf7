/**
 * Every metric Switchyard exports, defined once: its name, help text, kind and labels. The recorders create
 * them from here, and a spec checks that the Grafana dashboard and the Prometheus rules under deploy/ use
 * only these names (plus the process metrics prom-client adds). Label values come from bounded sets: routing
 * methods, error codes, the policy's models and rules, tenants (capped, see LabelGuard), never request ids.
 */
export interface MetricDefinition<L extends string = string> {
  readonly name: string;
  readonly help: string;
  readonly kind: 'counter' | 'gauge' | 'histogram';
  readonly labelNames: readonly L[];
  /** Histograms only: upper bounds in seconds. */
  readonly buckets?: readonly number[];
}

function define<L extends string>(d: MetricDefinition<L>): MetricDefinition<L> {
  return d;
}

/** The routing hop is a few Redis round trips: sub-millisecond to tens of milliseconds. */
const DECISION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Model calls: a local model in milliseconds, a long completion in a minute. */
const PROVIDER_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];
/** Whole requests as the caller sees them: routing plus the model call(s). */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];
/** Optimizer jobs: a canary check in a second, a retraining in minutes. */
const JOB_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];

export const METRICS = {
  // ingress
  requests: define({
    name: 'switchyard_requests_total',
    help: 'Chat requests answered by ingress, by door, model, routing method, rule, canary arm and outcome (ok or the error code).',
    kind: 'counter',
    labelNames: ['door', 'model', 'method', 'rule', 'canary_arm', 'outcome'],
  }),
  requestDuration: define({
    name: 'switchyard_request_duration_seconds',
    help: 'Time from a chat request reaching ingress to its answer (or failure), by door and outcome (ok or error).',
    kind: 'histogram',
    labelNames: ['door', 'outcome'],
    buckets: REQUEST_BUCKETS,
  }),
  // decision-engine
  decisionDuration: define({
    name: 'switchyard_decision_duration_seconds',
    help: 'Time decision-engine took to route a request (policy, quotas, budget hold), by routing method and outcome (ok or the error code).',
    kind: 'histogram',
    labelNames: ['method', 'outcome'],
    buckets: DECISION_BUCKETS,
  }),
  modelQuotaRemaining: define({
    name: 'switchyard_model_quota_remaining',
    help: "Calls a model may still take today under the policy's daily quota (sampled from Redis on scrape).",
    kind: 'gauge',
    labelNames: ['model'],
  }),
  modelQuotaDaily: define({
    name: 'switchyard_model_quota_daily',
    help: "A model's daily call quota in the policy in force.",
    kind: 'gauge',
    labelNames: ['model'],
  }),
  tenantBudgetRemaining: define({
    name: 'switchyard_tenant_budget_remaining_usd',
    help: "US dollars a tenant may still spend today: budget minus spend minus holds in flight (sampled from Redis on scrape; tenants the policy names and, for the '*' budget, tenants this replica routed today).",
    kind: 'gauge',
    labelNames: ['tenant'],
  }),
  tenantBudgetDaily: define({
    name: 'switchyard_tenant_budget_daily_usd',
    help: "A tenant's daily budget in US dollars in the policy in force.",
    kind: 'gauge',
    labelNames: ['tenant'],
  }),
  // provider-adapters
  providerCallDuration: define({
    name: 'switchyard_provider_call_duration_seconds',
    help: 'Duration of each try of a model call (a retry is a try of its own), by provider, model and outcome (ok or error).',
    kind: 'histogram',
    labelNames: ['provider', 'model', 'outcome'],
    buckets: PROVIDER_BUCKETS,
  }),
  providerErrors: define({
    name: 'switchyard_provider_errors_total',
    help: "Failed tries of model calls, by provider, model and status: the provider's HTTP status, else timeout, transient (connection, garbled answer), rejected (not retryable: no key, no base URL), cannot_honour, stream_broken or internal.",
    kind: 'counter',
    labelNames: ['provider', 'model', 'status'],
  }),
  cost: define({
    name: 'switchyard_cost_usd_total',
    help: 'US dollars spent on model calls, by model and tenant (every paid call, cascade tiers and consensus voters included).',
    kind: 'counter',
    labelNames: ['model', 'tenant'],
  }),
  tokens: define({
    name: 'switchyard_tokens_total',
    help: 'Tokens of answered model calls, by model and direction (input or output).',
    kind: 'counter',
    labelNames: ['model', 'direction'],
  }),
  judgeGrades: define({
    name: 'switchyard_judge_grades_total',
    help: "Answers the policy's judge was asked to grade (a sampled share, after the caller had its answer), by judge model and outcome: graded, unparsable (the reply gave no clear grade 1-10), failed, timeout, quota (the judge's daily quota is spent), cooling (the judge is cooling down), store_down (the quota store is unreachable and the policy says onStoreDown: closed), busy (JUDGE_MAX_IN_FLIGHT gradings already running).",
    kind: 'counter',
    labelNames: ['model', 'outcome'],
  }),
  // feedback-aggregator
  recordsStored: define({
    name: 'switchyard_records_stored_total',
    help: "Events written by feedback-aggregator, by kind (completion, feedback, label: a judge's grade) and result (created, duplicate: a redelivery stored again; attached, held: feedback or a label waiting for its record; kept: a label not applied over a later one).",
    kind: 'counter',
    labelNames: ['kind', 'result'],
  }),
  consumerPending: define({
    name: 'switchyard_consumer_pending_messages',
    help: "Messages of the stream the durable consumer has not been delivered yet (JetStream num_pending, sampled on scrape): the consumer's lag.",
    kind: 'gauge',
    labelNames: ['stream', 'consumer'],
  }),
  consumerAckPending: define({
    name: 'switchyard_consumer_ack_pending_messages',
    help: 'Messages delivered to the durable consumer and not yet acked (JetStream num_ack_pending, sampled on scrape).',
    kind: 'gauge',
    labelNames: ['stream', 'consumer'],
  }),
  consumerRedelivered: define({
    name: 'switchyard_consumer_redelivered_messages',
    help: 'Messages the durable consumer holds that were delivered more than once (JetStream num_redelivered, sampled on scrape).',
    kind: 'gauge',
    labelNames: ['stream', 'consumer'],
  }),
  // rule-optimizer
  optimizerJobs: define({
    name: 'switchyard_optimizer_jobs_total',
    help: 'Optimizer jobs (BullMQ) by job name and outcome: completed, failed (for good), retried (a failed attempt that will run again), stalled (its worker lost the lock).',
    kind: 'counter',
    labelNames: ['job', 'outcome'],
  }),
  optimizerJobDuration: define({
    name: 'switchyard_optimizer_job_duration_seconds',
    help: 'Run time of optimizer job attempts that ended (completed or failed), by job name.',
    kind: 'histogram',
    labelNames: ['job'],
    buckets: JOB_BUCKETS,
  }),
  optimizerQueueJobs: define({
    name: 'switchyard_optimizer_queue_jobs',
    help: 'Jobs in the optimizer queue by state (waiting, active, delayed, failed), sampled on scrape.',
    kind: 'gauge',
    labelNames: ['state'],
  }),
  // every service
  sampleFailures: define({
    name: 'switchyard_metrics_sample_failures_total',
    help: 'Scrape-time samples that failed or timed out (their gauges are left out of that scrape), by sampler.',
    kind: 'counter',
    labelNames: ['sampler'],
  }),
} as const;

export type MetricKey = keyof typeof METRICS;

/**
 * Names of the process metrics prom-client's collectDefaultMetrics adds (once per process), for the
 * consistency check of the dashboard and rules.
 */
export const PROCESS_METRIC_PREFIXES = ['process_', 'nodejs_'] as const;

/** Every series name a query may use: each metric's name and, for a histogram, its _bucket, _sum and _count. */
export function exportedSeriesNames(): Set<string> {
  const names = new Set<string>();
  for (const m of Object.values(METRICS) as MetricDefinition[]) {
    names.add(m.name);
    if (m.kind === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${m.name}${s}`);
  }
  return names;
}
