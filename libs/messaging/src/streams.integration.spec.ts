import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { ConfigError } from '@switchyard/runtime';
import { testInfra, uniqueName } from '@switchyard/testing';
import { ensureStream, loadStreamSettings, streamConfig } from './streams';

const DAY_NS = 24 * 3600 * 1e9;

describe('stream settings', () => {
  describe(loadStreamSettings.name, () => {
    it('defaults to one replica and no size limit when nothing is set', () => {
      expect(loadStreamSettings({})).toEqual({ replicas: 1, maxBytes: -1 });
    });

    it('reads replicas, size and age from STREAM_* variables', () => {
      expect(
        loadStreamSettings({ STREAM_REPLICAS: '3', STREAM_MAX_BYTES: '1073741824', STREAM_MAX_AGE_SECONDS: '86400' }),
      ).toEqual({ replicas: 3, maxBytes: 1073741824, maxAgeMs: 86_400_000 });
    });

    it('names the variable when a value cannot be used', () => {
      expect(() => loadStreamSettings({ STREAM_REPLICAS: '0' })).toThrow(ConfigError);
      expect(() => loadStreamSettings({ STREAM_MAX_BYTES: '0' })).toThrow(/STREAM_MAX_BYTES="0"/);
    });
  });

  describe(streamConfig.name, () => {
    const spec = { name: 'S', subjects: ['s.a'], duplicateWindowMs: 1000 };

    it('sets replicas and the size limit of the deployment, one replica and no limit by default', () => {
      expect(streamConfig(spec, { replicas: 3, maxBytes: 1024 })).toMatchObject({ num_replicas: 3, max_bytes: 1024 });
      expect(streamConfig(spec)).toMatchObject({ num_replicas: 1, max_bytes: -1 });
    });

    it('overrides a limited age but never shortens a stream kept forever', () => {
      const settings = { replicas: 1, maxBytes: -1, maxAgeMs: 86_400_000 };
      expect(streamConfig(spec, settings).max_age).toBe(DAY_NS);
      expect(streamConfig({ ...spec, maxAgeMs: 0 }, settings).max_age).toBe(0);
      expect(streamConfig(spec).max_age).toBe(7 * DAY_NS);
    });
  });

  // Against the real local NATS (one server: replicas stay 1), on a stream of its own.
  describe(ensureStream.name, () => {
    let nc: NatsConnection;
    let jsm: JetStreamManager;
    const name = uniqueName('streamsettings').toUpperCase();
    const spec = { name, subjects: [`${name.toLowerCase()}.x`], duplicateWindowMs: 60_000 };

    beforeAll(async () => {
      nc = await connect({ servers: testInfra.natsUrl });
      jsm = await jetstreamManager(nc);
    });
    afterAll(async () => {
      for (const stream of [name, `${name}_R3`]) await jsm.streams.delete(stream).catch(() => undefined);
      await nc.close();
    });

    it('applies changed limits to an existing stream, and leaves them alone when called without settings', async () => {
      await ensureStream(jsm, spec, { replicas: 1, maxBytes: -1 });
      await ensureStream(jsm, spec, { replicas: 1, maxBytes: 1 << 20, maxAgeMs: 3_600_000 });
      const limited = (await jsm.streams.info(name)).config;
      expect(limited).toMatchObject({ max_bytes: 1 << 20, max_age: 3600 * 1e9 });

      await ensureStream(jsm, spec);
      expect((await jsm.streams.info(name)).config).toMatchObject({ max_bytes: 1 << 20, num_replicas: 1 });
    });

    it('fails, naming replicas, when a single server is asked to create a stream at R3', async () => {
      const r3 = { ...spec, name: `${name}_R3`, subjects: [`${name.toLowerCase()}.r3`] };
      await expect(ensureStream(jsm, r3, { replicas: 3, maxBytes: -1 })).rejects.toThrow(/replicas > 1/);
    });
  });
});
