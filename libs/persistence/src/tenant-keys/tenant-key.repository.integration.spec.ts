import { mongoUriFor, uniqueName } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { MONGO_CONNECT_OPTIONS } from '../persistence.module';
import { hashTenantKey } from './tenant-key';
import { TenantKeyRepository } from './tenant-key.repository';

// Runs against the real MongoDB-wire server that scripts/infra.sh brings up (FerretDB here).
describe(TenantKeyRepository.name, () => {
  let connection: Connection;
  let sut: TenantKeyRepository;

  beforeAll(async () => {
    connection = await mongoose.createConnection(mongoUriFor(uniqueName('keys')), MONGO_CONNECT_OPTIONS).asPromise();
    sut = new TenantKeyRepository(connection);
    await sut.ensureIndexes();
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('stores only the hash of a new key, and finds the tenant by that hash', async () => {
    const { key, info } = await sut.create('acme', 'ci');
    expect(key).toMatch(/^sy_[A-Za-z0-9_-]{43}$/);
    expect(info).toMatchObject({ tenant: 'acme', name: 'ci', prefix: key.slice(0, 10) });
    const raw = await connection.collection('tenant_keys').find({}).toArray();
    expect(JSON.stringify(raw)).not.toContain(key);
    expect((await sut.activeHashes()).get(hashTenantKey(key))).toEqual({ tenant: 'acme', admin: false });
  });

  it('marks an admin key, which may read what spans tenants', async () => {
    const { key, info } = await sut.create('ops', 'analysts', { admin: true });
    expect(info.admin).toBe(true);
    expect((await sut.activeHashes()).get(hashTenantKey(key))).toEqual({ tenant: 'ops', admin: true });
  });

  it('lists keys without their hashes, by tenant', async () => {
    await sut.create('beta');
    const listed = await sut.list('beta');
    expect(listed).toHaveLength(1);
    expect(Object.keys(listed[0]).sort()).toEqual(['createdAt', 'keyId', 'prefix', 'tenant']);
  });

  it('revokes a key by its public id once, and it is no longer in force', async () => {
    const { key, info } = await sut.create('acme', 'to-revoke');
    expect(await sut.revoke(info.keyId)).toMatchObject({ keyId: info.keyId, revokedAt: expect.any(Date) });
    expect(await sut.revoke(info.keyId)).toBeUndefined();
    expect(await sut.revoke('tk_nosuchkey')).toBeUndefined();
    expect((await sut.activeHashes()).has(hashTenantKey(key))).toBe(false);
  });
});
