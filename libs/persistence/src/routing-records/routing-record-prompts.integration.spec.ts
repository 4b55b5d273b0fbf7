import type { CompletionSucceeded } from '@switchyard/contracts';
import { mongoUriFor, uniqueName } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { MONGO_CONNECT_OPTIONS } from '../persistence.module';
import { RoutingRecordRepository } from './routing-record.repository';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 21, 3, 0);

// The routed text's privacy settings against the real MongoDB-wire server (FerretDB here, which has no TTL
// indexes): not written at all (RECORD_PROMPTS=none), or removed after the retention period.
describe(`${RoutingRecordRepository.name}: the routed text`, () => {
  let connection: Connection;
  let sut: RoutingRecordRepository;

  beforeAll(async () => {
    connection = await mongoose.createConnection(mongoUriFor(uniqueName('prompts')), MONGO_CONNECT_OPTIONS).asPromise();
    sut = new RoutingRecordRepository(connection);
    await sut.ensureIndexes();
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  const completion = (requestId: string, daysAgo: number, context?: string): CompletionSucceeded => ({
    requestId,
    tenant: 'acme',
    receivedAt: NOW - daysAgo * DAY - 50,
    completedAt: NOW - daysAgo * DAY,
    prompt: `the private question of ${requestId}`,
    ...(context === undefined ? {} : { context }),
    attempts: [{ model: 'm1', provider: 'simulated', ok: true, latencyMs: 3 }],
    model: 'm1',
    provider: 'simulated',
    answer: 'hi',
    finishReason: 'stop',
    usage: { inputTokens: 5, outputTokens: 2, estimated: false },
    costUsd: 0.001,
    latency: { totalMs: 50, routingMs: 1, providerMs: 45 },
  });

  describe('upsertCompletion', () => {
    it('writes no text with keepPrompt false, and everything else as usual', async () => {
      expect(await sut.upsertCompletion(completion('none-1', 1), { keepPrompt: false })).toMatchObject({
        created: true,
      });
      const stored = await sut.findByRequestId('acme', 'none-1');
      expect(stored).toMatchObject({ requestId: 'none-1', status: 'succeeded', model: 'm1', costUsd: 0.001 });
      expect(stored).not.toHaveProperty('prompt');
      expect(await connection.collection('routing_records').countDocuments({ prompt: { $exists: true } })).toBe(0);
      await sut.upsertCompletion(completion('full-1', 1));
      expect(await sut.findByRequestId('acme', 'full-1')).toMatchObject({ prompt: 'the private question of full-1' });
    });

    it('keeps the conversation before the text with it, and drops both with keepPrompt false', async () => {
      const context = 'You are terse.\nWhat is DNS?';
      await sut.upsertCompletion(completion('context-full', 1, context));
      expect(await sut.findByRequestId('acme', 'context-full')).toMatchObject({
        prompt: 'the private question of context-full',
        context,
      });
      await sut.upsertCompletion(completion('context-none', 1, context), { keepPrompt: false });
      const dropped = await sut.findByRequestId('acme', 'context-none');
      expect(dropped).toMatchObject({ requestId: 'context-none', status: 'succeeded', model: 'm1' });
      expect(dropped).not.toHaveProperty('prompt');
      expect(dropped).not.toHaveProperty('context');
      // A first message has no context: the field is left out, not stored empty.
      expect(await sut.findByRequestId('acme', 'full-1')).not.toHaveProperty('context');
    });
  });

  describe('removePromptsBefore', () => {
    it('removes the text of the records completed before the cut only, keeps the rest of them, and counts', async () => {
      for (const [id, daysAgo] of [
        ['old-40', 40],
        ['old-31', 31],
        ['young-29', 29],
        ['young-0', 0],
      ] as const)
        await sut.upsertCompletion(completion(id, daysAgo, `what came before ${id}`));
      // Old, and without text from the start: nothing to remove, not counted.
      await sut.upsertCompletion(completion('old-none', 35), { keepPrompt: false });
      await sut.attachFeedback('acme', 'old-40', { feedbackId: 'f-1', success: true, submittedAt: new Date(NOW) });

      // What the learning loop reads of the labelled record while it has its text: the context with it.
      const read = async () => {
        const records = [];
        for await (const r of sut.learningSource({ from: NOW - 60 * DAY, to: NOW + 1 })) records.push(r);
        return records;
      };
      expect(await read()).toEqual([
        expect.objectContaining({ prompt: 'the private question of old-40', context: 'what came before old-40' }),
      ]);

      const cut = new Date(NOW - 30 * DAY);
      expect(await sut.removePromptsBefore(cut)).toBe(2);
      const old = await sut.findByRequestId('acme', 'old-40');
      expect(old).not.toHaveProperty('prompt');
      expect(old).not.toHaveProperty('context');
      expect(old).toMatchObject({ model: 'm1', costUsd: 0.001, feedback: { success: true } });
      expect(await sut.findByRequestId('acme', 'old-31')).not.toHaveProperty('prompt');
      expect(await sut.findByRequestId('acme', 'old-31')).not.toHaveProperty('context');
      expect(await sut.findByRequestId('acme', 'young-29')).toMatchObject({
        prompt: 'the private question of young-29',
        context: 'what came before young-29',
      });
      expect(await sut.findByRequestId('acme', 'young-0')).toHaveProperty('prompt');
      // A second run the same night finds nothing more.
      expect(await sut.removePromptsBefore(cut)).toBe(0);

      // What the learning loop reads of an old labelled record: still there, without its text.
      const learning = await read();
      expect(learning).toEqual([expect.not.objectContaining({ prompt: expect.anything() })]);
      expect(learning[0]).not.toHaveProperty('context');
      expect(learning[0]).toMatchObject({ model: 'm1', feedback: { success: true } });
    });
  });
});
