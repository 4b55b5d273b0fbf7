import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type ChatReply, type ChatSuccess, SUBJECTS } from '@switchyard/contracts';
import { SERVICE_NAMES, type ServiceName, findWorkspaceRoot } from '@switchyard/launcher';
import { type ExpositionFamily, METRICS, parseExposition, sumOf } from '@switchyard/observability';
import { TemporaryNats, uniqueName, waitFor } from '@switchyard/testing';
import { ADMIN_KEY, POLICY_FILE, TENANT_KEYS, authHeaders, e2eStack, natsUsersOf } from './stack';

// GET /metrics on each of the six services: Prometheus text that parses, and counts that move by exactly what
// was sent through both doors (requests, decisions, provider calls, cost and tokens, records stored, an
// optimizer job), with the gauges sampled on scrape (quota and budget left, consumer lag, the job queue).
// On a NATS server of its own, each service as its user of deploy/k8s/nats/nats-server.conf: no other test's
// stack shares its queue groups (which would move the counts), and the consumer's info is read under the
// feedback-aggregator's own permissions.
// The seed policy, with a daily quota on gpt-4o-mini and a budget for acme, so their gauges have something to say.
const policyFile = join(mkdtempSync(join(tmpdir(), 'metrics-e2e-')), 'policy.yaml');
writeFileSync(
  policyFile,
  `${readFileSync(POLICY_FILE, 'utf8')}\nquotas:\n  models: { gpt-4o-mini: 1000 }\n  tenants: { acme: 5 }\n`,
);

type Scrape = Map<string, ExpositionFamily>;

