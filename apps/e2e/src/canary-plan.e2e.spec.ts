import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChatSuccess, SUBJECTS } from '@switchyard/contracts';
import { uniqueName } from '@switchyard/testing';
import { authHeaders, e2eStack, useStack } from './stack';

// decision-engine runs a canary whose candidate routes to a model only the candidate declares, at its own
// prices; provider-adapters holds the control policy alone and has never seen that model. The decided plan
// carries the model's spec, so the request is answered by it, at the candidate's prices.
const dir = mkdtempSync(join(tmpdir(), 'canary-plan-e2e-'));
const control = `version: canary-plan-control@1
models:
  - { id: old-model, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 1, output: 2 } }
default: { route: { model: old-model } }
`;
writeFileSync(join(dir, 'control.yaml'), control);
writeFileSync(join(dir, 'with-canary.yaml'), `${control}canary: { percent: 100, policy: candidate.yaml }\n`);
writeFileSync(
  join(dir, 'candidate.yaml'),
  `version: canary-plan-candidate@1
models:
  - { id: candidate-only, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 100, output: 300 } }
default: { route: { model: candidate-only } }
`,
);

describe("a canary candidate's model that only decision-engine knows", () => {
  const stack = e2eStack(uniqueName('canary-plan'), {
    env: { POLICY_FILE: join(dir, 'control.yaml'), POLICY_WATCH: 'false' },
    serviceEnv: { 'decision-engine': { POLICY_FILE: join(dir, 'with-canary.yaml') } },
  });
  const nc = useStack(stack);

  it("is answered by that model at the candidate's prices", async () => {
    const msg = await nc().request(
      SUBJECTS.request,
      JSON.stringify({ messages: [{ role: 'user', content: 'Which arm am I in?' }] }),
      { timeout: 15_000, headers: authHeaders() },
    );
    const reply = msg.json<ChatSuccess>();
    expect(reply).toMatchObject({
      ok: true,
      model: 'candidate-only',
      decision: { canaryArm: 'candidate', policyVersion: 'canary-plan-candidate@1' },
    });
    expect(reply.costUsd).toBeCloseTo((reply.usage.inputTokens * 100 + reply.usage.outputTokens * 300) / 1e6, 12);
  });
});
