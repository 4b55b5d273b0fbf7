import { mongoUriFor, uniqueName } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { MONGO_CONNECT_OPTIONS } from '../persistence.module';
import { PolicyVersionRepository } from './policy-version.repository';

// Runs against the real MongoDB-wire server.
describe(PolicyVersionRepository.name, () => {
  let connection: Connection;
  let sut: PolicyVersionRepository;

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(mongoUriFor(uniqueName('policies')), MONGO_CONNECT_OPTIONS)
      .asPromise();
    sut = new PolicyVersionRepository(connection);
    await sut.ensureIndexes();
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('keeps each version once and lists the newest first', async () => {
    expect(await sut.saveOnce({ version: 'p@1', yaml: 'a', publishedAt: new Date(1000) })).toBe(true);
    expect(await sut.saveOnce({ version: 'p@1', yaml: 'changed', publishedAt: new Date(3000) })).toBe(false);
    await sut.saveOnce({ version: 'p@2', yaml: 'b', publishedAt: new Date(2000), publishedBy: 'ops' });
    expect((await sut.findByVersion('p@1'))?.yaml).toBe('a');
    expect((await sut.recent()).map((p) => p.version)).toEqual(['p@2', 'p@1']);
  });
});