describe('metrics of the six services', () => {
  const nats = new TemporaryNats(join(findWorkspaceRoot(__dirname), 'deploy', 'k8s', 'nats', 'nats-server.conf'));
  const durable = uniqueName('e2e-metrics-records');
  let stack: ReturnType<typeof e2eStack>;
  let tenant: NatsConnection;

  beforeAll(async () => {
    await nats.start();
    stack = e2eStack(uniqueName('metrics'), {
      env: { NATS_URL: nats.url, POLICY_FILE: policyFile, POLICY_WATCH: 'false', DURABLE_NAME: durable },
      serviceEnv: natsUsersOf(nats),
    });
    await stack.start();
    tenant = await connect({ servers: nats.url, user: 'demo', pass: nats.passwords.demo });
  }, 120_000);

  afterAll(async () => {
    await tenant?.close();
    await stack?.stop();
    await nats.stop();
  }, 60_000);

  const scrape = async (service: ServiceName): Promise<Scrape> => {
    const res = await fetch(`${stack.get(service).baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await res.text());
  };
  const scrapeAll = async () =>
    Object.fromEntries(await Promise.all(SERVICE_NAMES.map(async (s) => [s, await scrape(s)] as const))) as Record<
      ServiceName,
      Scrape
    >;
  const count = (metric: { name: string }) => `${metric.name}_count`;

  it('serves the text format on every service, with the process metrics of each process', async () => {
    const all = await scrapeAll();
    for (const service of SERVICE_NAMES) {
      expect({ service, cpu: all[service].has('process_cpu_user_seconds_total') }).toEqual({ service, cpu: true });
      expect(sumOf(all[service], METRICS.sampleFailures.name)).toBe(0);
    }
  });

  it('counts requests, decisions, provider calls, spend and records by exactly what was sent', async () => {
    const before = await scrapeAll();
    const ingress = stack.get('ingress').baseUrl;
    const http = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${ingress}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TENANT_KEYS.acme}`, ...headers },
        body: JSON.stringify(body),
      });
    const ask = async (body: unknown): Promise<ChatReply> =>
      (
        await tenant.request(SUBJECTS.request, JSON.stringify(body), { timeout: 15_000, headers: authHeaders() })
      ).json();

    // 2 OpenAI-style and 1 Anthropic-style over HTTP, 3 over NATS: 6 answers, 3 by each of two models.
    const greeting = { model: 'auto', messages: [{ role: 'user', content: 'hello there' }] };
    const openai = await Promise.all([http('/v1/chat/completions', greeting), http('/v1/chat/completions', greeting)]);
    const anthropic = await http(
      '/v1/messages',
      { ...greeting, max_tokens: 100 },
      { 'anthropic-version': '2023-06-01' },
    );
    const overNats = await Promise.all(
      [1, 2, 3].map(() => ask({ messages: [{ role: 'user', content: 'Please implement a stack in Go' }] })),
    );
    // And two refused at the doors: a body that is not a request, bytes that are not JSON.
    const refused = await http('/v1/chat/completions', { messages: 'none' });
    const notJson = (
      await tenant.request(SUBJECTS.request, 'not json', { timeout: 15_000, headers: authHeaders() })
    ).json<ChatReply>();

    expect(openai.map((r) => r.status)).toEqual([200, 200]);
    expect(anthropic.status).toBe(200);
    expect(refused.status).toBe(400);
    expect(notJson).toMatchObject({ ok: false, error: { code: 'invalid_json' } });
    const openaiBodies = (await Promise.all(openai.map((r) => r.json()))) as Array<{
      model: string;
      usage: { prompt_tokens: number; completion_tokens: number };
      switchyard: { costUsd: number };
    }>;
    const anthropicBody = (await anthropic.json()) as {
      model: string;
      usage: { input_tokens: number; output_tokens: number };
      switchyard: { costUsd: number };
    };
    const natsReplies = overNats.map((r) => {
      expect(r).toMatchObject({ ok: true, model: 'claude-3-sonnet', decision: { rule: 'code_generation' } });
      return r as ChatSuccess;
    });
    expect([...openaiBodies.map((b) => b.model), anthropicBody.model]).toEqual(Array(3).fill('gpt-4o-mini'));
    const paid = {
      costUsd:
        [...openaiBodies, anthropicBody].reduce((s, b) => s + b.switchyard.costUsd, 0) +
        natsReplies.reduce((s, r) => s + r.costUsd, 0),
      input:
        openaiBodies.reduce((s, b) => s + b.usage.prompt_tokens, 0) +
        anthropicBody.usage.input_tokens +
        natsReplies.reduce((s, r) => s + r.usage.inputTokens, 0),
      output:
        openaiBodies.reduce((s, b) => s + b.usage.completion_tokens, 0) +
        anthropicBody.usage.output_tokens +
        natsReplies.reduce((s, r) => s + r.usage.outputTokens, 0),
    };
    expect(paid.costUsd).toBeGreaterThan(0);

    // Records arrive through JetStream after the answers: wait for the six, then scrape everything once more.
    const stored = { kind: 'completion', result: 'created' };
    await waitFor(
      'six records stored',
      async () =>
        sumOf(await scrape('feedback-aggregator'), METRICS.recordsStored.name, stored) -
          sumOf(before['feedback-aggregator'], METRICS.recordsStored.name, stored) ===
        6
          ? true
          : undefined,
      10_000,
      100,
    );
    const after = await scrapeAll();
    const moved = (service: ServiceName, name: string, labels: Record<string, string> = {}) =>
      sumOf(after[service], name, labels) - sumOf(before[service], name, labels);

    // ingress: each door, model, method and rule; the refusals by their code.
    const greeted = { model: 'gpt-4o-mini', method: 'rule', rule: 'greeting', canary_arm: 'none', outcome: 'ok' };
    expect(moved('ingress', METRICS.requests.name)).toBe(8);
    expect(moved('ingress', METRICS.requests.name, { door: 'http-openai', ...greeted })).toBe(2);
    expect(moved('ingress', METRICS.requests.name, { door: 'http-anthropic', ...greeted })).toBe(1);
    expect(
      moved('ingress', METRICS.requests.name, {
        door: 'nats',
        model: 'claude-3-sonnet',
        rule: 'code_generation',
        outcome: 'ok',
      }),
    ).toBe(3);
    expect(
      moved('ingress', METRICS.requests.name, { door: 'http-openai', model: 'none', outcome: 'invalid_request' }),
    ).toBe(1);
    expect(moved('ingress', METRICS.requests.name, { door: 'nats', outcome: 'invalid_json' })).toBe(1);
    expect(moved('ingress', count(METRICS.requestDuration), { outcome: 'ok' })).toBe(6);

    // decision-engine: the six that got past the doors, decided by rule.
    expect(moved('decision-engine', count(METRICS.decisionDuration))).toBe(6);
    expect(moved('decision-engine', count(METRICS.decisionDuration), { method: 'rule', outcome: 'ok' })).toBe(6);

    // provider-adapters: one try each, priced as the answers say.
    const calls = count(METRICS.providerCallDuration);
    expect(moved('provider-adapters', calls, { provider: 'simulated', model: 'gpt-4o-mini', outcome: 'ok' })).toBe(3);
    expect(moved('provider-adapters', calls, { provider: 'simulated', model: 'claude-3-sonnet', outcome: 'ok' })).toBe(
      3,
    );
    expect(moved('provider-adapters', METRICS.providerErrors.name)).toBe(0);
    expect(moved('provider-adapters', METRICS.cost.name, { tenant: 'acme' })).toBeCloseTo(paid.costUsd, 9);
    expect(moved('provider-adapters', METRICS.tokens.name, { direction: 'input' })).toBe(paid.input);
    expect(moved('provider-adapters', METRICS.tokens.name, { direction: 'output' })).toBe(paid.output);

    // The gauges read on scrape: this run's own quota counters (a prefix of its own) and acme's budget, once
    // provider-adapters has settled what the answers cost (it does so after replying).
    expect(sumOf(after['decision-engine'], METRICS.modelQuotaRemaining.name, { model: 'gpt-4o-mini' })).toBe(997);
    expect(sumOf(after['decision-engine'], METRICS.modelQuotaDaily.name, { model: 'gpt-4o-mini' })).toBe(1000);
    await waitFor(
      "acme's budget settled",
      async () => {
        const left = sumOf(await scrape('decision-engine'), METRICS.tenantBudgetRemaining.name, { tenant: 'acme' });
        return Math.abs(left - (5 - paid.costUsd)) < 1e-9 ? left : undefined;
      },
      5000,
      100,
    );

    // feedback-aggregator: the consumer has taken and acked everything.
    const consumer = { stream: 'ROUTER_EVENTS', consumer: durable };
    await waitFor(
      'the records consumer caught up',
      async () => {
        const s = await scrape('feedback-aggregator');
        const family = s.get(METRICS.consumerPending.name);
        return family?.samples.length === 1 &&
          sumOf(s, METRICS.consumerPending.name, consumer) === 0 &&
          sumOf(s, METRICS.consumerAckPending.name, consumer) === 0
          ? true
          : undefined;
      },
      5000,
      100,
    );
    for (const service of SERVICE_NAMES)
      expect({ service, failures: moved(service, METRICS.sampleFailures.name) }).toEqual({ service, failures: 0 });
  });

  it('counts an on-demand optimizer run as a completed job, with the queue sampled on scrape', async () => {
    const before = await scrape('rule-optimizer');
    const done = { job: 'optimize', outcome: 'completed' };
    const res = await fetch(`${stack.get('rule-optimizer').baseUrl}/v1/optimizer/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY.value}`, 'content-type': 'application/json' },
      body: JSON.stringify({ days: 1 }),
    });
    expect(res.status).toBe(202);
    const after = await waitFor(
      'the optimizer run completed',
      async () => {
        const s = await scrape('rule-optimizer');
        return sumOf(s, METRICS.optimizerJobs.name, done) - sumOf(before, METRICS.optimizerJobs.name, done) === 1
          ? s
          : undefined;
      },
      10_000,
      100,
    );
    expect(sumOf(after, METRICS.optimizerJobs.name, { outcome: 'failed' })).toBe(0);
    expect(sumOf(after, count(METRICS.optimizerJobDuration), { job: 'optimize' })).toBe(
      sumOf(before, count(METRICS.optimizerJobDuration), { job: 'optimize' }) + 1,
    );
    expect(
      after
        .get(METRICS.optimizerQueueJobs.name)
        ?.samples.map((s) => s.labels['state'])
        .sort(),
    ).toEqual(['active', 'delayed', 'failed', 'waiting']);
  });
});
