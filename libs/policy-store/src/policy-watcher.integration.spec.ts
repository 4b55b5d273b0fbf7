import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type PolicyRejected, type PolicyUpdated, SUBJECTS } from '@switchyard/contracts';
import { MessagingModule } from '@switchyard/messaging';
import { testInfra, uniqueName, waitFor } from '@switchyard/testing';
import { PolicyStore } from './policy-store';
import { PolicyStoreModule } from './policy-store.module';

// Real NATS, on a stream and subject of this test's own (never the project's ROUTER_POLICIES).
const prefix = uniqueName('policytest');
const updates = { stream: prefix.toUpperCase(), subject: `${prefix}.policy.updated` };
const dir = mkdtempSync(join(tmpdir(), 'watch-'));
const file = join(dir, 'policy.yaml');
const policy = (version: string, model = 'm1') =>
  `version: ${version}\nmodels:\n  - { id: ${model}, provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }\ndefault: { route: { model: ${model} } }\n`;
writeFileSync(file, policy('file@1'));

async function replica(): Promise<INestApplication> {
  @Module({
    imports: [
      MessagingModule.forRoot({
        service: prefix,
        streams: [{ name: updates.stream, subjects: [updates.subject], duplicateWindowMs: 60_000, maxAgeMs: 0 }],
        url: testInfra.natsUrl,
      }),
      PolicyStoreModule.forRoot({ file, service: 'test-replica', updates, watch: true }),
    ],
  })
  class ReplicaModule {}
  const app = await NestFactory.create(ReplicaModule, { logger: false });
  await app.init();
  return app;
}

describe('PolicyWatcher', () => {
  let nc: NatsConnection;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    nc = await connect({ servers: testInfra.natsUrl });
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await (await jetstreamManager(nc)).streams.delete(updates.stream).catch(() => undefined);
    await nc.close();
  });

  const publish = async (version: string, yaml: string) => {
    const event: PolicyUpdated = { version, yaml, publishedAt: Date.now() };
    await jetstream(nc).publish(updates.subject, JSON.stringify(event), { msgID: version });
  };

  it('applies a published policy on every replica, refuses an invalid one, and starts later replicas on the newest', async () => {
    apps.push(await replica(), await replica());
    const stores = apps.map((a) => a.get(PolicyStore));
    expect(stores.map((s) => s.current().version)).toEqual(['file@1', 'file@1']);

    await publish('pub@2', policy('pub@2', 'm2'));
    await waitFor(
      'both replicas on pub@2',
      () => (stores.every((s) => s.current().version === 'pub@2') ? true : undefined),
      5000,
    );
    expect(stores[0].current().models.get('m2')).toBeDefined();

    const rejections: PolicyRejected[] = [];
    const sub = nc.subscribe(SUBJECTS.policyRejected, {
      callback: (_e, m) => {
        rejections.push(m.json<PolicyRejected>());
      },
    });
    await publish('bad@3', 'version: bad@3\nmodels: []\ndefault: { route: { model: x } }\n');
    await waitFor(
      'two rejections',
      () => (rejections.filter((r) => r.version === 'bad@3').length >= 2 ? true : undefined),
      5000,
    );
    sub.unsubscribe();
    expect(rejections.find((r) => r.version === 'bad@3')).toMatchObject({
      service: 'test-replica',
      keptVersion: 'pub@2',
      problems: [expect.objectContaining({ field: expect.stringContaining('models') })],
    });
    expect(stores.map((s) => s.current().version)).toEqual(['pub@2', 'pub@2']);

    await publish('pub@4', policy('pub@4'));
    await waitFor(
      'replicas on pub@4',
      () => (stores.every((s) => s.current().version === 'pub@4') ? true : undefined),
      5000,
    );
    apps.push(await replica());
    expect(apps[2].get(PolicyStore).current().version).toBe('pub@4');
  });

  it('refuses a published policy that would send a variable that is not a provider key to a host that is not allowed', async () => {
    const stores = apps.map((a) => a.get(PolicyStore));
    const rejections: PolicyRejected[] = [];
    const sub = nc.subscribe(SUBJECTS.policyRejected, {
      callback: (_e, m) => {
        const r = m.json<PolicyRejected>();
        if (r.version === 'leak@5') rejections.push(r);
      },
    });
    await publish(
      'leak@5',
      'version: leak@5\nmodels:\n  - { id: m1, provider: openai-compatible, apiKeyEnv: MONGODB_URI, baseUrl: "http://attacker.example:9000/v1", tier: t, priceUsdPerMTok: { input: 1, output: 1 } }\ndefault: { route: { model: m1 } }\n',
    );
    await waitFor('every replica refused it', () => (rejections.length >= stores.length ? true : undefined), 5000);
    sub.unsubscribe();
    expect(rejections[0].problems.map((p) => p.field)).toEqual([
      'published policy leak@5: models.0.apiKeyEnv',
      'published policy leak@5: models.0.baseUrl',
    ]);
    expect(stores.map((s) => s.current().version)).toEqual(stores.map(() => 'pub@4'));
  });
});
