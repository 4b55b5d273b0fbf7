import type { ModelSpec } from '@switchyard/contracts';
import { FakeProviderServer } from '@switchyard/testing';
import { AnthropicAdapter } from './anthropic/anthropic.adapter';
import { costOf, usageOf } from './lib/cost';
import { type ProviderAdapter, type ProviderCall, streamAnswer } from './lib/provider-adapter';
import { ProviderError } from './lib/provider-error';
import { type TryRecord, withRetries } from './lib/retry';
import { OpenAiAdapter } from './openai/openai.adapter';

// Real HTTP against a local server that speaks each provider's wire format, through every fault it can play.
const fake = new FakeProviderServer();

beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => {
  fake.requests.length = 0;
});

const kinds: Array<{ name: string; adapter: ProviderAdapter; model: () => ModelSpec }> = [
  {
    name: 'openai-compatible',
    adapter: new OpenAiAdapter('openai-compatible'),
    model: () => ({
      id: 'llama-3',
      deployment: 'meta/llama-3',
      provider: 'openai-compatible',
      baseUrl: `${fake.baseUrl}/v1`,
      tier: 't',
      priceUsdPerMTok: { input: 1, output: 2 },
      capabilities: [],
    }),
  },
  {
    name: 'openai',
    adapter: new OpenAiAdapter('openai'),
    model: () => ({
      id: 'gpt-4o',
      provider: 'openai',
      baseUrl: `${fake.baseUrl}/v1`,
      tier: 't',
      priceUsdPerMTok: { input: 2.5, output: 10 },
      capabilities: [],
    }),
  },
  {
    name: 'anthropic',
    adapter: new AnthropicAdapter(),
    model: () => ({
      id: 'claude-3-haiku',
      provider: 'anthropic',
      baseUrl: fake.baseUrl,
      tier: 't',
      priceUsdPerMTok: { input: 0.25, output: 1.25 },
      capabilities: [],
    }),
  },
];

const call = (model: ModelSpec, signal?: AbortSignal): ProviderCall => ({
  requestId: 'r-1',
  model,
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'What is DNS?' },
  ],
  params: { temperature: 0.2, maxTokens: 64 },
  apiKey: 'sk-test-secret',
  signal,
});

const policy = { attempts: 3, baseDelayMs: 5, maxDelayMs: 50, timeoutMs: 300 };

