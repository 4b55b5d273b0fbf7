import { type JetStreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { loadConfig } from '@switchyard/runtime';
import { z } from 'zod';

export interface StreamSpec {
  name: string;
  subjects: readonly string[];
  duplicateWindowMs: number;
  /** How long messages are kept; default a week (0: forever). */
  maxAgeMs?: number;
  /** Most messages kept per subject; default unlimited. */
  maxMessages?: number;
}

/**
 * What an operator sets for every stream a service makes sure of: the deployment's, not the code's (one
 * server in development, a three-node cluster in production). Read from the environment by
 * `loadStreamSettings`; every service of a deployment should be given the same values.
 */
export interface StreamSettings {
  /** JetStream replicas of each stream: 1 on a single server, 3 on a three-node cluster (R3). */
  replicas: number;
  /**
   * Most bytes each stream keeps (-1: no limit). A full stream drops its oldest messages (JetStream's default),
   * which consumers have long read unless one fell that far behind: a bound on disk, not on traffic.
   */
  maxBytes: number;
  /** Overrides how long streams with an age limit keep messages (events, dead letters); kept-forever stays so. */
  maxAgeMs?: number;
}

export const DEFAULT_STREAM_SETTINGS: StreamSettings = { replicas: 1, maxBytes: -1 };

export const streamSettingsEnvSchema = z.object({
  /** Replicas of each JetStream stream (and so of its consumers); more than 1 needs a NATS cluster. */
  STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /** Most bytes each stream keeps; -1 for no limit. */
  STREAM_MAX_BYTES: z.coerce
    .number()
    .int()
    .refine((n) => n === -1 || n > 0, 'must be -1 (no limit) or a positive number of bytes')
    .default(-1),
  /** How long the events and dead-letter streams keep messages; unset: a week and 30 days. */
  STREAM_MAX_AGE_SECONDS: z.coerce.number().int().positive().optional(),
});

/** The stream settings in `env`, validated: throws ConfigError naming each bad variable. */
export function loadStreamSettings(env: NodeJS.ProcessEnv = process.env): StreamSettings {
  const parsed = loadConfig('jetstream', streamSettingsEnvSchema, env);
  return {
    replicas: parsed.STREAM_REPLICAS,
    maxBytes: parsed.STREAM_MAX_BYTES,
    ...(parsed.STREAM_MAX_AGE_SECONDS === undefined ? {} : { maxAgeMs: parsed.STREAM_MAX_AGE_SECONDS * 1000 }),
  };
}

/** The stream's configuration under the deployment's settings (durations in nanoseconds, as JetStream wants). */
export function streamConfig(spec: StreamSpec, settings: StreamSettings = DEFAULT_STREAM_SETTINGS) {
  // By default a week, to recover a consumer that was down; 0 (forever) is never shortened by the settings.
  const specAgeMs = spec.maxAgeMs ?? 7 * 24 * 3600 * 1000;
  const maxAgeMs = specAgeMs === 0 ? 0 : (settings.maxAgeMs ?? specAgeMs);
  return {
    name: spec.name,
    subjects: [...spec.subjects],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: spec.duplicateWindowMs * 1_000_000,
    max_age: maxAgeMs * 1_000_000,
    max_msgs_per_subject: spec.maxMessages ?? -1,
    num_replicas: settings.replicas,
    max_bytes: settings.maxBytes,
  };
}

/**
 * Creates the stream, or updates it when it exists (idempotent, safe from any replica): its subjects and
 * window always; its replicas, size and age limits only when `settings` are given, so a caller without the
 * deployment's settings (the CLI) never scales a stream back to the defaults.
 */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec, settings?: StreamSettings): Promise<void> {
  const config = streamConfig(spec, settings);
  try {
    const info = await jsm.streams.info(spec.name);
    const wanted = {
      subjects: config.subjects,
      duplicate_window: config.duplicate_window,
      ...(settings
        ? {
            num_replicas: config.num_replicas,
            max_bytes: config.max_bytes,
            max_age: config.max_age,
          }
        : {}),
    };
    const current = info.config as unknown as Record<string, unknown>;
    const same = Object.entries(wanted).every(([key, value]) =>
      Array.isArray(value) ? (current[key] as string[] | undefined)?.join() === value.join() : current[key] === value,
    );
    if (!same) await jsm.streams.update(spec.name, wanted);
  } catch (err) {
    if (!/stream not found/i.test((err as Error).message)) throw err;
    await jsm.streams.add(config);
  }
}
