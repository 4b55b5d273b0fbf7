import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { type PolicyRejected, type PolicyUpdated, SUBJECTS } from '@switchyard/contracts';
import { MessagingModule } from '@switchyard/messaging';
import { MONGO_CONNECT_OPTIONS, RouterModelRepository } from '@switchyard/persistence';
import { PolicyStore, PolicyStoreModule } from '@switchyard/policy-store';
import { trainLearnedRouter } from '@switchyard/routing';
import { TemporaryFerretDb, mongoUriFor, testInfra, uniqueName, waitFor } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { ModelStoreModule } from './model-store.module';

// decision-engine's policy file naming a router of the model store (learned.model): the router is fetched
// from the real MongoDB-wire server before the application starts, and a file naming one that is not there
// stops the start, naming it.
const uri = mongoUriFor(uniqueName('model_store_it'));
const dir = mkdtempSync(join(tmpdir(), 'model-store-it-'));
const artifact = (version: string) =>
  trainLearnedRouter(
    Array.from({ length: 40 }, (_, i) => ({ text: `q${i % 4}`, outcomes: { a: { score: i % 2 }, b: { score: 1 } } })),
    { version, dims: 1 << 10, epochs: 1 },
  );
const policy = (version: string, learned: string, extra = '') =>
  `version: ${version}\n${extra}learned: { ${learned} }\nmodels:\n` +
  `  - { id: a, provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }\n` +
  `  - { id: b, provider: simulated, tier: u, priceUsdPerMTok: { input: 2, output: 2 } }\n` +
  `default: { route: { model: a } }\n`;

async function start(file: string): Promise<INestApplication> {
  @Module({ imports: [ModelStoreModule.forRoot(uri), PolicyStoreModule.forRoot({ file })] })
  class EngineModule {}
  const app = await NestFactory.create(EngineModule, { logger: false, abortOnError: false });
  await app.init();
  return app;
}

describe('a policy file naming stored routers', () => {
  let connection: Connection;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    connection = await mongoose.createConnection(uri, MONGO_CONNECT_OPTIONS).asPromise();
    const models = new RouterModelRepository(connection);
    await models.save(artifact('stored-1'), { source: 'test' });
    await models.save(artifact('stored-2'), { source: 'test' });
    writeFileSync(join(dir, 'file-router.json'), JSON.stringify(artifact('file@1')));
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await connection.dropDatabase();
    // The start that failed left its model-store connection open: close every one.
    await Promise.all(mongoose.connections.map((c) => c.close()));
  });

  it('starts on the stored router, and on a canary whose candidate file names another', async () => {
    writeFileSync(join(dir, 'stored.yaml'), policy('p@1', 'model: stored-1'));
    const app = await start(join(dir, 'stored.yaml'));
    apps.push(app);
    expect(app.get(PolicyStore).forRequest('tenant').learned?.router.version).toBe('stored-1');

    writeFileSync(join(dir, 'candidate.yaml'), policy('p@3', 'model: stored-2'));
    writeFileSync(
      join(dir, 'control.yaml'),
      policy('p@2', 'artifact: file-router.json', 'canary: { percent: 50, policy: candidate.yaml }\n'),
    );
    const canary = await start(join(dir, 'control.yaml'));
    apps.push(canary);
    const versions = new Set(
      Array.from({ length: 40 }, (_, i) => canary.get(PolicyStore).forRequest(`tenant-${i}`).learned?.router.version),
    );
    expect(versions).toEqual(new Set(['file@1', 'stored-2']));
  });

  it('does not start on a file naming a version the store does not hold, and says which', async () => {
    writeFileSync(join(dir, 'missing.yaml'), policy('p@4', 'model: never-saved-1'));
    await expect(start(join(dir, 'missing.yaml'))).rejects.toThrow(
      /learned.model: model never-saved-1 could not be loaded from the model store/,
    );
  });
});

// A replica started while MongoDB is down: the driver never reconnects a connection whose first connect
// failed, so before the model store opened a new one, such a replica refused every policy naming a stored
// router until it was restarted. Now the policy is tried again once the store answers, published as refused once.
describe('a replica started during a model store outage', () => {
  const ferret = new TemporaryFerretDb();
  const prefix = uniqueName('outage');
  const updates = { stream: prefix.toUpperCase(), subject: `${prefix}.policy.updated` };
  let app: INestApplication | undefined;

  afterAll(async () => {
    await app?.close();
    const nc = await connect({ servers: testInfra.natsUrl });
    await (await jetstreamManager(nc)).streams.delete(updates.stream).catch(() => undefined);
    await nc.close();
    await ferret.remove();
  });

  it('applies a published policy naming a stored router once MongoDB is back', async () => {
    await ferret.start();
    const uri = ferret.uriFor('models');
    const db = await mongoose.createConnection(uri, MONGO_CONNECT_OPTIONS).asPromise();
    await new RouterModelRepository(db).save(artifact('late-1'), { source: 'test' });
    await db.close();
    await ferret.stop();

    writeFileSync(join(dir, 'rules.yaml'), policy('file@1', 'model: late-1').replace(/^learned: .*\n/m, ''));
    @Module({
      imports: [
        MessagingModule.forRoot({
          service: prefix,
          streams: [{ name: updates.stream, subjects: [updates.subject], duplicateWindowMs: 60_000, maxAgeMs: 0 }],
          url: testInfra.natsUrl,
        }),
        ModelStoreModule.forRoot(uri),
        PolicyStoreModule.forRoot({
          file: join(dir, 'rules.yaml'),
          service: 'outage-replica',
          updates,
          watch: true,
          refetchMs: { first: 200, max: 1000 },
        }),
      ],
    })
    class ReplicaModule {}
    app = await NestFactory.create(ReplicaModule, { logger: false, abortOnError: false });
    await app.init();
    const store = app.get(PolicyStore);

    const nc = await connect({ servers: testInfra.natsUrl });
    const rejections: PolicyRejected[] = [];
    const sub = nc.subscribe(SUBJECTS.policyRejected, {
      callback: (_e, m) => {
        const rejected = m.json<PolicyRejected>();
        if (rejected.version === 'pub@2') rejections.push(rejected);
      },
    });
    const event: PolicyUpdated = { version: 'pub@2', yaml: policy('pub@2', 'model: late-1'), publishedAt: Date.now() };
    await jetstream(nc).publish(updates.subject, JSON.stringify(event), { msgID: 'pub@2' });
    await waitFor('the refusal', () => (rejections.length > 0 ? true : undefined), 25_000);
    expect(rejections[0].problems[0]).toMatchObject({ field: expect.stringContaining('learned.model') });
    expect(store.current().version).toBe('file@1');

    await ferret.start();
    await waitFor('pub@2 in force', () => (store.current().version === 'pub@2' ? true : undefined), 25_000);
    expect(store.forRequest('tenant').learned?.router.version).toBe('late-1');
    expect(rejections).toHaveLength(1);
    sub.unsubscribe();
    await nc.close();
  }, 90_000);
});
