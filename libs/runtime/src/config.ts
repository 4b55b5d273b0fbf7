import { z } from 'zod';
import { LOG_LEVELS } from '@switchyard/observability';

/**
 * How a process proves who it is to NATS (each service its own user, deploy/k8s/nats/nats-server.conf) and
 * trusts the server: at most one of user/password, token, nkey seed file or .creds file; TLS when a CA or
 * client certificate is given (or the URL says tls://). Secrets come from files or the environment
 * (Kubernetes Secrets), never from the policy.
 */
const natsAuthShape = {
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  NATS_TOKEN: z.string().min(1).optional(),
  NATS_NKEY_SEED_FILE: z.string().min(1).optional(),
  NATS_CREDS_FILE: z.string().min(1).optional(),
  NATS_TLS_CA_FILE: z.string().min(1).optional(),
  NATS_TLS_CERT_FILE: z.string().min(1).optional(),
  NATS_TLS_KEY_FILE: z.string().min(1).optional(),
};

export const natsAuthEnvSchema = z
  .object(natsAuthShape)
  .refine((e) => (e.NATS_USER === undefined) === (e.NATS_PASSWORD === undefined), {
    message: 'NATS_USER and NATS_PASSWORD go together',
    path: ['NATS_PASSWORD'],
  })
  .refine(
    (e) =>
      [e.NATS_USER, e.NATS_TOKEN, e.NATS_NKEY_SEED_FILE, e.NATS_CREDS_FILE].filter((v) => v !== undefined).length <= 1,
    {
      message: 'give one of NATS_USER/NATS_PASSWORD, NATS_TOKEN, NATS_NKEY_SEED_FILE, NATS_CREDS_FILE',
      path: ['NATS_TOKEN'],
    },
  )
  .refine((e) => (e.NATS_TLS_CERT_FILE === undefined) === (e.NATS_TLS_KEY_FILE === undefined), {
    message: 'NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together',
    path: ['NATS_TLS_KEY_FILE'],
  });

export type NatsAuthEnv = z.infer<typeof natsAuthEnvSchema>;

/** Variables every service reads. Defaults point at the local loopback servers. */
export const baseEnvSchema = z.object({
  ...natsAuthShape,
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /**
   * true: prompts (ingress's debug line) and the error texts that may quote content go to the logs, cut to a
   * bounded length. Off: never; content shows as its length, quotes in error texts are masked.
   */
  LOG_CONTENT: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * Whether the text of a request leaves the request path to be kept: `full` puts the routed text (the last
   * user message, capped at 4,000 characters), the conversation before it and the answer on the completion
   * events (ROUTER_EVENTS, and dead letters made of them), and feedback-aggregator writes the first two into
   * the routing record, which the learning loop trains on. `none` keeps all of it out: the events say
   * `textWithheld` and carry none of it, the records none (they cannot teach; a retraining counts them as
   * `withoutText`). Set it on every service (switchyard.env): the services that publish completions
   * (analyzer, decision-engine, provider-adapters) decide what the events carry, feedback-aggregator what
   * the records keep.
   */
  RECORD_PROMPTS: z.enum(['full', 'none']).default('full'),
  /** After SIGTERM, the longest a service waits for in-flight work before it exits anyway. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** A configuration that cannot be used; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(service: string, problems: string[]) {
    super(`${service}: invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment before any connection opens; throws ConfigError naming each variable. */
export function loadConfig<S extends z.ZodObject>(
  service: string,
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  // Empty strings count as unset, as in most twelve-factor tooling.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  // Every service connects to NATS: the rules between its credential variables hold for all of them.
  const auth = 'NATS_URL' in schema.shape ? natsAuthEnvSchema.safeParse(cleaned) : undefined;
  if (result.success && (auth === undefined || auth.success)) return result.data;
  const issues = [...(result.error?.issues ?? []), ...(auth?.error?.issues ?? [])];
  throw new ConfigError(
    service,
    issues.map((i) => `${i.path.join('.') || '(env)'}=${JSON.stringify(env[String(i.path[0])] ?? null)}: ${i.message}`),
  );
}
