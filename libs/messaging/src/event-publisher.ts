import { Inject, Injectable, Logger } from '@nestjs/common';
import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import { type NatsConnection, RequestError, TimeoutError, createInbox } from '@nats-io/transport-node';
import { type InboxReply, type PayloadOf, RouterError, type Subject, decodeJson, extend } from '@switchyard/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import { annotateActiveSpan, attributesOfMessage, tracingEnabled } from '@switchyard/observability';
import { MESSAGING_OPTIONS, type MessagingOptions, NATS_CONNECTION } from './messaging.constants';
import { type LocalBus, localBus } from './local-bus';
import { inboxPrefixOf } from './nats-connection';
import { type OutgoingMeta, buildHeaders, encodeJson } from './outgoing';

/** How hard publishDurable tries before it gives up with `unavailable`. */
export interface DurableTries {
  attempts: number;
  /** Longest wait for the stream's acknowledgement of one attempt. */
  timeoutMs: number;
}

const DEFAULT_TRIES: DurableTries = { attempts: 3, timeoutMs: 2000 };

/**
 * The answer to a request describes the span that asked (ingress's, whichever door: the decision, the model,
 * tokens and cost), as the stages' spans are described by what they handled.
 */
function describeActiveSpan(reply: unknown): unknown {
  annotateActiveSpan(() => attributesOfMessage(reply));
  return reply;
}

/**
 * Typed publishing over core NATS (hot path) and JetStream (events that must not be lost): a subject's
 * payload is the type its schema in SCHEMA_BY_SUBJECT parses to, so publishing anything else does not
 * compile. The `*Any` methods take any subject and payload: for the transport's own tests, a subject a test
 * configures, and re-sends of events already checked.
 */
@Injectable()
export class EventPublisher {
  private readonly logger = new Logger(EventPublisher.name);
  private readonly js: JetStreamClient;

