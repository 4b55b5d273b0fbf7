import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { testInfra, uniqueName, waitFor } from '@switchyard/testing';
import { DurableOutbox } from './durable-outbox';
import { MessagingModule } from './messaging.module';

// Real NATS with a stream of this test's own. "JetStream not taking records" is the stream not covering
// their subject (publishes get no answer from any stream), as when JetStream is away; it comes back when
// the subject is added again.
describe(DurableOutbox.name, () => {
  const prefix = uniqueName('outbox');
  const RECORDS = `${prefix}.records`;
  const stream = { name: prefix.toUpperCase(), subjects: [`${prefix}.other`], duplicateWindowMs: 60_000 };
  let app: INestApplication;
  let nc: NatsConnection;

  beforeAll(async () => {
    @Module({ imports: [MessagingModule.forRoot({ service: prefix, streams: [stream], url: testInfra.natsUrl })] })
    class OutboxModule {}
    app = await NestFactory.create(OutboxModule, { logger: false });
    await app.init();
    nc = await connect({ servers: testInfra.natsUrl });
  });

  afterAll(async () => {
    await (await jetstreamManager(nc)).streams.delete(stream.name).catch(() => undefined);
    await nc.close();
    await app.close();
  });

  it('keeps records JetStream does not take, says it is unavailable meanwhile, and stores each once when it is back', async () => {
    const sut = app.get(DurableOutbox);
    expect(sut.available).toBe(true);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sut.publishAny(RECORDS, { n: i }, `rec-${i}`)),
    );
    expect(outcomes.every((o) => o === 'deferred')).toBe(true);
    expect(sut.available).toBe(false);
    expect(sut.waitingCount).toBe(20);

    const jsm = await jetstreamManager(nc);
    const back = Date.now();
    await jsm.streams.update(stream.name, { subjects: [`${prefix}.other`, RECORDS] });
    await waitFor('every kept record stored', () => (sut.available ? true : undefined), 15_000, 20);
    const info = await jsm.streams.info(stream.name);
    expect(info.state.messages).toBe(20);
    expect(sut.counts).toMatchObject({ deferred: 20, storedLate: 20, lost: 0 });
    expect(await sut.publishAny(RECORDS, { n: 20 }, 'rec-20')).toBe('stored');
    console.log(
      `outbox: 20 records kept while the stream was away, all stored ${Date.now() - back} ms after it returned`,
    );
  }, 30_000);
});
