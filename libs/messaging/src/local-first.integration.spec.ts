import { Controller, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { HEADERS, RouterError } from '@switchyard/contracts';
import { testInfra, uniqueName, waitFor } from '@switchyard/testing';
import { OnSubject } from './decorators';
import { EventPublisher } from './event-publisher';
import type { IncomingMessage } from './incoming-message';
import { COLOCATED_ENV } from '@switchyard/runtime';
import { localBus } from './local-bus';
import { MessagingModule } from './messaging.module';

// Two services in one process (co-located mode), on the real NATS: hops between them stay in the process,
// with the same bytes, headers and failure replies; callers elsewhere still reach them over NATS.
process.env[COLOCATED_ENV] = 'true';

const prefix = uniqueName('localfirst');
const STAGE = `${prefix}.stage`;
const LAST = `${prefix}.last`;
const FAIL = `${prefix}.fail`;
const seen: Array<{ subject: string; body: unknown; deadline?: string; replyTo?: string }> = [];

@Controller()
class FirstStage {
  constructor(private readonly publisher: EventPublisher) {}

  /** A pipeline stage: passes the request on to the next service, which answers the caller. */
  @OnSubject(STAGE)
  async stage(msg: IncomingMessage) {
    seen.push({ subject: STAGE, body: msg.json(), deadline: msg.header(HEADERS.deadline) });
    const replyTo = msg.header(HEADERS.replyTo) ?? msg.reply;
    this.publisher.publishAny(LAST, { from: 'first', body: msg.json() }, { replyTo, deadline: 42 });
  }
}

@Controller()
class LastStage {
  constructor(private readonly publisher: EventPublisher) {}

  @OnSubject(LAST)
  async last(msg: IncomingMessage) {
    const replyTo = msg.header(HEADERS.replyTo);
    seen.push({ subject: LAST, body: msg.json(), deadline: msg.header(HEADERS.deadline), replyTo });
    if (!replyTo) throw new Error('no reply subject');
    const body = msg.json() as { body: { stream?: boolean } };
    if (body.body.stream) this.publisher.publishAny(replyTo, { delta: 'part' });
    this.publisher.publishAny(replyTo, { ok: true, answer: 'done' });
  }

  @OnSubject(FAIL)
  async fail(): Promise<never> {
    throw new RouterError('no_route', 'nothing fits');
  }
}

function service(name: string, controller: new (p: EventPublisher) => unknown) {
  @Module({ controllers: [controller], imports: [MessagingModule.forRoot({ service: name, url: testInfra.natsUrl })] })
  class ServiceModule {}
  return NestFactory.create(ServiceModule, { logger: false });
}

describe('local-first delivery between services of one process', () => {
  let apps: INestApplication[];
  let nc: NatsConnection;
  /** What crossed NATS on the test's subjects (a plain subscriber sees every message published there). */
  const onNats: string[] = [];

  beforeAll(async () => {
    apps = [await service(`${prefix}-first`, FirstStage), await service(`${prefix}-last`, LastStage)];
    for (const app of apps) await app.init();
    nc = await connect({ servers: testInfra.natsUrl });
    nc.subscribe(`${prefix}.>`, { callback: (_e, m) => void onNats.push(m.subject) });
    await nc.flush();
  });

  afterAll(async () => {
    await nc.close();
    for (const app of apps) await app.close();
  });

  it('runs a two-hop request inside the process, headers and deadline included, without a NATS message', async () => {
    seen.length = 0;
    const publisher = apps[0].get(EventPublisher);
    const answer = await publisher.requestAny(STAGE, { q: 1 }, 2000, { deadline: 7 });
    expect(answer).toEqual({ ok: true, answer: 'done' });
    expect(seen).toEqual([
      { subject: STAGE, body: { q: 1 }, deadline: '7' },
      {
        subject: LAST,
        body: { from: 'first', body: { q: 1 } },
        deadline: '42',
        replyTo: expect.stringContaining('.local.'),
      },
    ]);
    await nc.flush();
    expect(onNats).toEqual([]);
  });

  it('streams the pieces of an answer through a local inbox', async () => {
    const parts: unknown[] = [];
    const publisher = apps[0].get(EventPublisher);
    const answer = await publisher.requestStreamAny(STAGE, { stream: true }, 2000, {}, (p) => parts.push(p));
    expect([parts, answer]).toEqual([[{ delta: 'part' }], { ok: true, answer: 'done' }]);
  });

  it('answers a local caller with the failure a NATS caller would get', async () => {
    const answer = await apps[0].get(EventPublisher).requestAny(FAIL, {}, 2000);
    expect(answer).toMatchObject({ ok: false, error: { code: 'no_route', message: 'nothing fits' } });
  });

  it('still serves callers in other processes over NATS, and sends subjects nobody here handles there', async () => {
    const msg = await nc.request(STAGE, JSON.stringify({ q: 'remote' }), { timeout: 2000 });
    expect(msg.json()).toEqual({ ok: true, answer: 'done' });
    onNats.length = 0;
    apps[1].get(EventPublisher).publishAny(`${prefix}.elsewhere`, { n: 1 });
    await waitFor('the publish on NATS', () => (onNats.includes(`${prefix}.elsewhere`) ? true : undefined), 2000);
  });

  it('stops delivering locally once a service shuts down (its hops go to other replicas over NATS)', async () => {
    expect(localBus().handles(LAST)).toBe(true);
    await apps[1].close();
    expect(localBus().handles(LAST)).toBe(false);
    apps = apps.slice(0, 1);
  });
});
