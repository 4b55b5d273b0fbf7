import { performance } from 'node:perf_hooks';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { type DeadLetter, HEADERS, RouterError, SUBJECTS } from '@switchyard/contracts';
import { type Span, SpanKind } from '@opentelemetry/api';
import {
  SPAN_ATTRIBUTES,
  attributesOfMessage,
  contextFromTraceparent,
  errorForLog,
  textForLog,
  tracingEnabled,
  withRequestLogContext,
  withSpan,
} from '@switchyard/observability';
import { type DeliveryVerdict, failureVerdict } from './delivery';
import { EventPublisher } from './event-publisher';
import { IncomingMessage } from './incoming-message';
import { type LocalDelivery, localBus } from './local-bus';
import {
  MESSAGING_OPTIONS,
  type MessagingOptions,
  NATS_CONNECTION,
  ON_STREAM_EVENT,
  ON_SUBJECT,
  ON_SUBJECT_EVERY_REPLICA,
} from './messaging.constants';
import { encodeJson } from './outgoing';

type Handler = ((msg: IncomingMessage) => Promise<unknown>) & { everyReplica?: boolean };

/**
 * Finds @OnSubject and @OnStreamEvent methods on the app's controllers and providers, subscribes them at
 * bootstrap, and on shutdown stops taking messages and waits for the ones in flight (graceful drain).
 */
