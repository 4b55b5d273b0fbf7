import { emptyCounts } from '@switchyard/analytics';
import { FreezingProxy, mongoUriFor, testInfra, uniqueName, waitFor } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import {
  DEFAULT_MONGO_SOCKET_TIMEOUT_MS,
  SCAN_MONGO_SOCKET_TIMEOUT_MS,
  mongoConnectOptions,
} from './persistence.module';
import { RollupRepository } from './rollups/rollup.repository';
import { storeRead } from './store-errors';

describe(mongoConnectOptions.name, () => {
  it('bounds every send and receive by default', () => {
    expect(mongoConnectOptions('mongodb://db:27017/switchyard').socketTimeoutMS).toBe(DEFAULT_MONGO_SOCKET_TIMEOUT_MS);
    expect(mongoConnectOptions('mongodb://db:27017/switchyard?replicaSet=rs0').socketTimeoutMS).toBe(
      DEFAULT_MONGO_SOCKET_TIMEOUT_MS,
    );
  });

  it("leaves the URI's own socketTimeoutMS in force (options would override it)", () => {
    for (const uri of ['mongodb://db/s?socketTimeoutMS=5000', 'mongodb://db/s?replicaSet=rs0&sockettimeoutms=0'])
      expect(mongoConnectOptions(uri, SCAN_MONGO_SOCKET_TIMEOUT_MS)).not.toHaveProperty('socketTimeoutMS');
  });

  it("takes a caller's own default (the optimizer's scans) and refuses one that is no timeout", () => {
    expect(mongoConnectOptions('mongodb://db/s', 1_800_000).socketTimeoutMS).toBe(1_800_000);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => mongoConnectOptions('mongodb://db/s', bad)).toThrow(
        /socketTimeoutMs must be a positive whole number/,
      );
  });
});

// A server that stops answering, without closing its connections: a proxy in front of the real MongoDB-wire
// server (FerretDB here) that freezes. Without a socket timeout every operation below would wait until the
// kernel's TCP keepalive gave up (ten minutes and more); the test would time out instead of passing.
describe('MongoDB operations against a server that stops answering', () => {
  jest.setTimeout(60_000);
  const database = uniqueName('bounded');
  let proxy: FreezingProxy;
  let connection: Connection;
  let direct: Connection;

  beforeAll(async () => {
    const server = new URL(testInfra.mongoServer);
    proxy = await FreezingProxy.start({ host: server.hostname, port: Number(server.port || 27017) });
    // The same server's credentials, if the test server has them; only the address goes through the proxy.
    const credentials = server.username ? `${server.username}:${server.password}@` : '';
    const uri = `mongodb://${credentials}127.0.0.1:${proxy.port}/${database}?socketTimeoutMS=1000&connectTimeoutMS=1000`;
    connection = await mongoose.createConnection(uri, mongoConnectOptions(uri)).asPromise();
    direct = await mongoose
      .createConnection(mongoUriFor(database), mongoConnectOptions(mongoUriFor(database)))
      .asPromise();
  });

  afterEach(() => proxy.thaw());

  afterAll(async () => {
    await direct.dropDatabase();
    await Promise.all([connection.close(true), direct.close()]);
    await proxy.close();
  });

  it('fails a read with a timeout, and reads again once the server answers', async () => {
    const docs = connection.collection('docs');
    await docs.insertOne({ _id: 'a' as never, x: 1 });
    proxy.freeze();
    await expect(docs.findOne({ _id: 'a' as never })).rejects.toThrow(/timed out/i);
    proxy.thaw();
    await expect(docs.findOne({ _id: 'a' as never })).resolves.toMatchObject({ x: 1 });
  });

  it("answers an API caller's read as unavailable when the socket times out, and within its own bound when the connection waits longer", async () => {
    const docs = connection.collection('docs');
    await docs.insertOne({ _id: 'b' as never, x: 2 });
    const server = new URL(testInfra.mongoServer);
    const credentials = server.username ? `${server.username}:${server.password}@` : '';
    // As rule-optimizer connects: round trips may take 30 minutes (its scans).
    const scanUri = `mongodb://${credentials}127.0.0.1:${proxy.port}/${database}?connectTimeoutMS=1000`;
    const scanning = await mongoose
      .createConnection(scanUri, mongoConnectOptions(scanUri, SCAN_MONGO_SOCKET_TIMEOUT_MS))
      .asPromise();
    try {
      await scanning.collection('docs').findOne({ _id: 'b' as never });
      proxy.freeze();
      await expect(storeRead('docs', () => docs.findOne({ _id: 'b' as never }))).rejects.toMatchObject({
        code: 'unavailable',
        message: expect.stringMatching(/^the record store \(MongoDB\) is unavailable, reading docs: .*timed out/),
      });
      const started = Date.now();
      await expect(
        storeRead('reports', () => scanning.collection('docs').findOne({ _id: 'b' as never }), 500),
      ).rejects.toMatchObject({
        code: 'unavailable',
        message: 'the record store (MongoDB) is unavailable, reading reports: MongoDB did not answer within 0.5 s',
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      proxy.thaw();
      await expect(storeRead('docs', () => docs.findOne({ _id: 'b' as never }), 10_000)).resolves.toMatchObject({
        x: 2,
      });
    } finally {
      proxy.thaw();
      await scanning.close(true);
    }
  });

  // The rollup writer's increments are not idempotent: a write that timed out may still be applied (the
  // server took it, the answer was lost), and a plain retry would count it twice. The hour's row is written
  // before the day's, so the late case has the hour's row taken and the day's not sent.
  describe.each([
    ['applies late (the server took it after the timeout)', false, 1],
    ['is lost (the network dropped it)', true, 0],
  ])('a rollup write that times out and %s', (_what, dropHeld, takenBefore) => {
    it('is retried and counted exactly once', async () => {
      const prefix = uniqueName('t');
      const rollups = new RollupRepository(connection, { flushIntervalMs: 60_000 });
      await rollups.ensureIndexes();
      const dims = {
        hour: Date.UTC(2026, 10, 30, 12),
        tenant: prefix,
        model: 'm',
        rule: 'r',
        method: 'rule',
        arm: 'none',
      };
      const one = { ...emptyCounts(), requests: 1, succeeded: 1, costUsd: 0.5 };
      await rollups.add(dims, one);
      await rollups.flush();
      proxy.freeze();
      await rollups.add(dims, one);
      await rollups.add(dims, one);
      await expect(rollups.flush()).rejects.toThrow(/timed out/i);
      expect(rollups.backlog).toBe(2); // the hour's row and the day's, held for the next try
      proxy.thaw({ dropHeld });
      if (!dropHeld)
        // The late write lands before the retry is sent (else the retry would apply and the late one not).
        await waitFor('the late write', async () => {
          const row = await direct.collection('rollups').findOne({ tenant: prefix });
          return row?.['requests'] === 3 ? true : undefined;
        });
      await rollups.add(dims, one); // arrives between the failure and the retry
      await rollups.flush();
      expect(rollups.backlog).toBe(0);
      await rollups.close();
      // Read past the proxy: what the server holds.
      for (const collection of ['rollups', 'rollups_daily']) {
        const stored = await direct.collection(collection).find({ tenant: prefix }).toArray();
        expect(stored.map((d) => [d['requests'], d['costUsd']])).toEqual([[4, 2]]);
      }
      // The late case did happen: a row had taken the write its retry carried.
      expect(rollups.retriesAlreadyTaken).toBe(takenBefore);
    });
  });
});
