import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  type ChatReply,
  type ChatSuccess,
  EVENTS_STREAM,
  SUBJECTS,
  completionFailedSchema,
  completionSucceededSchema,
} from '@switchyard/contracts';
import { loadDataset } from '@switchyard/datasets';
import { findWorkspaceRoot } from '@switchyard/launcher';
import { MONGO_CONNECT_OPTIONS } from '@switchyard/persistence';
import { mongoUriFor, uniqueName, waitFor } from '@switchyard/testing';
import mongoose from 'mongoose';
import { authHeaders, e2eStack, useStack } from './stack';

// The whole system on real data: the MMLU-Pro sample replayed, every answer at the recorded cost. Every
// service runs with RECORD_PROMPTS=none, the setting that keeps a request's text off JetStream and out of
// the records: the answers are the same, and what is kept has no text.
const root = findWorkspaceRoot(__dirname);
const dataset = join(root, 'datasets', 'sample', 'mmlu-pro-sample.jsonl');

describe('replaying recorded outcomes through the six services', () => {
  const database = uniqueName('replay');
  const stack = e2eStack(database, {
    env: {
      POLICY_FILE: join(root, 'policies', 'mmlu-pro-replay.yaml'),
      REPLAY_DATASET: dataset,
      RECORD_PROMPTS: 'none',
    },
  });
  const nc = useStack(stack);
  const ask = async (request: object) =>
    (
      await nc().request(SUBJECTS.request, JSON.stringify(request), { timeout: 15_000, headers: authHeaders() })
    ).json<ChatReply>();

  it('answers each sample prompt with the chosen model recorded answer and cost', async () => {
    const rows = loadDataset(dataset).slice(0, 30);
    const replies = (await Promise.all(
      rows.map((row) => ask({ messages: [{ role: 'user', content: row.prompt }] })),
    )) as ChatSuccess[];
    replies.forEach((reply, i) => {
      expect(reply.ok).toBe(true);
      const recorded = rows[i].outcomes[reply.model];
      expect(recorded).toBeDefined();
      expect(reply.costUsd).toBe(recorded.cost_usd);
      if (recorded.pred) expect(reply.answer.content).toBe(`The answer is (${recorded.pred}).`);
      expect(reply.provider).toBe('replay');
    });
    // The difficulty bands spread real questions over more than one model.
    expect(new Set(replies.map((r) => r.model)).size).toBeGreaterThan(1);
  });

  it('keeps the text, its context and the answer off the events stream and out of the records', async () => {
    const secret = `account ${uniqueName('number')}`;
    const row = loadDataset(dataset)[0];
    const ids = { answered: uniqueName('private-ok'), refused: uniqueName('private-failed') };
    const answered = await ask({
      requestId: ids.answered,
      messages: [
        { role: 'system', content: `The customer's ${secret}.` },
        { role: 'user', content: row.prompt },
      ],
    });
    // No model of the replay policy sees images: decision-engine fails it, and publishes the failure.
    const refused = await ask({
      requestId: ids.refused,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', url: 'https://example.com/statement.png' },
            { type: 'text', text: `What is on my statement? (${secret})` },
          ],
        },
      ],
    });
    expect(answered).toMatchObject({ ok: true });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_request' } });

    // The last completion of each kind in the stream is this test's (this worker's NATS runs one spec at a time).
    const jsm = await jetstreamManager(nc());
    const lastOn = (subject: string, requestId: string) =>
      waitFor(
        `the completion of ${requestId} in ${EVENTS_STREAM.name}`,
        async () => {
          const m = await jsm.streams.getMessage(EVENTS_STREAM.name, { last_by_subj: subject }).catch(() => null);
          const data = m ? Buffer.from(m.data).toString('utf8') : '';
          return data.includes(requestId) ? data : undefined;
        },
        15_000,
        100,
      );
    const succeeded = await lastOn(SUBJECTS.completionSucceeded, ids.answered);
    const failed = await lastOn(SUBJECTS.completionFailed, ids.refused);
    const text = [secret, row.prompt.slice(0, 60), (answered as ChatSuccess).answer.content];
    for (const data of [succeeded, failed]) for (const t of text) expect(data).not.toContain(t);
    expect(completionSucceededSchema.parse(JSON.parse(succeeded))).toMatchObject({
      prompt: '',
      answer: '',
      textWithheld: true,
      model: (answered as ChatSuccess).model,
    });
    expect(completionFailedSchema.parse(JSON.parse(failed))).toMatchObject({
      prompt: '',
      textWithheld: true,
      stage: 'decision',
    });

    // Both are recorded, without their text.
    const db = await mongoose.createConnection(mongoUriFor(database), MONGO_CONNECT_OPTIONS).asPromise();
    try {
      const records = await waitFor(
        'both records',
        async () => {
          const found = await db
            .collection('routing_records')
            .find({ requestId: { $in: [ids.answered, ids.refused] } })
            .toArray();
          return found.length === 2 ? found : undefined;
        },
        15_000,
        200,
      );
      for (const record of records) {
        expect(record).not.toHaveProperty('prompt');
        expect(record).not.toHaveProperty('context');
        for (const t of text) expect(JSON.stringify(record)).not.toContain(t);
      }
    } finally {
      await db.close();
    }
  });
});
