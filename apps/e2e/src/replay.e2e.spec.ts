import { join } from 'node:path';
import { type ChatSuccess, SUBJECTS } from '@switchyard/contracts';
import { loadDataset } from '@switchyard/datasets';
import { findWorkspaceRoot } from '@switchyard/launcher';
import { uniqueName } from '@switchyard/testing';
import { authHeaders, e2eStack, useStack } from './stack';

// The whole system on real data: the MMLU-Pro sample replayed, every answer at the recorded cost.
const root = findWorkspaceRoot(__dirname);
const dataset = join(root, 'datasets', 'sample', 'mmlu-pro-sample.jsonl');

describe('replaying recorded outcomes through the six services', () => {
  const stack = e2eStack(uniqueName('replay'), {
    env: { POLICY_FILE: join(root, 'policies', 'mmlu-pro-replay.yaml'), REPLAY_DATASET: dataset },
  });
  const nc = useStack(stack);

  it('answers each sample prompt with the chosen model recorded answer and cost', async () => {
    const rows = loadDataset(dataset).slice(0, 30);
    const replies = await Promise.all(
      rows.map(async (row) =>
        (
          await nc().request(SUBJECTS.request, JSON.stringify({ messages: [{ role: 'user', content: row.prompt }] }), {
            timeout: 15_000,
            headers: authHeaders(),
          })
        ).json<ChatSuccess>(),
      ),
    );
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
});
