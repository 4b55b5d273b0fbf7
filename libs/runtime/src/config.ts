import { z } from 'zod';
import { LOG_LEVELS } from '@switchyard/observability';

/** Variables every service reads. Defaults point at the local loopback servers. */
export const baseEnvSchema = z.object({
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
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
  if (result.success) return result.data;
  throw new ConfigError(
    service,
    result.error.issues.map(
      (i) => `${i.path.join('.') || '(env)'}=${JSON.stringify(env[String(i.path[0])] ?? null)}: ${i.message}`,
    ),
  );
}