  private readonly inboxPrefix: string;
  private readonly bus: LocalBus = localBus();

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(MESSAGING_OPTIONS) options: Pick<MessagingOptions, 'service'>,
  ) {
    this.js = jetstream(nc);
    this.inboxPrefix = inboxPrefixOf(options.service);
  }

  /** Fire-and-forget on core NATS: for hops where the caller retries on timeout. */
  publish<S extends Subject>(subject: S, payload: PayloadOf<S>, meta: OutgoingMeta = {}): void {
    this.publishAny(subject, payload, meta);
  }

  /** An answer (or a piece of a streamed one) to the inbox of the caller waiting for it. */
  reply(inbox: string, payload: InboxReply, meta: OutgoingMeta = {}): void {
    this.publishAny(inbox, payload, meta);
  }

  publishAny(subject: string, payload: unknown, meta: OutgoingMeta = {}): void {
    const data = encodeJson(payload);
    const headers = buildHeaders(meta);
    // Co-located: a handler (or a waiting caller) in this process takes it without a NATS round trip.
    if (this.bus.deliver({ subject, data, headers })) return;
    this.nc.publish(subject, data, { headers });
  }

  /**
   * Request-reply on core NATS; resolves with the decoded JSON reply. No answer in time is a RouterError
   * `timeout`; nobody subscribed to the subject is `unavailable`.
   */
  request<S extends Subject>(
    subject: S,
    payload: PayloadOf<S>,
    timeoutMs: number,
    meta: OutgoingMeta = {},
  ): Promise<unknown> {
    const reply = this.requestAny(subject, payload, timeoutMs, meta);
    return tracingEnabled() ? reply.then(describeActiveSpan) : reply;
  }

  async requestAny(subject: string, payload: unknown, timeoutMs: number, meta: OutgoingMeta = {}): Promise<unknown> {
    if (this.bus.handles(subject)) return this.requestLocal(subject, payload, timeoutMs, meta, undefined);
    try {
      const msg = await this.nc.request(subject, encodeJson(payload), {
        timeout: timeoutMs,
        headers: buildHeaders(meta),
      });
      return msg.json();
    } catch (err) {
      if (err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError))
        throw new RouterError('timeout', `no answer on ${subject} within ${timeoutMs} ms`, undefined, 1);
      if (err instanceof RequestError && err.isNoResponders())
        throw new RouterError('unavailable', `no service is subscribed to ${subject}; is it running?`, undefined, 5);
      throw err;
    }
  }

  /**
   * Request-reply where the answer comes in several messages: each one without an `ok` field goes to
   * `onPart`, the first with one ends the call and is returned. The reply subject travels in the
   * Switchyard-Reply-To header. No answer in time is a RouterError `timeout`.
   */
  requestStream<S extends Subject>(
    subject: S,
    payload: PayloadOf<S>,
    timeoutMs: number,
    meta: OutgoingMeta,
    onPart: (part: unknown) => void,
  ): Promise<unknown> {
    const reply = this.requestStreamAny(subject, payload, timeoutMs, meta, onPart);
    return tracingEnabled() ? reply.then(describeActiveSpan) : reply;
  }

  async requestStreamAny(
    subject: string,
    payload: unknown,
    timeoutMs: number,
    meta: OutgoingMeta,
    onPart: (part: unknown) => void,
  ): Promise<unknown> {
    if (this.bus.handles(subject)) return this.requestLocal(subject, payload, timeoutMs, meta, onPart);
    // Under the service's own inbox prefix: the one the server lets the stages answer to.
    const inbox = createInbox(this.inboxPrefix);
    const sub = this.nc.subscribe(inbox, { timeout: timeoutMs });
    // The subscription's own timeout covers only the first message; this covers a stream that stalls or
    // never sends its final message (a provider-adapters replica that died mid-answer).
    const deadline = setTimeout(() => sub.unsubscribe(), timeoutMs);
    try {
      this.nc.publish(subject, encodeJson(payload), { headers: buildHeaders(extend(meta, { replyTo: inbox })) });
      for await (const msg of sub) {
        const value = msg.json<Record<string, unknown>>();
        if ('ok' in value) return value;
        onPart(value);
      }
    } catch (err) {
      if (err instanceof TimeoutError || (err as Error).name === 'TimeoutError')
        throw new RouterError('timeout', `no answer on ${subject} within ${timeoutMs} ms`, undefined, 1);
      throw err;
    } finally {
      clearTimeout(deadline);
      sub.unsubscribe();
    }
    throw new RouterError('timeout', `the answer on ${subject} did not finish within ${timeoutMs} ms`, undefined, 1);
  }

  /**
   * A request whose first hop is handled in this process (co-located mode): the same bytes, headers,
   * deadline and time limit, answered through a local inbox that the last stage replies to (locally too
   * when it lives here). `onPart`: a streamed answer, its pieces before the final message with `ok`.
   */
  private requestLocal(
    subject: string,
    payload: unknown,
    timeoutMs: number,
    meta: OutgoingMeta,
    onPart: ((part: unknown) => void) | undefined,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let started = false;
      const inbox = this.bus.openInbox(this.inboxPrefix, (d) => {
        try {
          const value = decodeJson(d.data) as Record<string, unknown>;
          if (!onPart || 'ok' in value) return finish(() => resolve(value));
          started = true;
          onPart(value);
        } catch (err) {
          finish(() => reject(err));
        }
      });
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(
              new RouterError(
                'timeout',
                started
                  ? `the answer on ${subject} did not finish within ${timeoutMs} ms`
                  : `no answer on ${subject} within ${timeoutMs} ms`,
                undefined,
                1,
              ),
            ),
          ),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        inbox.close();
        settle();
      };
      const headers = buildHeaders(onPart ? extend(meta, { replyTo: inbox.subject }) : meta);
      this.bus.deliver({ subject, data: encodeJson(payload), headers, reply: inbox.subject });
    });
  }

  /**
   * Stores the event in JetStream, de-duplicated by `messageId` within the stream's window, retrying
   * transient failures; resolves once the stream has acknowledged it. When it cannot (no stream takes the
   * subject, JetStream away), a RouterError `unavailable` with a retry-after: callers answer it, or keep the
   * event (DurableOutbox).
   */
  publishDurable<S extends Subject>(
    subject: S,
    payload: PayloadOf<S>,
    messageId: string,
    meta: OutgoingMeta = {},
    tries: DurableTries = DEFAULT_TRIES,
  ): Promise<void> {
    return this.publishDurableAny(subject, payload, messageId, meta, tries);
  }

  async publishDurableAny(
    subject: string,
    payload: unknown,
    messageId: string,
    meta: OutgoingMeta = {},
    tries: DurableTries = DEFAULT_TRIES,
  ): Promise<void> {
    const data = encodeJson(payload);
    const headers = buildHeaders(extend(meta, { messageId }));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.js.publish(subject, data, { msgID: messageId, headers, timeout: tries.timeoutMs });
        return;
      } catch (err) {
        if (attempt >= tries.attempts)
          throw new RouterError(
            'unavailable',
            `the event could not be stored (${subject}): ${(err as Error).message}`,
            undefined,
            2,
          );
        this.logger.warn(
          `JetStream publish of ${subject} ${messageId} failed (attempt ${attempt}): ${(err as Error).message}`,
        );
        await sleep(50 * 2 ** attempt);
      }
    }
  }
}
