import { baseEnvSchema, loadConfig, port } from '@switchyard/runtime';
import { z } from 'zod';

export const SERVICE = 'ingress';

const tenantKeys = z
  .string()
  .regex(
    /^[^:,\s]+:[^:,\s]+(,[^:,\s]+:[^:,\s]+)*$/,
    'must be tenant:key pairs separated by commas, e.g. "acme:k1,beta:k2"',
  )
  .transform((value) => new Map(value.split(',').map((pair) => pair.split(':').reverse() as [string, string])));

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
  /** How long ingress waits for the answer before replying `timeout`. */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** How long a request id is remembered: a repeat within it gets the first answer, not a second paid call. */
  IDEMPOTENCY_WINDOW_SECONDS: z.coerce.number().int().positive().default(600),
  /** When set, every request must carry one of these keys; maps key -> tenant. */
  TENANT_KEYS: tenantKeys.optional(),
  DEFAULT_TENANT: z.string().min(1).default('default'),
});
export type IngressConfig = z.infer<typeof ingressEnvSchema>;

export const INGRESS_CONFIG = Symbol('INGRESS_CONFIG');

export function loadIngressConfig(env: NodeJS.ProcessEnv = process.env): IngressConfig {
  return loadConfig(SERVICE, ingressEnvSchema, env);
}
