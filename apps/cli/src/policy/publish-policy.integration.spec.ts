import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { type PolicyUpdated } from '@switchyard/contracts';
import { mongoUriFor, testInfra, uniqueName } from '@switchyard/testing';
import mongoose from 'mongoose';
import { runPublishPolicy } from './publish-policy.command';

// Real NATS and MongoDB-wire server, on a stream, subject and database of this test's own.
describe(runPublishPolicy.name, () => {
  const prefix = uniqueName('publish');
  const updates = { stream: prefix.toUpperCase(), subject: `${prefix}.policy.updated` };
  const mongoUri = mongoUriFor(prefix);
  const dir = mkdtempSync(join(tmpdir(), 'publish-'));
  const write = (name: string, version: string, model = 'm1') => {
    const file = join(dir, name);
    writeFileSync(
      file,
      `version: ${version}\nmodels:\n  - { id: ${model}, provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }\ndefault: { route: { model: ${model} } }\n`,
    );
    return file;
  };
  let stdout: jest.SpyInstance;

  beforeAll(() => {
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });

  afterAll(async () => {
    stdout.mockRestore();
    const nc = await connect({ servers: testInfra.natsUrl });
    await (await jetstreamManager(nc)).streams.delete(updates.stream).catch(() => undefined);
    await nc.close();
    const db = await mongoose.createConnection(mongoUri, { serverMonitoringMode: 'poll' }).asPromise();
    await db.dropDatabase();
    await db.close();
  });

  it('stores the version in MongoDB and publishes the whole document', async () => {
    const file = write('a.yaml', 'pub@1');
    expect(await runPublishPolicy({ file, nats: { servers: testInfra.natsUrl }, mongoUri, updates })).toBe(0);
    const nc = await connect({ servers: testInfra.natsUrl });
    const last = await (
      await jetstreamManager(nc)
    ).streams.getMessage(updates.stream, { last_by_subj: updates.subject });
    await nc.close();
    const event = last!.json<PolicyUpdated>();
    expect(event).toMatchObject({ version: 'pub@1', yaml: expect.stringContaining('version: pub@1') });
    const db = await mongoose.createConnection(mongoUri, { serverMonitoringMode: 'poll' }).asPromise();
    expect(await db.collection('policies').countDocuments({ version: 'pub@1' })).toBe(1);
    await db.close();
  });

  it('refuses a version already published with other content, and an invalid file', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(
      await runPublishPolicy({
        file: write('b.yaml', 'pub@1', 'other'),
        nats: { servers: testInfra.natsUrl },
        mongoUri,
        updates,
      }),
    ).toBe(1);
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('already published with other content'));
    stderr.mockRestore();
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: x\nmodels: []\ndefault: { route: { model: a } }\n');
    await expect(
      runPublishPolicy({ file: bad, nats: { servers: testInfra.natsUrl }, mongoUri, updates }),
    ).rejects.toThrow(/models/);
  });
});
