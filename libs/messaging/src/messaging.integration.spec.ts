import { Controller, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect, headers } from '@nats-io/transport-node';
import { type DeadLetter, RouterError } from '@switchyard/contracts';
import { testInfra, uniqueName, waitFor } from '@switchyard/testing';
import { OnStreamEvent, OnSubject } from './decorators';
import { HoldMessageError } from './delivery';
import { EventPublisher } from './event-publisher';
import type { IncomingMessage } from './incoming-message';
import { MessagingModule } from './messaging.module';

// Runs against the real local NATS server, on subjects and a stream of its own.
const prefix = uniqueName('msgtest');
const ECHO = `${prefix}.echo`;
const FAIL = `${prefix}.fail`;
const CRASH = `${prefix}.crash`;
const EVENTS = `${prefix}.events`;
const STRICT = `${prefix}.strict`;
const BROKEN = `${prefix}.broken`;
const HELD = `${prefix}.held`;
const FLAKY_STORE = `${prefix}.flaky`;
const DEAD = `${prefix}.dead`;
const STREAM = {
  name: prefix.toUpperCase(),
  subjects: [EVENTS, STRICT, BROKEN, HELD, FLAKY_STORE],
  duplicateWindowMs: 60_000,
};
const DLQ_STREAM = { name: `${prefix.toUpperCase()}_DLQ`, subjects: [DEAD], duplicateWindowMs: 60_000 };
const MAX_DELIVER = 3;
/** Deliveries each handler saw, by subject. */
const deliveries = new Map<string, number>();
const count = (subject: string) => deliveries.set(subject, (deliveries.get(subject) ?? 0) + 1);
let storeAwayFor = MAX_DELIVER + 1; // the transient store failure lasts this many deliveries

const handled: Array<{ instance: string; subject: string; body: unknown; traceparent?: string }> = [];
let failNextEvent = 1;

function makeApp(instance: string) {
  @Controller()
  class TestController {
    @OnSubject(ECHO)
    async echo(msg: IncomingMessage) {
      handled.push({ instance, subject: ECHO, body: msg.json(), traceparent: msg.header('traceparent') });
      return { echoed: msg.json(), by: instance };
    }

    @OnSubject(FAIL)
    async fail(): Promise<never> {
      throw new RouterError('no_route', 'nothing fits', 'hints.tier');
    }

    @OnSubject(CRASH)
    async crash(): Promise<never> {
      throw new Error('boom');
    }

    @OnStreamEvent(EVENTS)
    async event(msg: IncomingMessage) {
      if (failNextEvent > 0) {
        failNextEvent--;
        throw new Error('transient');
      }
      handled.push({ instance, subject: EVENTS, body: msg.json() });
    }

    @OnStreamEvent(STRICT)
    async strict(msg: IncomingMessage) {
      count(STRICT);
      const body = msg.json() as { n?: unknown };
      if (typeof body.n !== 'number') throw new RouterError('invalid_request', 'strict: n: expected a number', 'n');
    }

    @OnStreamEvent(BROKEN)
    async broken(): Promise<never> {
      count(BROKEN);
      throw new Error('this handler always fails');
    }

    @OnStreamEvent(HELD)
    async held(msg: IncomingMessage): Promise<never> {
      count(HELD);
      const { until } = msg.json() as { until: number };
      throw new HoldMessageError('its record has not arrived', until, 'unknown-request');
    }

    @OnStreamEvent(FLAKY_STORE)
    async flaky(msg: IncomingMessage) {
      count(FLAKY_STORE);
      if (storeAwayFor-- > 0) throw new Error('store away');
      handled.push({ instance, subject: FLAKY_STORE, body: msg.json() });
    }
  }

  @Module({
    controllers: [TestController],
    imports: [
      MessagingModule.forRoot({
        durable: {
          name: `${prefix}-durable`,
          stream: STREAM.name,
          ackWaitMs: 2000,
          maxDeliver: MAX_DELIVER,
          isTransient: (err) => (err as Error).message === 'store away',
          deadLetterSubject: DEAD,
        },
        service: prefix,
        streams: [STREAM, DLQ_STREAM],
        url: testInfra.natsUrl,
      }),
    ],
  })
  class TestModule {}

  return NestFactory.create(TestModule, { logger: false });
}

