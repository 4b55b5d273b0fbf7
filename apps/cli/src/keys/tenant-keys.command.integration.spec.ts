import { type NatsConnection, connect } from '@nats-io/transport-node';
import { SUBJECTS, type TenantKeysChanged } from '@switchyard/contracts';
import { MONGO_CONNECT_OPTIONS, TenantKeyRepository, hashTenantKey } from '@switchyard/persistence';
import { mongoUriFor, testInfra, uniqueName, waitFor } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { runTenantKeys } from './tenant-keys.command';

// Real MongoDB-wire server (a database of this test's own) and NATS.
describe(runTenantKeys.name, () => {
  const mongoUri = mongoUriFor(uniqueName('clikeys'));
  const lines: string[] = [];
  const env = { mongoUri, nats: { servers: testInfra.natsUrl }, out: (l: string) => lines.push(l) };
  const notices: TenantKeysChanged[] = [];
  let nc: NatsConnection;
  let db: Connection;

  beforeAll(async () => {
    nc = await connect({ servers: testInfra.natsUrl });
    nc.subscribe(SUBJECTS.tenantKeysChanged, {
      callback: (_e, m) => {
        notices.push(m.json<TenantKeysChanged>());
      },
    });
    await nc.flush();
    db = await mongoose.createConnection(mongoUri, MONGO_CONNECT_OPTIONS).asPromise();
  });

  afterAll(async () => {
    await nc.close();
    await db.dropDatabase();
    await db.close();
  });

  it('creates a key, prints it once, stores its hash and tells the ingress replicas', async () => {
    lines.length = 0;
    expect(await runTenantKeys({ action: 'create', tenant: 'acme', name: 'ci' }, env)).toBe(0);
    const key = lines.find((l) => l.startsWith('key: '))!.slice(5);
    const keyId = /^created (tk_[0-9a-f]+) for tenant acme \(ci\)$/.exec(lines[0])![1];
    expect((await new TenantKeyRepository(db).activeHashes()).get(hashTenantKey(key))).toEqual({
      tenant: 'acme',
      admin: false,
    });
    await waitFor('the notice', () => notices.find((n) => n.keyId === keyId && n.change === 'created'), 5000);

    lines.length = 0;
    expect(await runTenantKeys({ action: 'list', json: false }, env)).toBe(0);
    expect(lines[0]).toBe('1 key');
    expect(lines[1]).toContain(keyId);
    expect(lines.join('\n')).not.toContain(key);

    lines.length = 0;
    expect(await runTenantKeys({ action: 'revoke', keyId }, env)).toBe(0);
    expect(lines[0]).toBe(`revoked ${keyId} of tenant acme`);
    await waitFor(
      'the revocation notice',
      () => notices.find((n) => n.keyId === keyId && n.change === 'revoked'),
      5000,
    );
    expect((await new TenantKeyRepository(db).activeHashes()).size).toBe(0);
  });

  it('refuses a tenant name that cannot be one, and a key id that is not in force', async () => {
    await expect(runTenantKeys({ action: 'create', tenant: 'ac me' }, env)).rejects.toThrow(/--tenant must be 1-64/);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await runTenantKeys({ action: 'revoke', keyId: 'tk_nope' }, env)).toBe(1);
    expect(stderr).toHaveBeenCalledWith('no key tk_nope in force (see switchyard keys list)\n');
    stderr.mockRestore();
  });
});
