import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceStack } from '@switchyard/launcher';
import { FakeProviderServer, mongoUriFor, uniqueName, waitFor } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import OpenAI from 'openai';
import { TENANT_KEYS, e2eStack } from './stack';

type WithSwitchyard = { switchyard: { requestId: string; replayed: boolean } };

/** The model's latency: longer than the client waits, so the SDK's first attempt times out and it retries. */
const MODEL_LATENCY_MS = 1500;
const CLIENT_TIMEOUT_MS = 1000;

// The official `openai` client with its default retries, against the six services whose one model is a fake
// OpenAI-compatible provider on this machine (so the provider's calls can be counted).
describe('OpenAI SDK retries against ingress', () => {
  const database = uniqueName('sdk-retry');
  const fake = new FakeProviderServer();
  let stack: ServiceStack;
  let db: Connection;
  let baseURL: string;

  beforeAll(async () => {
    await fake.start();
    const policyFile = join(mkdtempSync(join(tmpdir(), 'sdk-retry-')), 'policy.yaml');
    writeFileSync(
      policyFile,
      [
        'version: sdk-retry@1',
        'models:',
        `  - { id: fake-model, provider: openai-compatible, baseUrl: "${fake.baseUrl}/v1", tier: cheap, priceUsdPerMTok: { input: 1, output: 2 } }`,
        'default: { route: { model: fake-model } }',
        '',
      ].join('\n'),
    );
    stack = e2eStack(database, {
      env: {
        POLICY_FILE: policyFile,
        POLICY_ALLOWED_HOSTS: new URL(fake.baseUrl).host,
        // One call per plan: what the fake counts is what the SDK's retries caused.
        PROVIDER_MAX_ATTEMPTS: '1',
      },
    });
    await stack.start();
    baseURL = `${stack.get('ingress').baseUrl}/v1`;
    // A first request through the fresh stack, so the timings below are the model's, not start-up's.
    await new OpenAI({ baseURL, apiKey: TENANT_KEYS.acme, maxRetries: 0 }).chat.completions.create({
      model: 'auto',
      messages: [{ role: 'user', content: 'warm up' }],
    });
    db = await mongoose.createConnection(mongoUriFor(database), { serverMonitoringMode: 'poll' }).asPromise();
  }, 120_000);

  afterAll(async () => {
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
    await stack?.stop();
    await fake.stop();
  }, 60_000);

  /** acme's stored records of requests sent with this `user`, once the barrier request's record is stored. */
  async function recordsOf(user: string): Promise<number> {
    // Records are stored in the order their completions were published: once a request sent after all of
    // the user's has its record, every record of theirs that will ever exist is stored too.
    const barrier = `barrier-${uniqueName('b')}`;
    const res = await fetch(`${baseURL}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${TENANT_KEYS.acme}`,
        'x-request-id': barrier,
      },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'barrier' }] }),
    });
    expect(res.status).toBe(200);
    const records = db.collection('routing_records');
    await waitFor(
      'the barrier record',
      async () => ((await records.findOne({ requestId: barrier })) ? true : undefined),
      30_000,
      100,
    );
    return records.countDocuments({ tenant: 'acme', user });
  }

  it("answers the SDK's retry after a client timeout from the first call: the provider is called once", async () => {
    fake.fallback = { kind: 'ok', latencyMs: MODEL_LATENCY_MS, content: 'the slow answer' };
    const attempts: Array<string | null> = [];
    const client = new OpenAI({
      baseURL,
      apiKey: TENANT_KEYS.acme,
      timeout: CLIENT_TIMEOUT_MS,
      maxRetries: 2,
      fetch: (url, init) => {
        attempts.push(new Headers(init?.headers).get('x-stainless-retry-count'));
        return fetch(url, init);
      },
    });
    const user = uniqueName('sdk-user');
    const calledBefore = fake.requests.length;
    const { data, response } = await client.chat.completions
      .create({ model: 'auto', user, messages: [{ role: 'user', content: `a slow question ${user}` }] })
      .withResponse();
    expect(data.choices[0].message.content).toBe('the slow answer');
    // The first attempt timed out on the client; the answer came to a retry, from the first call.
    expect((data as unknown as WithSwitchyard).switchyard.replayed).toBe(true);
    expect(response.headers.get('x-request-id')).toBe((data as unknown as WithSwitchyard).switchyard.requestId);
    expect(attempts.slice(0, 2)).toEqual(['0', '1']);
    expect(fake.requests.length - calledBefore).toBe(1);
    fake.fallback = { kind: 'ok' };
    expect(await recordsOf(user)).toBe(1);
  });

  it('answers an Idempotency-Key sent twice once, the second time replayed', async () => {
    fake.fallback = { kind: 'ok', content: 'the one answer' };
    const client = new OpenAI({ baseURL, apiKey: TENANT_KEYS.acme, maxRetries: 0 });
    const user = uniqueName('key-user');
    const key = uniqueName('idem-key');
    const calledBefore = fake.requests.length;
    const ask = () =>
      client.chat.completions.create(
        { model: 'auto', user, messages: [{ role: 'user', content: 'pay for me once' }] },
        { headers: { 'Idempotency-Key': key } },
      );
    const first = (await ask()) as unknown as OpenAI.ChatCompletion & WithSwitchyard;
    const second = (await ask()) as unknown as OpenAI.ChatCompletion & WithSwitchyard;
    expect(first.switchyard).toMatchObject({ requestId: key, replayed: false });
    expect(second.switchyard).toMatchObject({ requestId: key, replayed: true });
    expect(second.choices[0].message.content).toBe('the one answer');
    expect(fake.requests.length - calledBefore).toBe(1);
    expect(await recordsOf(user)).toBe(1);
  });

  it('refuses a malformed Idempotency-Key with a 400 naming it, which the SDK does not retry', async () => {
    const client = new OpenAI({ baseURL, apiKey: TENANT_KEYS.acme, maxRetries: 2 });
    const err = await client.chat.completions
      .create(
        { model: 'auto', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'Idempotency-Key': 'not a key' } },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_request', param: 'Idempotency-Key' });
    expect((err as InstanceType<typeof OpenAI.APIError>).headers?.get('x-should-retry')).toBe('false');
  });

  // Last: a model whose call failed every try cools down, and the stack's later requests would be refused.
  it('tells the SDK not to retry a provider error (x-should-retry: false), so the provider is not called again', async () => {
    fake.fallback = { kind: 'error', status: 500 };
    const client = new OpenAI({ baseURL, apiKey: TENANT_KEYS.acme, maxRetries: 2 });
    const calledBefore = fake.requests.length;
    const err = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: `fail for ${uniqueName('u')}` }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err).toMatchObject({ status: 502, code: 'provider_error' });
    expect((err as InstanceType<typeof OpenAI.APIError>).headers?.get('x-should-retry')).toBe('false');
    // Without the header the SDK would have retried the 502 twice: three calls.
    expect(fake.requests.length - calledBefore).toBe(1);
  });
});