describe(MessagingModule.name, () => {
  let apps: INestApplication[];
  let nc: NatsConnection;

  beforeAll(async () => {
    apps = [await makeApp('a'), await makeApp('b')];
    for (const app of apps) await app.init();
    nc = await connect({ servers: testInfra.natsUrl });
  });

  afterAll(async () => {
    await nc.close();
    for (const app of apps) await app.close();
    const admin = await connect({ servers: testInfra.natsUrl });
    await (await jetstreamManager(admin)).streams.delete(STREAM.name).catch(() => undefined);
    await (await jetstreamManager(admin)).streams.delete(DLQ_STREAM.name).catch(() => undefined);
    await admin.close();
  });

  describe('@OnSubject', () => {
    it('replies with what the handler returns, to plain JSON from any client', async () => {
      const msg = await nc.request(ECHO, JSON.stringify({ n: 1 }), { timeout: 2000 });
      expect(msg.json()).toMatchObject({ echoed: { n: 1 } });
    });

    it('shares messages between replicas in one queue group: each is handled once', async () => {
      handled.length = 0;
      await Promise.all(
        Array.from({ length: 40 }, (_, n) => nc.request(ECHO, JSON.stringify({ n }), { timeout: 2000 })),
      );
      const echoes = handled.filter((h) => h.subject === ECHO);
      expect(echoes).toHaveLength(40);
      expect(new Set(echoes.map((h) => (h.body as { n: number }).n)).size).toBe(40);
    });

    it('carries the caller traceparent into the handler', async () => {
      handled.length = 0;
      const h = headers();
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      h.set('traceparent', traceparent);
      await nc.request(ECHO, JSON.stringify({}), { timeout: 2000, headers: h });
      expect(handled[0].traceparent).toBe(traceparent);
    });

    it('replies a RouterError as { ok: false, error } with its code and field', async () => {
      const msg = await nc.request(FAIL, '{}', { timeout: 2000 });
      expect(msg.json()).toEqual({
        ok: false,
        error: { code: 'no_route', message: 'nothing fits', field: 'hints.tier' },
      });
    });

    it('replies an unexpected error as internal_error without its details', async () => {
      const msg = await nc.request(CRASH, '{}', { timeout: 2000 });
      expect(msg.json()).toEqual({
        ok: false,
        error: { code: 'internal_error', message: 'internal error; it was logged' },
      });
    });

    it('answers malformed JSON with invalid_json', async () => {
      const msg = await nc.request(ECHO, '{oops', { timeout: 2000 });
      expect(msg.json()).toMatchObject({ ok: false, error: { code: 'invalid_json' } });
    });
  });

  describe('@OnStreamEvent', () => {
    it('stores publishes with one message id once and redelivers an event whose handler failed', async () => {
      handled.length = 0;
      const publisher = apps[0].get(EventPublisher);
      await publisher.publishDurableAny(EVENTS, { id: 'e1' }, 'e1');
      await publisher.publishDurableAny(EVENTS, { id: 'e1' }, 'e1');
      await publisher.publishDurableAny(EVENTS, { id: 'e2' }, 'e2');
      const events = await waitFor(
        'both events handled',
        () => {
          const seen = handled.filter((h) => h.subject === EVENTS);
          return seen.length >= 2 ? seen : undefined;
        },
        10_000,
      );
      expect(events.map((e) => (e.body as { id: string }).id).sort()).toEqual(['e1', 'e2']);
      const info = await (await jetstreamManager(nc)).streams.info(STREAM.name);
      expect(info.state.messages).toBe(2);
      const consumer = await jetstream(nc).consumers.get(STREAM.name, `${prefix}-durable`);
      await waitFor('all acked', async () => ((await consumer.info()).num_ack_pending === 0 ? true : undefined), 5000);
    });
  });

  describe('dead letters', () => {
    async function deadLetters(n: number): Promise<DeadLetter[]> {
      const jsm = await jetstreamManager(nc);
      await waitFor(
        `${n} dead letters`,
        async () => ((await jsm.streams.info(DLQ_STREAM.name)).state.messages >= n ? true : undefined),
        20_000,
      );
      const letters: DeadLetter[] = [];
      const info = await jsm.streams.info(DLQ_STREAM.name);
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const m = await jsm.streams.getMessage(DLQ_STREAM.name, { seq });
        if (m) letters.push(m.json<DeadLetter>());
      }
      return letters;
    }

    it('keeps every event it cannot store, with why: invalid at once, failing after max deliveries, held past its time', async () => {
      const publisher = apps[0].get(EventPublisher);
      await publisher.publishDurableAny(STRICT, { n: 'not a number' }, 'strict-1');
      await publisher.publishDurableAny(BROKEN, { id: 'b-1' }, 'broken-1');
      await publisher.publishDurableAny(HELD, { until: Date.now() + 1500 }, 'held-1');
      const letters = await deadLetters(3);
      const bySubject = new Map(letters.map((l) => [l.subject, l]));
      expect(bySubject.get(STRICT)).toMatchObject({ reason: 'invalid', deliveries: 1, stream: STREAM.name });
      expect(Buffer.from(bySubject.get(STRICT)!.dataBase64, 'base64').toString()).toBe('{"n":"not a number"}');
      expect(bySubject.get(STRICT)!.headers['Nats-Msg-Id']).toBe('strict-1');
      expect(bySubject.get(BROKEN)).toMatchObject({ reason: 'failing', deliveries: MAX_DELIVER });
      expect(bySubject.get(BROKEN)!.error).toMatch(/always fails/);
      expect(bySubject.get(HELD)).toMatchObject({ reason: 'unknown-request' });
      expect(deliveries.get(HELD)).toBeGreaterThan(1);
      expect(deliveries.get(BROKEN)).toBe(MAX_DELIVER);
      // Nothing is left unacked in the source stream.
      const consumer = await jetstream(nc).consumers.get(STREAM.name, `${prefix}-durable`);
      await waitFor(
        'all settled',
        async () => {
          const i = await consumer.info();
          return i.num_ack_pending === 0 && i.num_pending === 0 ? true : undefined;
        },
        10_000,
      );
      console.log(
        `dead letters: ${letters.map((l) => `${l.subject.split('.').pop()}=${l.reason}@${l.deliveries}`).join(', ')}`,
      );
    }, 30_000);

    it('waits out a store that is away past max deliveries, and stores the event when it is back', async () => {
      const publisher = apps[0].get(EventPublisher);
      await publisher.publishDurableAny(FLAKY_STORE, { id: 'f-1' }, 'flaky-1');
      await waitFor(
        'flaky event stored',
        () => (handled.some((h) => h.subject === FLAKY_STORE) ? true : undefined),
        30_000,
      );
      expect(deliveries.get(FLAKY_STORE)).toBeGreaterThan(MAX_DELIVER);
      const info = await (await jetstreamManager(nc)).streams.info(DLQ_STREAM.name);
      const letters = await deadLetters(info.state.messages);
      expect(letters.filter((l) => l.subject === FLAKY_STORE)).toEqual([]);
    }, 40_000);
  });
});

