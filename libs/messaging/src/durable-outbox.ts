import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { ReadinessIndicator } from '@switchyard/runtime';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventPublisher } from './event-publisher';
import type { CompletionFailed, CompletionSucceeded, PayloadOf, SUBJECTS, Subject } from '@switchyard/contracts';
import { type CompletionText, completionWithText } from './completion-text';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.constants';
import type { OutgoingMeta } from './outgoing';

type CompletionSubject = typeof SUBJECTS.completionSucceeded | typeof SUBJECTS.completionFailed;

interface Waiting {
  subject: string;
  payload: unknown;
  messageId: string;
  meta: OutgoingMeta;
}

/** Events kept while JetStream does not take them; past this, new ones are counted as lost and logged. */
const MAX_WAITING = 10_000;
/** Pause between tries of the oldest waiting event. */
const RETRY_MS = 500;
/** One quick try on the request path: the outbox, not the caller, waits out an outage. */
const FIRST_TRY = { attempts: 1, timeoutMs: 2000 };

/**
 * Records that must reach JetStream (completions): published at once; one that JetStream does not take is
 * kept here, in order, and retried every half second until it is stored, so an outage of the stream loses
 * nothing a replica has in hand. While any record waits, `available` is false: provider-adapters then
 * refuses new requests (503) rather than pay for calls it cannot record, and reports not ready. What still
 * waits when the replica stops (after its drain time) is logged by id and counted as lost: kept in memory,
 * it does not survive the process.
 */
@Injectable()
export class DurableOutbox implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(DurableOutbox.name);
  private readonly waiting: Waiting[] = [];
  private flushing: Promise<void> | undefined;
  private stopped = false;
  /** Counts since start: kept and later stored, and lost (outbox full, or still waiting at shutdown). */
  readonly counts = { deferred: 0, storedLate: 0, lost: 0 };

  private readonly text: CompletionText;

  constructor(
    private readonly publisher: EventPublisher,
    @Optional() @Inject(MESSAGING_OPTIONS) options?: Pick<MessagingOptions, 'recordPrompts'>,
  ) {
    this.text = options?.recordPrompts ?? 'full';
  }

  /** Whether records are being stored now: false while any waits for JetStream. */
  get available(): boolean {
    return this.waiting.length === 0;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  /**
   * Stores the event, or keeps it for later when JetStream does not take it: resolves either way, with
   * which. While others wait, a new one waits behind them (records are keyed, so order only keeps it fair).
   * Completions go through `publishCompletion`, which leaves their text out under RECORD_PROMPTS=none.
   */
  publish<S extends Exclude<Subject, CompletionSubject>>(
    subject: S,
    payload: PayloadOf<S>,
    messageId: string,
    meta: OutgoingMeta = {},
  ): Promise<'stored' | 'deferred'> {
    return this.publishAny(subject, payload, messageId, meta);
  }

  /**
   * `publish` for a completion event, with as much of the request's text as this service's RECORD_PROMPTS
   * lets leave the request path (`completionWithText`): the one way completions reach JetStream.
   */
  publishCompletion<S extends CompletionSubject>(
    subject: S,
    event: PayloadOf<S>,
    messageId: string,
  ): Promise<'stored' | 'deferred'> {
    return this.publishAny(
      subject,
      completionWithText(event as CompletionSucceeded | CompletionFailed, this.text),
      messageId,
    );
  }

  /** `publish` for any subject and payload (the transport's own tests). */
  async publishAny(
    subject: string,
    payload: unknown,
    messageId: string,
    meta: OutgoingMeta = {},
  ): Promise<'stored' | 'deferred'> {
    if (this.waiting.length === 0) {
      try {
        await this.publisher.publishDurableAny(subject, payload, messageId, meta, FIRST_TRY);
        return 'stored';
      } catch (err) {
        this.logger.warn(`${subject} ${messageId} not stored (${(err as Error).message}); keeping it to retry`);
      }
    }
    if (this.waiting.length >= MAX_WAITING) {
      this.counts.lost++;
      this.logger.error(`outbox full (${MAX_WAITING} waiting for JetStream): ${subject} ${messageId} LOST`);
      return 'deferred';
    }
    this.waiting.push({ subject, payload, messageId, meta });
    this.counts.deferred++;
    this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
    return 'deferred';
  }

  private async flush(): Promise<void> {
    while (this.waiting.length > 0 && !this.stopped) {
      const next = this.waiting[0];
      try {
        await this.publisher.publishDurableAny(next.subject, next.payload, next.messageId, next.meta, FIRST_TRY);
        this.waiting.shift();
        this.counts.storedLate++;
        if (this.waiting.length === 0)
          this.logger.log(`JetStream takes records again: every kept one stored (${this.counts.storedLate} so far)`);
      } catch {
        await sleep(RETRY_MS);
      }
    }
  }

  /** Gives waiting records the drain time to reach JetStream. */
  async beforeApplicationShutdown(): Promise<void> {
    const deadline = Date.now() + 5000;
    while (this.waiting.length > 0 && Date.now() < deadline) await sleep(100);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.waiting.length === 0) return;
    this.counts.lost += this.waiting.length;
    this.logger.error(
      `${this.waiting.length} records never reached JetStream and are LOST with this process: ` +
        this.waiting.map((w) => `${w.subject} ${w.messageId}`).join(', '),
    );
  }
}

/** Readiness: records are being stored (none waiting for JetStream). */
@Injectable()
export class RecordsStoreIndicator implements ReadinessIndicator {
  readonly name = 'jetstream-records';
  constructor(private readonly outbox: DurableOutbox) {}
  async check(): Promise<void> {
    if (!this.outbox.available) throw new Error(`${this.outbox.waitingCount} records waiting for JetStream`);
  }
}