describe.each(kinds)('$name adapter', ({ name, adapter, model }) => {
  it('sends the wire format and prices the reported usage', async () => {
    fake.enqueue({ kind: 'ok', content: 'Domain Name System.' });
    const result = await adapter.complete(call(model()));
    expect(result).toMatchObject({
      content: 'Domain Name System.',
      finishReason: 'stop',
      usage: { inputTokens: expect.any(Number), outputTokens: 5 },
    });
    const sent = fake.requests[0];
    if (name === 'anthropic') {
      expect(sent.path).toBe('/v1/messages');
      expect(sent.headers['x-api-key']).toBe('sk-test-secret');
      expect(sent.body).toMatchObject({
        model: 'claude-3-haiku',
        system: 'Be brief.',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'What is DNS?' }],
      });
    } else {
      expect(sent.path).toBe('/v1/chat/completions');
      expect(sent.headers['authorization']).toBe('Bearer sk-test-secret');
      expect(sent.body).toMatchObject({
        model: name === 'openai' ? 'gpt-4o' : 'meta/llama-3',
        max_tokens: 64,
        temperature: 0.2,
      });
    }
    const usage = usageOf(result, call(model()).messages);
    expect(costOf(usage, model().priceUsdPerMTok)).toBeCloseTo(
      (usage.inputTokens * model().priceUsdPerMTok.input + 5 * model().priceUsdPerMTok.output) / 1e6,
      12,
    );
  });

  it('reports a cut answer as length and estimates missing usage', async () => {
    fake.enqueue({ kind: 'ok', content: 'partial', finishReason: 'length', usage: false });
    const result = await adapter.complete(call(model()));
    expect(result.finishReason).toBe('length');
    expect(result.usage).toBeUndefined();
    expect(usageOf(result, call(model()).messages).estimated).toBe(true);
  });

  it.each([
    ['rate limited with retry-after', { kind: 'rate-limited', retryAfterSeconds: 0.02 } as const, 429],
    ['a 500', { kind: 'error', status: 500 } as const, 500],
    ['a 503', { kind: 'error', status: 503 } as const, 503],
    ['a malformed JSON body', { kind: 'malformed-json' } as const, undefined],
    ['a truncated body', { kind: 'truncated' } as const, undefined],
    ['a reset connection', { kind: 'reset' } as const, undefined],
    ['a request that never answers', { kind: 'hang' } as const, undefined],
  ])('retries after %s and succeeds, recording every try', async (_what, fault, status) => {
    fake.enqueue(fault, { kind: 'ok', content: 'fine' });
    const tries: TryRecord[] = [];
    const result = await withRetries((signal) => adapter.complete(call(model(), signal)), policy, tries);
    expect(result.content).toBe('fine');
    expect(tries.map((t) => t.ok)).toEqual([false, true]);
    expect(fake.requests).toHaveLength(2);
    if (status === 429) expect(tries[0].error).toMatch(/rate limited/);
    if (fault.kind === 'hang') expect(tries[0].error).toMatch(/timed out/);
  });

  it('reads the provider retry-after, which the retry policy then waits at least (backoffMs)', async () => {
    fake.enqueue({ kind: 'rate-limited', retryAfterSeconds: 2 });
    const err = await adapter.complete(call(model())).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, retryable: true, retryAfterMs: 2000 });
  });

  it('does not retry a request the provider refuses (400), and never puts the key in the error', async () => {
    fake.enqueue({ kind: 'error', status: 400 });
    const tries: TryRecord[] = [];
    const err = await withRetries((signal) => adapter.complete(call(model(), signal)), policy, tries).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).retryable).toBe(false);
    expect((err as ProviderError).message).not.toContain('sk-test-secret');
    expect(tries).toHaveLength(1);
  });

  it('gives up after the last try when the provider stays down', async () => {
    fake.enqueue({ kind: 'error', status: 503 }, { kind: 'error', status: 503 }, { kind: 'error', status: 503 });
    const tries: TryRecord[] = [];
    await expect(withRetries((signal) => adapter.complete(call(model(), signal)), policy, tries)).rejects.toMatchObject(
      { status: 503, retryable: true },
    );
    expect(tries).toHaveLength(3);
  });
});

describe.each(kinds.filter((k) => k.name !== 'openai-compatible'))('$name adapter streaming', ({ adapter, model }) => {
  it('hands over the answer piece by piece and returns the whole with usage', async () => {
    fake.enqueue({ kind: 'ok', content: 'Domain Name System maps names.' });
    const pieces: string[] = [];
    const result = await streamAnswer(adapter, call(model()), (d) => pieces.push(d));
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe('Domain Name System maps names.');
    expect(result).toMatchObject({
      content: 'Domain Name System maps names.',
      finishReason: 'stop',
      usage: { inputTokens: expect.any(Number), outputTokens: 8 },
    });
    expect(fake.requests[0].body['stream']).toBe(true);
  });

  it('fails retryable on a server error before the stream starts', async () => {
    fake.enqueue({ kind: 'error', status: 503 });
    await expect(streamAnswer(adapter, call(model()), () => undefined)).rejects.toMatchObject({
      retryable: true,
      status: 503,
    });
  });
});

describe('credentials and endpoints', () => {
  it('refuses an OpenAI or Anthropic model without a key, and an OpenAI-compatible one without a baseUrl', async () => {
    const base: ModelSpec = {
      id: 'm',
      provider: 'openai',
      tier: 't',
      priceUsdPerMTok: { input: 1, output: 1 },
      capabilities: [],
    };
    await expect(new OpenAiAdapter('openai').complete({ ...call(base), apiKey: undefined })).rejects.toThrow(
      /no API key/,
    );
    await expect(new AnthropicAdapter().complete({ ...call(base), apiKey: undefined })).rejects.toThrow(/no API key/);
    await expect(new OpenAiAdapter('openai-compatible').complete(call(base))).rejects.toThrow(/no baseUrl/);
  });
});
