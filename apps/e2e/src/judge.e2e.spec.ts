import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { type ChatReply, type ChatSuccess, SUBJECTS } from '@switchyard/contracts';
import { findWorkspaceRoot } from '@switchyard/launcher';
import { METRICS, parseExposition, sumOf } from '@switchyard/observability';
import { MONGO_CONNECT_OPTIONS, type RoutingRecordEntity, RoutingRecordRepository } from '@switchyard/persistence';
import { FakeProviderServer, TemporaryNats, mongoUriFor, uniqueName, waitFor } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { authHeaders, e2eStack, natsUsersOf } from './stack';

// The policy's judge end to end: a policy with `judge: { model: grader, sampleRate: 1 }`, both models served by
// the fake provider over the OpenAI wire format (the grader answers its grading prompt with a grade), the six
// services under the committed NATS permissions on a nats-server of this test's own (no other stack shares its
// queue groups or its events stream). Every answer is graded after the caller has it; the grade reaches the
// record as its label (source judge, with the judge's cost) through JetStream and feedback-aggregator; the
// caller's reply is the one it would be without a judge, and never waits for it.
const REQUEST_TIMEOUT_MS = 6000;
const JUDGE_TIMEOUT_MS = 9000;

describe('the judge: answers graded off the reply path, the grades stored as record labels', () => {
  const root = findWorkspaceRoot(__dirname);
  const nats = new TemporaryNats(join(root, 'deploy', 'k8s', 'nats', 'nats-server.conf'));
  const fake = new FakeProviderServer();
  const database = uniqueName('judge');
  let stack: ReturnType<typeof e2eStack>;
  let tenant: NatsConnection;
  let db: Connection;
  let records: RoutingRecordRepository;

  beforeAll(async () => {
    await fake.start();
    // Imitates a judge model: a grade for the grading prompt (whose system message asks for "Grade: N"); no
    // clear grade for an answer to a vague question; no answer at all for a slow one. Other calls answer as
    // a chat model ("fake answer to small").
    fake.respond = (r) => {
      if (r.body['model'] !== 'grader') return undefined;
      const text = JSON.stringify(r.body['messages']);
      if (text.includes('something slow')) return { kind: 'hang' };
      if (text.includes('be vague')) return { kind: 'ok', content: 'Hard to say, it depends.' };
      if (text.includes('weak')) return { kind: 'ok', content: 'Grade: 3' };
      return { kind: 'ok', content: 'Grade: 8' };
    };
    const url = `${fake.baseUrl}/v1`;
    const policyFile = join(mkdtempSync(join(tmpdir(), 'judge-e2e-')), 'policy.yaml');
    writeFileSync(
      policyFile,
      [
        'version: judge-e2e@1',
        'models:',
        `  - { id: small, provider: openai-compatible, baseUrl: "${url}", tier: cheap, priceUsdPerMTok: { input: 0.5, output: 1.5 } }`,
        `  - { id: big, provider: openai-compatible, baseUrl: "${url}", tier: balanced, priceUsdPerMTok: { input: 3, output: 9 } }`,
        `  - { id: grader, provider: openai-compatible, baseUrl: "${url}", tier: premium, priceUsdPerMTok: { input: 10, output: 30 } }`,
        'rules:',
        // The seed's self-evaluation: the small model's answer stands only when the judge grades it 7 or more.
        '  - { name: careful, when: { keywordsAny: [careful] }, plan: { kind: cascade, models: [small, big], acceptGrade: 7 } }',
        'default: { route: { model: small } }',
        'judge: { model: grader, sampleRate: 1 }',
        '',
      ].join('\n'),
    );
    await nats.start();
    stack = e2eStack(database, {
      env: {
        NATS_URL: nats.url,
        POLICY_FILE: policyFile,
        POLICY_WATCH: 'false',
        POLICY_ALLOWED_HOSTS: new URL(fake.baseUrl).host,
        PROVIDER_MAX_ATTEMPTS: '1',
        REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        JUDGE_TIMEOUT_MS: String(JUDGE_TIMEOUT_MS),
      },
      serviceEnv: natsUsersOf(nats),
    });
    await stack.start();
    tenant = await connect({ servers: nats.url, user: 'demo', pass: nats.passwords.demo });
    db = await mongoose.createConnection(mongoUriFor(database), MONGO_CONNECT_OPTIONS).asPromise();
    records = new RoutingRecordRepository(db);
  }, 120_000);

  afterAll(async () => {
    await tenant?.close();
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
    await stack?.stop();
    await nats.stop();
    await fake.stop();
  }, 60_000);

  const ask = async (content: string, model = 'small'): Promise<ChatSuccess> => {
    const reply = (
      await tenant.request(SUBJECTS.request, JSON.stringify({ messages: [{ role: 'user', content }] }), {
        timeout: REQUEST_TIMEOUT_MS + 2000,
        headers: authHeaders(),
      })
    ).json<ChatReply>();
    expect(reply).toMatchObject({ ok: true, model });
    return reply as ChatSuccess;
  };
  const adapterMetrics = async () =>
    parseExposition(await (await fetch(`${stack.get('provider-adapters').baseUrl}/metrics`)).text());
  const grades = async (outcome: string) =>
    sumOf(await adapterMetrics(), METRICS.judgeGrades.name, { model: 'grader', outcome });
  const recordOf = (reply: ChatSuccess) => records.findByRequestId('acme', reply.requestId);

  it("labels each answer with the judge's grade and cost, leaves the caller's reply and cost as they were", async () => {
    const before = await adapterMetrics();
    const replies = await Promise.all(
      ['Why is the sky blue?', 'Explain DNS in two lines', 'What is a monad?'].map((q) => ask(q)),
    );
    const vague = await ask('Answer anything, but be vague');

    // The caller's reply: the answering model's answer and cost only.
    for (const reply of [...replies, vague]) {
      expect(reply.answer.content).toBe('fake answer to small');
      expect(reply.costUsd).toBeGreaterThan(0);
    }

    const labelled = await waitFor(
      'the three graded records labelled',
      async () => {
        const found = await Promise.all(replies.map(recordOf));
        return found.every((r) => r?.label !== undefined) ? (found as RoutingRecordEntity[]) : undefined;
      },
      15_000,
      100,
    );
    for (const [i, record] of labelled.entries()) {
      expect(record.label).toEqual({
        quality: 7 / 9,
        source: 'judge',
        at: expect.any(Date),
        judgeModel: 'grader',
        grade: 8,
        costUsd: expect.any(Number),
      });
      expect(record.label!.costUsd).toBeGreaterThan(0);
      // The record's own cost is the answer's, as the caller was told: the judge's is on the label.
      expect(record.costUsd).toBeCloseTo(replies[i].costUsd, 12);
      expect(record.model).toBe('small');
    }

    // The grader read each question and its answer.
    const graded = fake.requests.filter((r) => r.body['model'] === 'grader').map((r) => JSON.stringify(r.body));
    for (const q of ['Why is the sky blue?', 'Explain DNS in two lines', 'What is a monad?'])
      expect(graded.some((body) => body.includes(q) && body.includes('fake answer to small'))).toBe(true);

    // The vague one: the judge gave no clear grade, so it is counted and its record stays unlabelled.
    await waitFor(
      'the unparsable grade counted',
      async () => ((await grades('unparsable')) === 1 ? true : undefined),
      10_000,
      100,
    );
    expect((await recordOf(vague))?.label).toBeUndefined();

    // Metrics: three graded; the judge's calls in the cost metric like any paid call, as the labels say.
    const after = await adapterMetrics();
    const moved = (labels: Record<string, string>, name = METRICS.cost.name) =>
      sumOf(after, name, labels) - sumOf(before, name, labels);
    expect(moved({ model: 'grader', outcome: 'graded' }, METRICS.judgeGrades.name)).toBe(3);
    const labelCosts = labelled.reduce((sum, r) => sum + r.label!.costUsd!, 0);
    // Four gradings were paid for (three graded, one unparsable): at least what the three labels cost.
    expect(moved({ model: 'grader', tenant: 'acme' })).toBeGreaterThan(labelCosts);
    expect(moved({ model: 'small', tenant: 'acme' })).toBeCloseTo(
      [...replies, vague].reduce((sum, r) => sum + r.costUsd, 0),
      12,
    );
  });

  it("accepts a cascade's cheap answer only when the judge grades it high enough, the grading charged to the plan", async () => {
    const gradersBefore = fake.requests.filter((r) => r.body['model'] === 'grader').length;
    const strong = await ask('Be careful: why is the sky blue?');
    expect(strong).toMatchObject({
      model: 'small',
      decision: { rule: 'careful', plan: { kind: 'cascade', acceptGrade: 7 } },
      planOutcome: { kind: 'cascade', tried: ['small'], accepted: true, grades: [{ model: 'small', grade: 8 }] },
    });
    const weak = await ask('Be careful with this weak one', 'big');
    expect(weak).toMatchObject({
      model: 'big',
      answer: { content: 'fake answer to big' },
      planOutcome: { kind: 'cascade', tried: ['small', 'big'], accepted: true, grades: [{ model: 'small', grade: 3 }] },
    });

    // The cascade's grade of the answer the caller got is its label (no second grading); the escalated answer
    // is graded after the reply like any other (sampleRate 1).
    const [strongRecord, weakRecord] = await waitFor(
      'both records labelled',
      async () => {
        const found = await Promise.all([recordOf(strong), recordOf(weak)]);
        return found.every((r) => r?.label !== undefined) ? (found as RoutingRecordEntity[]) : undefined;
      },
      15_000,
      100,
    );
    expect(strongRecord.label).toMatchObject({ source: 'judge', grade: 8, judgeModel: 'grader' });
    expect(weakRecord.label).toMatchObject({ source: 'judge', grade: 3 });
    const graders = fake.requests.filter((r) => r.body['model'] === 'grader').length - gradersBefore;
    expect(graders).toBe(3);

    // The plan's cost is its answers' and its gradings': what the caller was told, what the record keeps.
    expect(strong.costUsd).toBeCloseTo(strongRecord.costUsd!, 12);
    expect(strong.costUsd).toBeCloseTo(
      strong.usage.inputTokens * 0.5e-6 + strong.usage.outputTokens * 1.5e-6 + strongRecord.label!.costUsd!,
      12,
    );
    expect(weak.costUsd).toBeGreaterThan(weakRecord.label!.costUsd!);
  });

  it('answers the caller without waiting for its judge, even one that never answers (counted as timeout)', async () => {
    // The judge of this answer hangs past the caller's whole time limit: the caller has its answer regardless.
    // (Last: a judge that failed every try cools down, as after any call, and grades nothing for a while.)
    const reply = await ask('Tell me something slow');
    expect(reply.answer.content).toBe('fake answer to small');
    await waitFor(
      'the judge asked to grade it',
      () =>
        fake.requests.some((r) => r.body['model'] === 'grader' && JSON.stringify(r.body).includes('something slow'))
          ? true
          : undefined,
      5000,
      50,
    );
    await waitFor(
      'the grading timed out',
      async () => ((await grades('timeout')) === 1 ? true : undefined),
      20_000,
      200,
    );
    const record = await waitFor('its record', async () => (await recordOf(reply)) ?? undefined, 5000, 100);
    expect(record.label).toBeUndefined();
  });
});
