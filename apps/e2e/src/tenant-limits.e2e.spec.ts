import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChatReply, SUBJECTS } from '@switchyard/contracts';
import { uniqueName } from '@switchyard/testing';
import { TENANT_KEYS, authHeaders, e2eStack, useStack } from './stack';

// Per-tenant limits through the six services, two decision-engine replicas, everything at once: the
// budget is held before each call and settled after (acme), the request rate is counted atomically (beta).
const PRICE = { input: 1000, output: 1000 }; // $ per million tokens: a request of ~60 tokens costs ~$0.06
const BUDGET_USD = 1;
const policyFile = join(mkdtempSync(join(tmpdir(), 'limits-e2e-')), 'policy.yaml');
writeFileSync(
  policyFile,
  `version: limits-e2e@1
models:
  - { id: pricey, provider: simulated, tier: t, priceUsdPerMTok: { input: ${PRICE.input}, output: ${PRICE.output} } }
quotas:
  tenants: { acme: ${BUDGET_USD} }
  rates: { beta: { requestsPerMinute: 50 } }
  onStoreDown: closed
default: { route: { model: pricey }, params: { maxTokens: 40 } }
`,
);

describe('tenant budgets and rates across two decision-engine replicas', () => {
  const stack = e2eStack(uniqueName('limits'), {
    env: { POLICY_FILE: policyFile },
    replicas: { 'decision-engine': 2 },
  });
  const nc = useStack(stack);

  const ask = async (tenant: 'acme' | 'beta', i: number) =>
    (
      await nc().request(
        SUBJECTS.request,
        JSON.stringify({ messages: [{ role: 'user', content: `question number ${i}, answer briefly please` }] }),
        { timeout: 30_000, headers: authHeaders(tenant) },
      )
    ).json<ChatReply>();

  it('never spends past the daily budget, however many requests arrive at once', async () => {
    const replies = await Promise.all(Array.from({ length: 300 }, (_, i) => ask('acme', i)));
    const answered = replies.flatMap((r) => (r.ok ? [r] : []));
    const spent = answered.reduce((sum, r) => sum + r.costUsd, 0);
    const refused = replies.filter((r) => !r.ok);
    console.log(
      `budget $${BUDGET_USD}: ${answered.length} of ${replies.length} answered for $${spent.toFixed(4)}, ${refused.length} refused`,
    );
    expect(spent).toBeLessThanOrEqual(BUDGET_USD);
    expect(answered.length).toBeGreaterThan(5);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused)
      expect(r).toMatchObject({
        ok: false,
        error: { code: 'all_quotas_exhausted', message: expect.stringMatching(/over the tenant budget/) },
      });
  });

  it('lets exactly the per-minute request limit through, and answers the rest 429 with Retry-After', async () => {
    const replies = await Promise.all(Array.from({ length: 120 }, (_, i) => ask('beta', i)));
    const limited = replies.filter((r) => !r.ok);
    expect(replies.filter((r) => r.ok)).toHaveLength(50);
    for (const r of limited) expect(r).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    const res = await fetch(`${stack.get('ingress').baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TENANT_KEYS.beta}` },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'one more' }] }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    console.log(`rate 50/min: ${replies.length - limited.length} answered, ${limited.length} rate_limited`);
  });
});