describe('EventPublisher.requestStream', () => {
  const prefix2 = uniqueName('streamtest');
  let app: INestApplication;
  let nc2: NatsConnection;

  beforeAll(async () => {
    @Module({ imports: [MessagingModule.forRoot({ service: prefix2, streams: [], url: testInfra.natsUrl })] })
    class StreamModule {}
    app = await NestFactory.create(StreamModule, { logger: false });
    await app.init();
    nc2 = await connect({ servers: testInfra.natsUrl });
    // A responder that sends two pieces then the answer, and one that stalls after a piece.
    nc2.subscribe(`${prefix2}.ok`, {
      callback: (_e, m) => {
        const to = m.headers?.get('Switchyard-Reply-To') ?? '';
        nc2.publish(to, JSON.stringify({ delta: 'a' }));
        nc2.publish(to, JSON.stringify({ delta: 'b' }));
        nc2.publish(to, JSON.stringify({ ok: true, answer: 'ab' }));
      },
    });
    nc2.subscribe(`${prefix2}.stall`, {
      callback: (_e, m) => {
        nc2.publish(m.headers?.get('Switchyard-Reply-To') ?? '', JSON.stringify({ delta: 'a' }));
      },
    });
    await nc2.flush();
  });

  afterAll(async () => {
    await nc2.close();
    await app.close();
  });

  it('hands each piece over and returns the final message', async () => {
    const parts: unknown[] = [];
    const final = await app.get(EventPublisher).requestStreamAny(`${prefix2}.ok`, {}, 2000, {}, (p) => parts.push(p));
    expect(parts).toEqual([{ delta: 'a' }, { delta: 'b' }]);
    expect(final).toEqual({ ok: true, answer: 'ab' });
  });

  it('times out a stream that stalls after its first piece', async () => {
    await expect(
      app.get(EventPublisher).requestStreamAny(`${prefix2}.stall`, {}, 300, {}, () => undefined),
    ).rejects.toMatchObject({ code: 'timeout' });
  });
});
