import { baseEnvSchema, loadConfig, port } from '@switchyard/runtime';
import { z } from 'zod';

export const SERVICE = 'rule-optimizer';

export const optimizerEnvSchema = baseEnvSchema.extend({
  HTTP_PORT: port(3005),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI')
    .default('mongodb://127.0.0.1:27017/switchyard'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  /** When the scheduled optimizer run starts (cron, server time zone). */
  OPTIMIZER_CRON: z.string().min(9).default('0 3 * * *'),
  /** Look-back window of the scheduled run and its report, in days. */
  OPTIMIZER_WINDOW_DAYS: z.coerce.number().int().positive().max(365).default(7),
  /** `on`: the HTTP API (runs, reports, which span tenants) takes an admin key (`switchyard keys create --admin`). */
  AUTH: z.enum(['on', 'off']).default('on'),
  /** How often the keys in force are reloaded (changes announced over NATS reach every replica at once). */
  TENANT_KEYS_REFRESH_SECONDS: z.coerce.number().int().positive().default(30),
  /**
   * The policy the rule review compares with when none was published (`switchyard policy publish` stores
   * them in MongoDB; the newest published one wins).
   */
  POLICY_FILE: z.string().min(1).default('policies/default.yaml'),
  /** Closed hours before each run whose rollups are recounted from the records and corrected. */
  RECONCILE_HOURS: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 31)
    .default(48),
  /**
   * Days of hourly rollup rows kept (older hours are read from the daily rows); each run deletes older
   * ones. feedback-aggregator's ROLLUP_HOURLY_DAYS must be the same (it refuses hourly windows older).
   */
  ROLLUP_HOURLY_DAYS: z.coerce.number().int().min(3).max(3660).default(35),
  /** Labelled requests a rule's own model needs before the review judges the rule. */
  REVIEW_MIN_SAMPLES: z.coerce.number().int().positive().default(30),
  /** Labelled requests another model needs on a rule's traffic before it is compared. */
  REVIEW_MIN_ALTERNATIVE_SAMPLES: z.coerce.number().int().positive().default(10),
  /** Mean quality (0..1: success, or the rating scaled) under which a rule's model is underperforming. */
  REVIEW_QUALITY_THRESHOLD: z.coerce.number().min(0).max(1).default(0.75),
  /** When the retraining runs (cron, server time zone); it does something only for a policy with `learning`. */
  RETRAIN_CRON: z.string().min(9).default('30 3 * * *'),
  /** How often a running canary with an automatic verdict is checked (cron). */
  CANARY_CHECK_CRON: z.string().min(9).default('*/10 * * * *'),
  /** Hashed feature dimensions of retrained routers (a power of two; weights are dims × models floats). */
  RETRAIN_DIMS: z.coerce
    .number()
    .int()
    .min(1 << 10)
    .max(1 << 22)
    .refine((n) => (n & (n - 1)) === 0, 'must be a power of two')
    .default(1 << 18),
  /** Largest importance weight (1 / propensity) the off-policy estimate gives a record; larger ones are clipped. */
  RETRAIN_MAX_WEIGHT: z.coerce.number().min(1).default(50),
  /**
   * A routing dataset (docs/datasets.md; .jsonl or .jsonl.gz) whose rows join every retraining's training
   * part, never its held-out records. Read once at start-up: a file that is missing or has a bad line fails
   * the start. Unset: records only.
   */
  RETRAIN_SEED_DATASET: z.string().min(1).optional(),
  /**
   * Most rows of the seed dataset kept (a seeded sample of a larger file, the same at every start). A row
   * labels every model, so it costs as much training as one record per model: 5,000 rows of 9 models weigh
   * like 45,000 records (docs/learning.md).
   */
  RETRAIN_SEED_MAX_ROWS: z.coerce.number().int().positive().max(50_000).default(5_000),
  /** How much a seed row counts against a production record in training (1: the same; 0.5: half). */
  RETRAIN_SEED_WEIGHT: z.coerce.number().gt(0).max(100).default(1),
  /**
   * Days a routing record keeps its routed text; each optimizer run (OPTIMIZER_CRON) removes the text of
   * older records (the rest of the record stays). 0: kept as long as the record. Longer than the learning
   * window (the policy's learning.windowDays), or the retraining finds records without text.
   */
  PROMPT_RETENTION_DAYS: z.coerce.number().int().min(0).max(3660).default(30),
  /**
   * How long a running job's lock lasts between renewals. Training holds the event loop for long stretches
   * (tens of seconds at 10,000s of records), during which the lock cannot be renewed: shorter, and BullMQ
   * would take a healthy run for a dead one and start it again. A replica that dies mid-run leaves its job
   * to be picked up by another once the lock has lapsed.
   */
  OPTIMIZER_LOCK_MS: z.coerce.number().int().min(5_000).default(600_000),
  /** BullMQ queue name; tests give each run its own. */
  OPTIMIZER_QUEUE: z.string().min(1).default('switchyard-optimizer'),
});
export type OptimizerConfig = z.infer<typeof optimizerEnvSchema>;

export const OPTIMIZER_CONFIG = Symbol('OPTIMIZER_CONFIG');

export function loadOptimizerConfig(env: NodeJS.ProcessEnv = process.env): OptimizerConfig {
  return loadConfig(SERVICE, optimizerEnvSchema, env);
}
