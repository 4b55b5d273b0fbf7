import { type JetStreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';

export interface StreamSpec {
  name: string;
  subjects: readonly string[];
  duplicateWindowMs: number;
  /** How long messages are kept; default a week (0: forever). */
  maxAgeMs?: number;
  /** Most messages kept per subject; default unlimited. */
  maxMessages?: number;
}

/** Creates the stream, or updates its subjects and window when it exists (idempotent, safe from any replica). */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<void> {
  const config = {
    name: spec.name,
    subjects: [...spec.subjects],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: spec.duplicateWindowMs * 1_000_000, // ns
    max_age: (spec.maxAgeMs ?? 7 * 24 * 3600 * 1000) * 1_000_000, // ns: by default a week to recover a consumer that was down
    max_msgs_per_subject: spec.maxMessages ?? -1,
  };
  try {
    const info = await jsm.streams.info(spec.name);
    const same =
      info.config.subjects?.join() === config.subjects.join() &&
      info.config.duplicate_window === config.duplicate_window;
    if (!same)
      await jsm.streams.update(spec.name, { subjects: config.subjects, duplicate_window: config.duplicate_window });
  } catch (err) {
    if (!/stream not found/i.test((err as Error).message)) throw err;
    await jsm.streams.add(config);
  }
}
