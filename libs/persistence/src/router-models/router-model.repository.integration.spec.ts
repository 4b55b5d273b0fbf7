import { mongoUriFor, uniqueName } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { createHash, randomBytes } from 'node:crypto';
import { MONGO_CONNECT_OPTIONS } from '../persistence.module';
import { RouterModelError, RouterModelRepository } from './router-model.repository';
import { ROUTER_MODEL_CHUNKS_COLLECTION, ROUTER_MODEL_CHUNK_BYTES } from './router-model.schema';

/** A learned router as a trainer writes one: mostly base64 weights, `megabytes` of them. */
function artifact(version: string, megabytes: number): { version: string } & Record<string, unknown> {
  const layers = Array.from({ length: 4 }, (_, i) => ({
    name: `dense_${i}`,
    shape: [256, 256],
    weights: randomBytes(Math.floor((megabytes * 1024 * 1024 * 3) / 4 / 4)).toString('base64'),
  }));
  return { version, kind: 'mlp', labels: ['cheap', 'strong'], layers };
}

// Compared by hash: a failing toEqual on 10 MB would print all of it.
function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

// Runs against the real MongoDB-wire server.
describe(RouterModelRepository.name, () => {
  let connection: Connection;
  let sut: RouterModelRepository;

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(mongoUriFor(uniqueName('router_models')), MONGO_CONNECT_OPTIONS)
      .asPromise();
    sut = new RouterModelRepository(connection);
    await sut.ensureIndexes();
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  describe('save and load', () => {
    const big = artifact('mlp@big', 10);

    it('round-trips a 10 MB artifact identically, in 4 MiB chunks', async () => {
      const json = JSON.stringify(big);
      expect(json.length).toBeGreaterThan(10_000_000);

      const saved = await sut.save(big, { source: 'test', training: { rows: 1000 } });

      expect(saved).toMatchObject({ version: 'mlp@big', source: 'test', status: 'candidate', bytes: json.length });
      expect(saved.chunks).toBe(Math.ceil(saved.compressedBytes / ROUTER_MODEL_CHUNK_BYTES));
      expect(saved.chunks).toBeGreaterThan(1);
      expect(await sut.find('mlp@big')).toEqual(saved);
      expect(digest(await sut.load('mlp@big'))).toBe(digest(big));
    }, 60_000);

    it('changes nothing when the same artifact is saved again', async () => {
      const before = await sut.find('mlp@big');
      const chunksBefore = await connection.collection(ROUTER_MODEL_CHUNKS_COLLECTION).countDocuments();

      const again = await sut.save(big, { source: 'a retry', createdAt: new Date(0) });

      expect(again).toEqual(before);
      expect(await sut.find('mlp@big')).toEqual(before);
      expect(await connection.collection(ROUTER_MODEL_CHUNKS_COLLECTION).countDocuments()).toBe(chunksBefore);
    }, 60_000);

    it('refuses another artifact under a stored version, and keeps the stored one', async () => {
      const other = { ...artifact('mlp@big', 0.1), note: 'retrained' };

      await expect(sut.save(other, { source: 'test' })).rejects.toThrow(
        /router model mlp@big: already stored with sha256 [0-9a-f]{64}/,
      );
      await expect(sut.save(other, { source: 'test' })).rejects.toMatchObject({ problem: 'conflict' });
      expect(digest(await sut.load('mlp@big'))).toBe(digest(big));
    }, 60_000);
  });

  describe('load', () => {
    it('throws naming the version and sha256 when a chunk was altered', async () => {
      await sut.save(artifact('mlp@corrupt', 0.5), { source: 'test' });
      const chunks = connection.collection<{ _id: string; data: mongoose.mongo.Binary }>(
        ROUTER_MODEL_CHUNKS_COLLECTION,
      );
      const chunk = await chunks.findOne({ _id: 'mlp@corrupt#0' });
      const data = Buffer.from(chunk!.data.value());
      data[data.length >> 1] ^= 0xff;
      await chunks.updateOne({ _id: 'mlp@corrupt#0' }, { $set: { data: new mongoose.mongo.Binary(data) } });

      const failure = sut.load('mlp@corrupt');

      await expect(failure).rejects.toThrow(/router model mlp@corrupt: sha256 mismatch/);
      await expect(failure).rejects.toBeInstanceOf(RouterModelError);
    });

    it('throws naming the version and the chunk when a chunk is missing', async () => {
      await sut.save(artifact('mlp@holed', 0.5), { source: 'test' });
      await connection.collection<{ _id: string }>(ROUTER_MODEL_CHUNKS_COLLECTION).deleteOne({ _id: 'mlp@holed#0' });

      await expect(sut.load('mlp@holed')).rejects.toThrow('router model mlp@holed: chunk 0 of 1 is missing');
    });

    it('throws naming the version when there is no such version', async () => {
      await expect(sut.load('mlp@never')).rejects.toThrow(/router model mlp@never: no such version/);
    });
  });

  describe('deleteOrphanChunks', () => {
    it('removes the chunks of a save that died, and keeps complete models and recent saves', async () => {
      await sut.save(artifact('mlp@kept', 0.5), { source: 'test' });
      const chunks = connection.collection<{ _id: string; version: string; index: number; createdAt: Date }>(
        ROUTER_MODEL_CHUNKS_COLLECTION,
      );
      // What a save that died after its chunks leaves: chunks, no metadata.
      const died = new Date(Date.now() - 3_600_000);
      for (const index of [0, 1])
        await chunks.insertOne({
          _id: `mlp@died#${index}`,
          version: 'mlp@died',
          index,
          data: new mongoose.mongo.Binary(randomBytes(1024)),
          createdAt: died,
        } as never);
      // A save still running: the same, written just now.
      await chunks.insertOne({
        _id: 'mlp@running#0',
        version: 'mlp@running',
        index: 0,
        data: new mongoose.mongo.Binary(randomBytes(1024)),
        createdAt: new Date(),
      } as never);

      await expect(sut.load('mlp@died')).rejects.toMatchObject({ problem: 'not-found' });
      expect((await sut.list(500)).map((m) => m.version)).not.toContain('mlp@died');

      expect(await sut.deleteOrphanChunks(new Date(Date.now() - 60_000))).toBe(2);

      const left = (await chunks.find({}, { projection: { _id: 1 } }).toArray()).map((c) => c._id);
      expect(left).not.toContain('mlp@died#0');
      expect(left).not.toContain('mlp@died#1');
      expect(left).toContain('mlp@running#0');
      expect(left).toContain('mlp@kept#0');
      expect((await sut.load('mlp@kept')) as { version: string }).toMatchObject({ version: 'mlp@kept' });
    });
  });

  describe('list', () => {
    it('lists metadata newest first, up to the limit', async () => {
      const at = (s: number) => new Date(Date.UTC(2100, 0, 1, 0, 0, s));
      await sut.save(artifact('mlp@l1', 0.01), { source: 'test', createdAt: at(1) });
      await sut.save(artifact('mlp@l3', 0.01), { source: 'test', createdAt: at(3) });
      await sut.save(artifact('mlp@l2', 0.01), { source: 'test', createdAt: at(2) });

      const newest = await sut.list(2);

      expect(newest.map((m) => m.version)).toEqual(['mlp@l3', 'mlp@l2']);
      expect(Object.keys(newest[0]!).sort()).toEqual(
        ['bytes', 'chunks', 'compressedBytes', 'createdAt', 'sha256', 'source', 'status', 'version'].sort(),
      );
      const all = await sut.list(500);
      expect(all.map((m) => m.createdAt.getTime())).toEqual(
        all.map((m) => m.createdAt.getTime()).sort((a, b) => b - a),
      );
    });
  });

  describe('setStatus and setEvaluation', () => {
    it('updates a stored version and says false for an unknown one', async () => {
      await sut.save(artifact('mlp@status', 0.01), { source: 'test' });

      expect(await sut.setStatus('mlp@status', 'rejected', 'canary: cost +12%')).toBe(true);
      expect(await sut.setEvaluation('mlp@status', { accuracy: 0.91 })).toBe(true);
      expect(await sut.find('mlp@status')).toMatchObject({
        status: 'rejected',
        statusNote: 'canary: cost +12%',
        evaluation: { accuracy: 0.91 },
      });
      expect(await sut.setStatus('mlp@status', 'promoted')).toBe(true);
      expect(await sut.find('mlp@status')).not.toHaveProperty('statusNote');
      expect(await sut.setStatus('mlp@nope', 'promoted')).toBe(false);
      expect(await sut.setEvaluation('mlp@nope', {})).toBe(false);
    });
  });
});
