import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { SUBJECTS, type TenantKeysChanged } from '@switchyard/contracts';
import { MessagingModule } from '@switchyard/messaging';
import { MONGO_CONNECTION, PersistenceModule, TenantKeyRepository } from '@switchyard/persistence';
import type { Connection } from 'mongoose';
import { mongoUriFor, testInfra, uniqueName, waitFor } from '@switchyard/testing';
import { TENANCY_OPTIONS } from './tenancy.options';
import { TenantKeyCache } from './tenant-key-cache';

// Real NATS and MongoDB-wire server; a database of this test's own. The refresh interval is long, so what
// the test sees comes from the start-up load and the change notices.
describe(TenantKeyCache.name, () => {
  const database = uniqueName('keycache');
  let apps: INestApplication[];
  let nc: NatsConnection;

  async function replica(): Promise<INestApplication> {
    @Module({
      imports: [
        MessagingModule.forRoot({ service: uniqueName('tenancy-test'), streams: [], url: testInfra.natsUrl }),
        PersistenceModule.forRoot(mongoUriFor(database)),
      ],
      providers: [
        TenantKeyCache,
        { provide: TENANCY_OPTIONS, useValue: { refreshSeconds: 3600, authenticate: true, defaultTenant: 'default' } },
      ],
    })
    class ReplicaModule {}
    const app = await NestFactory.create(ReplicaModule, { logger: false });
    await app.init();
    return app;
  }

  beforeAll(async () => {
    nc = await connect({ servers: testInfra.natsUrl });
    apps = [await replica(), await replica()];
  }, 30_000);

  afterAll(async () => {
    await nc.close();
    for (const app of apps.slice(1)) await app.close();
    await apps[0].get<Connection>(MONGO_CONNECTION).dropDatabase();
    await apps[0].close();
  });

  const notify = (notice: Omit<TenantKeysChanged, 'at'>) =>
    nc.publish(SUBJECTS.tenantKeysChanged, JSON.stringify({ ...notice, at: Date.now() }));

  it('is loaded at start-up, and every replica takes a new key and drops a revoked one when told', async () => {
    const caches = apps.map((a) => a.get(TenantKeyCache));
    expect(caches.every((c) => c.loaded)).toBe(true);
    const repository = apps[0].get(TenantKeyRepository);
    const { key, info } = await repository.create('acme', 'test');
    expect(caches[0].holderOf(key)).toBeUndefined();
    notify({ tenant: 'acme', keyId: info.keyId, change: 'created' });
    await waitFor(
      'both replicas know the key',
      () => (caches.every((c) => c.holderOf(key)?.tenant === 'acme') ? true : undefined),
      5000,
    );

    await repository.revoke(info.keyId);
    notify({ tenant: 'acme', keyId: info.keyId, change: 'revoked' });
    await waitFor(
      'both replicas dropped it',
      () => (caches.every((c) => c.holderOf(key) === undefined) ? true : undefined),
      5000,
    );
  });
});
