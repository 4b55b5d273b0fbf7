import type { NatsAuthEnv } from '@switchyard/runtime';
import type { CompletionText } from './completion-text';
import type { StreamSettings, StreamSpec } from './streams';

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const ON_SUBJECT = Symbol('switchyard:on-subject');
export const ON_SUBJECT_EVERY_REPLICA = Symbol('switchyard:on-subject-every-replica');
export const ON_STREAM_EVENT = Symbol('switchyard:on-stream-event');

export interface MessagingOptions {
  /** nats://host:port, comma-separated for a cluster. */
  url: string;
  /** This service's NATS credentials and TLS (its validated config carries them). */
  auth?: NatsAuthEnv;
  /** The service name: connection name and the queue group of every subscription. */
  service: string;
  /** Streams this service makes sure exist at start-up; the project's events stream when not given. */
  streams?: readonly StreamSpec[];
  /** Replicas and limits of those streams; when not given, from STREAM_* variables (`loadStreamSettings`). */
  streamSettings?: StreamSettings;
  /**
   * How much of a request's text the completion events this service publishes carry (its RECORD_PROMPTS):
   * `full` (default) or `none` (`completionWithText`).
   */
  recordPrompts?: CompletionText;
  /** Durable consumer to run for @OnStreamEvent handlers, if the app has any. */
  durable?: {
    stream: string;
    name: string;
    concurrency?: number;
    /** Where a consumer that does not exist yet starts: the whole stream (`all`, default) or new messages only. */
    start?: 'all' | 'new';
    /** A message not acked this long after delivery (its handler crashed with the process) is redelivered. */
    ackWaitMs?: number;
    /**
     * Deliveries after which an event its handler keeps failing on is dead-lettered (default 10). Counted
     * here, not by JetStream's own max_deliver, which strands such a message in the stream without a word.
     */
    maxDeliver?: number;
    /** Failures that mean a dependency is away (retried without limit, never dead-lettered). */
    isTransient?: (err: unknown) => boolean;
    /** Where events given up on go (default router.event.deadlettered.v1, in ROUTER_DEADLETTER); tests use their own. */
    deadLetterSubject?: string;
  };
}