@Injectable()
export class SubscriptionsExplorer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SubscriptionsExplorer.name);
  private readonly subscriptions: Subscription[] = [];
  /** Stops this service's handlers in the process's local bus (co-located mode). */
  private readonly localStops: Array<() => void> = [];
  private readonly inFlight = new Set<Promise<void>>();
  private consumerMessages: ConsumerMessages | undefined;
  private consumerLoop: Promise<void> | undefined;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly publisher: EventPublisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const subjects = new Map<string, Handler>();
    const streamEvents = new Map<string, Handler>();
    for (const wrapper of [...this.discovery.getControllers(), ...this.discovery.getProviders()]) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const proto = Object.getPrototypeOf(instance) as object;
      for (const key of this.scanner.getAllMethodNames(proto)) {
        const method = instance[key];
        if (typeof method !== 'function') continue;
        const handler: Handler = (method as Handler).bind(instance);
        handler.everyReplica = Reflect.getMetadata(ON_SUBJECT_EVERY_REPLICA, method) === true;
        const subject = Reflect.getMetadata(ON_SUBJECT, method) as string | undefined;
        if (subject) register(subjects, subject, handler, `${wrapper.name}.${key}`);
        const event = Reflect.getMetadata(ON_STREAM_EVENT, method) as string | undefined;
        if (event) register(streamEvents, event, handler, `${wrapper.name}.${key}`);
      }
    }
    for (const [subject, handler] of subjects) this.subscribe(subject, handler);
    // The server learns of a subscription when it reads it: a round trip makes sure it has before the service
    // says it is ready, so a request sent right after readiness finds a responder.
    if (subjects.size > 0) await this.nc.flush();
    if (streamEvents.size > 0) await this.startDurableConsumer(streamEvents);
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Hops published in the process from now on go to other replicas over NATS.
    for (const stop of this.localStops) stop();
    await Promise.all(this.subscriptions.map((s) => s.drain().catch(() => undefined)));
    if (this.consumerMessages) {
      this.consumerMessages.stop();
      await this.consumerLoop;
    }
    await Promise.allSettled([...this.inFlight]);
  }

  private subscribe(subject: string, handler: Handler): void {
    const queue = handler.everyReplica ? undefined : this.options.service;
    const sub = this.nc.subscribe(subject, {
      ...(queue ? { queue } : {}),
      callback: (err, msg) => {
        if (err) {
          this.logger.error(`subscription ${subject} failed: ${err.message}`);
          return;
        }
        this.track(this.logged(subject, msg.headers, () => this.handleCore(subject, handler, msg)));
      },
    });
    this.subscriptions.push(sub);
    // Co-located with other services: their publishes to this subject come straight here (notices for
    // every replica stay on NATS: the other processes need them too).
    if (queue)
      this.localStops.push(
        localBus().serve(subject, (d: LocalDelivery) =>
          this.track(this.logged(subject, d.headers, () => this.handleLocal(subject, handler, d))),
        ),
      );
    this.logger.log(`subscribed to ${subject} ${queue ? `in queue group ${queue}` : 'on every replica'}`);
  }

  /**
   * The handling of one message in a log context of its own: every line written for it names this service,
   * and, once the handler has parsed the payload (IncomingMessage.payload), its request, tenant and trace.
   */
  private logged(subject: string, headers: Msg['headers'], handle: () => Promise<void>): Promise<void> {
    const started = performance.now();
    const traceparent = headers?.get(HEADERS.traceparent);
    return withRequestLogContext({ service: this.options.service, traceparent }, async () => {
      try {
        await handle();
      } finally {
        this.logger.debug(`${subject} handled in ${Math.round(performance.now() - started)} ms`);
      }
    });
  }

  private async handleCore(subject: string, handler: Handler, msg: Msg): Promise<void> {
    const incoming = new IncomingMessage(msg.subject, msg.data, msg.headers, msg.reply);
    const reply = await this.process(subject, handler, incoming);
    if (msg.reply && reply !== undefined) msg.respond(encodeJson(reply));
  }

  /** A delivery from the local bus, handled as one from NATS; its answer goes back the same way it would. */
  private async handleLocal(subject: string, handler: Handler, d: LocalDelivery): Promise<void> {
    const reply = await this.process(subject, handler, new IncomingMessage(d.subject, d.data, d.headers, d.reply));
    if (d.reply && reply !== undefined) this.publisher.publishAny(d.reply, reply);
  }

  /** Runs the handler in a span under the caller's trace; a failure becomes the `{ ok: false, error }` answer. */
  private async process(subject: string, handler: Handler, incoming: IncomingMessage): Promise<unknown> {
    let reply: unknown;
    try {
      reply = await this.traced(subject, handler, incoming);
    } catch (err) {
      reply = { ok: false, error: toErrorBody(err, this.logger, subject) };
    }
    return reply;
  }

  /**
   * The handling of one message as a span: continues the sender's trace (the `traceparent` header), a server
   * span when someone waits for the answer, a consumer span otherwise; described, when it records, by what
   * the message carried and what the handler answered (request id, tenant, decision, model, tokens, cost).
   * Every hop's span is made here, so services add none of their own.
   */
  private traced(subject: string, handler: Handler, incoming: IncomingMessage): Promise<unknown> {
    const parent = contextFromTraceparent(incoming.header(HEADERS.traceparent));
    const kind = incoming.reply ? SpanKind.SERVER : SpanKind.CONSUMER;
    const name = `process ${subject}`;
    // Off: the span records nothing; only its context (the trace id) matters, at the cost it always had.
    if (!tracingEnabled())
      return withSpan(this.options.service, name, parent, NO_ATTRIBUTES, () => handler(incoming), kind);
    const messageId = incoming.header(HEADERS.messageId);
    const attributes = {
      [SPAN_ATTRIBUTES.messagingSystem]: 'nats',
      [SPAN_ATTRIBUTES.messagingDestination]: subject,
      [SPAN_ATTRIBUTES.messagingOperationType]: 'process',
      ...(messageId ? { [SPAN_ATTRIBUTES.messagingMessageId]: messageId } : {}),
    };
    const described = async (span: Span) => {
      const reply = await handler(incoming);
      if (span.isRecording())
        span.setAttributes({ ...attributesOfMessage(incoming.parsed), ...attributesOfMessage(reply) });
      return reply;
    };
    return withSpan(this.options.service, name, parent, attributes, described, kind);
  }

  private async startDurableConsumer(handlers: Map<string, Handler>): Promise<void> {
    const durable = this.options.durable;
    if (!durable)
      throw new Error(`@OnStreamEvent handlers (${[...handlers.keys()].join(', ')}) need MessagingOptions.durable`);
    const jsm = await jetstreamManager(this.nc);
    // add() on an existing durable updates what may change (ack wait) and keeps its position.
    await jsm.consumers.add(durable.stream, {
      durable_name: durable.name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: durable.start === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
      ack_wait: (durable.ackWaitMs ?? 30_000) * 1_000_000, // ns
      max_ack_pending: 1000,
      // Unlimited here: the handler counts deliveries and dead-letters (handleStream), so nothing is stranded.
      max_deliver: -1,
    });
    const consumer = await jetstream(this.nc).consumers.get(durable.stream, durable.name);
    const concurrency = durable.concurrency ?? 32;
    this.consumerMessages = await consumer.consume({ max_messages: concurrency * 2 });
    this.logger.log(`consuming stream ${durable.stream} as durable ${durable.name}`);
    const messages = this.consumerMessages;
    this.consumerLoop = (async () => {
      const running = new Set<Promise<void>>();
      for await (const m of messages) {
        const p = this.logged(m.subject, m.headers, () => this.handleStream(handlers, m)).finally(() =>
          running.delete(p),
        );
        running.add(p);
        this.track(p);
        if (running.size >= concurrency) await Promise.race(running);
      }
      await Promise.allSettled([...running]);
    })();
  }

  private async handleStream(handlers: Map<string, Handler>, m: JsMsg): Promise<void> {
    const handler = handlers.get(m.subject);
    if (!handler) {
      m.ack(); // a subject this service does not store: nothing to do, ever
      return;
    }
    const incoming = new IncomingMessage(m.subject, m.data, m.headers);
    try {
      await this.traced(m.subject, handler, incoming);
      m.ack();
    } catch (err) {
      const durable = this.options.durable;
      const verdict = failureVerdict(err, m.info.deliveryCount, Date.now(), {
        maxDeliver: durable?.maxDeliver ?? DEFAULT_MAX_DELIVER,
        isTransient: durable?.isTransient,
      });
      await this.settleFailure(m, verdict);
    }
  }

  /** Redelivers later, or moves the event to the dead-letter stream and only then lets go of it. */
  private async settleFailure(m: JsMsg, verdict: DeliveryVerdict): Promise<void> {
    const where = `${m.subject} seq ${m.seq} (delivery ${m.info.deliveryCount})`;
    if (verdict.action === 'retry') {
      this.logger.warn(`${where} not stored, redelivering in ${verdict.delayMs} ms`);
      m.nak(verdict.delayMs);
      return;
    }
    const letter: DeadLetter = {
      subject: m.subject,
      stream: m.info.stream,
      streamSeq: m.seq,
      consumer: m.info.consumer,
      reason: verdict.reason,
      error: verdict.error.slice(0, 2000),
      deliveries: m.info.deliveryCount,
      deadLetteredAt: Date.now(),
      headers: headersOf(m),
      dataBase64: Buffer.from(m.data).toString('base64'),
    };
    try {
      // Stored before the original is let go: a crash in between redelivers it, and the id keeps one letter.
      // A test's own dead-letter subject may stand in for the contract's: any subject, the letter still typed.
      await this.publisher.publishDurableAny(
        this.options.durable?.deadLetterSubject ?? SUBJECTS.eventDeadLettered,
        letter,
        `dlq:${letter.stream}:${letter.streamSeq}`,
      );
    } catch (err) {
      this.logger.error(`${where} could not be dead-lettered, redelivering: ${(err as Error).message}`);
      m.nak(30_000);
      return;
    }
    this.logger.error(`${where} dead-lettered (${verdict.reason}): ${textForLog(verdict.error)}`);
    m.term();
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}

/** Span attributes of a message when tracing is off (nothing records them). */
const NO_ATTRIBUTES = {};

/** Deliveries of a failing event before it is dead-lettered, unless the app sets its own. */
const DEFAULT_MAX_DELIVER = 10;

function headersOf(m: JsMsg): Record<string, string> {
  const out: Record<string, string> = {};
  if (!m.headers) return out;
  for (const [key, values] of m.headers) out[key] = values.join(',');
  return out;
}

function register(map: Map<string, Handler>, subject: string, handler: Handler, where: string): void {
  if (map.has(subject)) throw new Error(`two handlers for ${subject}; the second is ${where}`);
  map.set(subject, handler);
}

function toErrorBody(err: unknown, logger: Logger, subject: string) {
  if (err instanceof RouterError) return err.toBody();
  logger.error(`handler for ${subject} failed: ${errorForLog(err)}`);
  return new RouterError('internal_error', 'internal error; it was logged').toBody();
}
