import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChatReply, SUBJECTS } from '@switchyard/contracts';
import { uniqueName } from '@switchyard/testing';
import { authHeaders, e2eStack, useStack } from './stack';

// One model with a daily quota of 100 and nothing to fall back to, two decision-engine replicas, and
// 2,000 requests at once: exactly 100 may be answered, every other one must be a clear refusal.
const policyFile = join(mkdtempSync(join(tmpdir(), 'quota-e2e-')), 'policy.yaml');
writeFileSync(
  policyFile,
  `version: quota-e2e@1
models:
  - { id: only-model, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 1, output: 2 } }
quotas: { models: { only-model: 100 }, onStoreDown: closed }
default: { route: { model: only-model } }
`,
);

describe('quotas across two decision-engine replicas', () => {
  const stack = e2eStack(uniqueName('quota'), {
    env: { POLICY_FILE: policyFile },
    replicas: { 'decision-engine': 2 },
  });
  const nc = useStack(stack);

  it('grants exactly 100 of 2,000 concurrent requests and refuses the rest with all_quotas_exhausted', async () => {
    const replies = await Promise.all(
      Array.from({ length: 2000 }, async (_, i) => {
        const msg = await nc().request(
          SUBJECTS.request,
          JSON.stringify({ messages: [{ role: 'user', content: `question ${i}` }] }),
          { timeout: 30_000, headers: authHeaders() },
        );
        return msg.json<ChatReply>();
      }),
    );
    const ok = replies.filter((r) => r.ok);
    const refused = replies.filter((r) => !r.ok);
    expect(ok).toHaveLength(100);
    expect(refused).toHaveLength(1900);
    for (const r of refused)
      expect(r).toMatchObject({
        ok: false,
        error: { code: 'all_quotas_exhausted', retryAfterSeconds: expect.any(Number) },
      });
    // Both replicas still running (a failure shows what the one that stopped said last).
    const stopped = stack.all('decision-engine').filter((p) => p.exitCode !== null);
    expect(stopped.map((p) => `${p.name} on ${p.port} exited with ${p.exitCode}:\n${p.logs()}`)).toEqual([]);
  });
});
