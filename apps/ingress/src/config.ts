import { TENANT_PATTERN, TENANT_RULE } from '@switchyard/contracts';
import { baseEnvSchema, loadConfig, port } from '@switchyard/runtime';
import { z } from 'zod';

export const SERVICE = 'ingress';

export const ingressEnvSchema = baseEnvSchema.extend({
  HTTP_PORT: port(3000),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  /** Largest request accepted, in bytes of JSON. */
  MAX_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /** How long a request body may take to arrive (a body shorter than its Content-Length ends here: 408). */
  BODY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** How long ingress waits for the answer before replying `timeout`. */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** How long a request id is remembered: a repeat within it gets the first answer, not a second paid call. */
  IDEMPOTENCY_WINDOW_SECONDS: z.coerce.number().int().positive().default(600),
  /**
   * How long an SDK's first attempt (a request carrying `X-Stainless-Retry-Count: 0` and no id) is remembered
   * by tenant and body, so the SDK's retries of it, which carry no id, get its answer instead of paying again.
   */
  SDK_RETRY_WINDOW_SECONDS: z.coerce.number().int().positive().default(600),
  /**
   * `on`: every request needs a tenant key (`switchyard keys create`), which names its tenant. `off`: for
   * local development only, requests name their own tenant; logged loudly at start-up.
   */
  AUTH: z.enum(['on', 'off']).default('on'),
  /** Where tenant keys are stored (hashed); read with AUTH=on only. */
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI')
    .default('mongodb://127.0.0.1:27017/switchyard'),
  /** How often the keys in force are reloaded (a revocation also reaches every replica at once over NATS). */
  TENANT_KEYS_REFRESH_SECONDS: z.coerce.number().int().positive().default(30),
  /** Plain-text keys in the environment are no longer read; this says so instead of ignoring them. */
  TENANT_KEYS: z
    .string()
    .optional()
    .refine(
      (v) => v === undefined,
      'is no longer read: keys are stored hashed in MongoDB; create them with `switchyard keys create --tenant T` and unset TENANT_KEYS',
    ),
  /** The tenant of requests that name none, with AUTH=off. */
  DEFAULT_TENANT: z.string().regex(TENANT_PATTERN, TENANT_RULE).default('default'),
});
export type IngressConfig = z.infer<typeof ingressEnvSchema>;

export const INGRESS_CONFIG = Symbol('INGRESS_CONFIG');

export function loadIngressConfig(env: NodeJS.ProcessEnv = process.env): IngressConfig {
  return loadConfig(SERVICE, ingressEnvSchema, env);
}
