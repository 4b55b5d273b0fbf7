import type { ChatMessage, ModelSpec, Tool, ToolCall } from '@switchyard/contracts';
import { FakeProviderServer } from '@switchyard/testing';
import { ANTHROPIC_FORMAT_TOOL, AnthropicAdapter } from './anthropic/anthropic.adapter';
import { costOf, usageOf } from './lib/cost';
import { type AnswerPiece, type ProviderAdapter, type ProviderCall, streamAnswer } from './lib/provider-adapter';
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
    const result = await streamAnswer(adapter, call(model()), (p) => pieces.push(p.delta));
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

// The whole request surface, translated to each wire format and checked by the fake as the real API checks it.
const ALL: ModelSpec['capabilities'] = ['vision', 'tools', 'json', 'logprobs', 'n', 'seed', 'penalties'];
const gpt4o = (): ModelSpec => ({ ...kinds[1].model(), capabilities: ALL });
const o3 = (capabilities: ModelSpec['capabilities'] = ['reasoning', 'tools', 'json']): ModelSpec => ({
  ...kinds[1].model(),
  id: 'o3-mini',
  capabilities,
});
const claude = (capabilities: ModelSpec['capabilities'] = ['vision', 'tools', 'json']): ModelSpec => ({
  ...kinds[2].model(),
  capabilities,
});
const openai = new OpenAiAdapter('openai');
const anthropic = new AnthropicAdapter();

const weather: Tool = {
  name: 'get_weather',
  description: 'The weather in a city now.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['C', 'F'] } },
    required: ['city'],
  },
};
const time: Tool = { name: 'get_time', parameters: { type: 'object', properties: {} } };
const citySchema = {
  type: 'object',
  properties: { name: { type: 'string' }, population: { type: 'integer' } },
  required: ['name', 'population'],
  additionalProperties: false,
};
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==';
const CAT = 'https://example.com/cat.jpg';

const ask = (model: ModelSpec, extra: Partial<ProviderCall> = {}): ProviderCall => ({
  requestId: 'r-1',
  model,
  messages: [{ role: 'user', content: 'Weather in Paris?' }],
  params: {},
  apiKey: 'sk-test-secret',
  ...extra,
});

/** The tool calls the pieces of a stream add up to, as a client assembles them. */
function assembled(pieces: AnswerPiece[]): ToolCall[] {
  const calls: Array<{ id?: string; name?: string; arguments: string }> = [];
  for (const piece of pieces)
    for (const t of piece.toolCalls ?? []) {
      const c = (calls[t.index] ??= { arguments: '' });
      if (t.id) c.id = t.id;
      if (t.name) c.name = t.name;
      c.arguments += t.arguments ?? '';
    }
  return calls.map((c) => ({ id: c.id ?? '', name: c.name ?? '', arguments: c.arguments }));
}

const sent = (i = 0) => fake.requests[i].body as Record<string, any>;

describe('openai adapter, the whole request surface', () => {
  it('sends tools, tool choice and parallel_tool_calls, and reads the tool call the model answers', async () => {
    const result = await openai.complete(
      ask(gpt4o(), { tools: [{ ...weather, strict: true }, time], toolChoice: 'auto', parallelToolCalls: false }),
    );
    expect(sent()).toMatchObject({
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: weather.description,
            parameters: weather.parameters,
            strict: true,
          },
        },
        { type: 'function', function: { name: 'get_time', parameters: time.parameters } },
      ],
      tool_choice: 'auto',
      parallel_tool_calls: false,
    });
    expect(result).toEqual({
      content: '',
      finishReason: 'tool_calls',
      toolCalls: [{ id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: '{"city":"fake"}' }],
      usage: expect.any(Object),
    });
  });

  it('sends the assistant tool calls and tool messages back, and the answer uses the result', async () => {
    const first = await openai.complete(ask(gpt4o(), { tools: [weather] }));
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Weather in Paris?', name: 'ana' },
      { role: 'assistant', content: null, toolCalls: first.toolCalls },
      { role: 'tool', content: '18C and sunny', toolCallId: first.toolCalls![0].id },
    ];
    const second = await openai.complete(ask(gpt4o(), { tools: [weather], messages }));
    expect(sent(1)['messages']).toEqual([
      { role: 'user', content: 'Weather in Paris?', name: 'ana' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: first.toolCalls![0].id,
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"fake"}' },
          },
        ],
      },
      { role: 'tool', content: '18C and sunny', tool_call_id: first.toolCalls![0].id },
    ]);
    expect(second).toMatchObject({ finishReason: 'stop', content: expect.stringContaining('18C and sunny') });
    expect(second.toolCalls).toBeUndefined();
  });

  it('names the tool to call as OpenAI wants it, and sends no tool_choice without tools', async () => {
    const named = await openai.complete(ask(gpt4o(), { tools: [weather, time], toolChoice: { name: 'get_time' } }));
    expect(sent()['tool_choice']).toEqual({ type: 'function', function: { name: 'get_time' } });
    expect(named.toolCalls).toEqual([{ id: expect.any(String), name: 'get_time', arguments: '{}' }]);
    const none = await openai.complete(ask(gpt4o(), { toolChoice: 'none', parallelToolCalls: true }));
    expect(sent(1)).not.toHaveProperty('tool_choice');
    expect(sent(1)).not.toHaveProperty('parallel_tool_calls');
    expect(none.finishReason).toBe('stop');
  });

  it('streams tool calls as pieces and returns them whole', async () => {
    fake.enqueue({
      kind: 'ok',
      toolCalls: [
        { name: 'get_weather', arguments: '{"city":"Paris","unit":"C"}' },
        { name: 'get_time', arguments: '{}' },
      ],
    });
    const pieces: AnswerPiece[] = [];
    const result = await openai.stream(ask(gpt4o(), { tools: [weather, time] }), (p) => pieces.push(p));
    expect(result.finishReason).toBe('tool_calls');
    expect(result.toolCalls).toEqual([
      { id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: '{"city":"Paris","unit":"C"}' },
      { id: expect.stringMatching(/^call_/), name: 'get_time', arguments: '{}' },
    ]);
    expect(pieces.filter((p) => p.toolCalls).length).toBeGreaterThan(2);
    expect(pieces[0].toolCalls?.[0]).toEqual({ index: 0, id: result.toolCalls![0].id, name: 'get_weather' });
    expect(assembled(pieces)).toEqual(result.toolCalls);
    expect(result.usage).toBeDefined();
  });

  it('sends a json_schema answer format and reads the JSON answer', async () => {
    const result = await openai.complete(
      ask(gpt4o(), {
        responseFormat: { type: 'json_schema', name: 'city', description: 'A city', schema: citySchema, strict: true },
      }),
    );
    expect(sent()['response_format']).toEqual({
      type: 'json_schema',
      json_schema: { name: 'city', description: 'A city', schema: citySchema, strict: true },
    });
    expect(JSON.parse(result.content)).toEqual({ name: 'fake', population: 1 });
  });

  it('sends json_object, which OpenAI takes only when the messages mention JSON', async () => {
    const result = await openai.complete(
      ask(gpt4o(), {
        responseFormat: { type: 'json_object' },
        messages: [{ role: 'user', content: 'Answer in JSON: capital of France?' }],
      }),
    );
    expect(sent()['response_format']).toEqual({ type: 'json_object' });
    expect(JSON.parse(result.content)).toEqual({ answer: expect.any(String) });
    await expect(openai.complete(ask(gpt4o(), { responseFormat: { type: 'json_object' } }))).rejects.toMatchObject({
      retryable: false,
      status: 400,
      message: expect.stringContaining("must contain the word 'json'"),
    });
  });

  it('sends image parts, by data URL and by http URL, with their detail', async () => {
    await openai.complete(
      ask(gpt4o(), {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these?' },
              { type: 'image', url: PNG, detail: 'low' },
              { type: 'image', url: CAT },
            ],
          },
        ],
      }),
    );
    expect(sent()['messages'][0].content).toEqual([
      { type: 'text', text: 'What is in these?' },
      { type: 'image_url', image_url: { url: PNG, detail: 'low' } },
      { type: 'image_url', image_url: { url: CAT } },
    ]);
    expect(fake.requests[0].images).toEqual([PNG, CAT]);
  });

  it('sends stop, n, seed, the penalties and logprobs, and reads every choice and the logprobs', async () => {
    fake.enqueue({ kind: 'ok', content: 'Domain Name System. The end.' });
    const result = await openai.complete(
      ask(gpt4o(), {
        params: {
          stop: [' The end'],
          n: 2,
          seed: 7,
          presencePenalty: 0.5,
          frequencyPenalty: -0.5,
          logprobs: true,
          topLogprobs: 2,
        },
      }),
    );
    expect(sent()).toMatchObject({
      stop: [' The end'],
      n: 2,
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      logprobs: true,
      top_logprobs: 2,
    });
    expect(result).toMatchObject({ content: 'Domain Name System.', finishReason: 'stop' });
    expect(result.choices).toEqual([
      { answer: { role: 'assistant', content: 'Domain Name System.' }, finishReason: 'stop' },
      { answer: { role: 'assistant', content: 'Domain Name System.' }, finishReason: 'stop' },
    ]);
    expect(result.logprobs?.map((t) => t.token).join('')).toBe('Domain Name System.');
    expect(result.logprobs?.[1]).toEqual({
      token: ' Name',
      logprob: expect.any(Number),
      topLogprobs: [
        { token: ' Name', logprob: expect.any(Number) },
        { token: ' maybe', logprob: expect.any(Number) },
      ],
    });
  });

  it('streams only choice 0 of n but returns every choice, with the logprobs of the first', async () => {
    fake.enqueue({ kind: 'ok', content: 'Domain Name System.' });
    const pieces: string[] = [];
    const result = await openai.stream(ask(gpt4o(), { params: { n: 3, logprobs: true } }), (p) => pieces.push(p.delta));
    expect(pieces.join('')).toBe('Domain Name System.');
    expect(result.choices?.map((c) => c.answer.content)).toEqual([
      'Domain Name System.',
      'Domain Name System. (answer 2)',
      'Domain Name System. (answer 3)',
    ]);
    expect(result.logprobs?.map((t) => t.token).join('')).toBe('Domain Name System.');
  });

  it('reads a content filter stop', async () => {
    fake.enqueue({ kind: 'ok', content: '', finishReason: 'content_filter' });
    expect((await openai.complete(ask(gpt4o()))).finishReason).toBe('content_filter');
  });

  describe('a reasoning model', () => {
    const params = {
      temperature: 0.2,
      topP: 0.9,
      maxTokens: 500,
      presencePenalty: 0.1,
      frequencyPenalty: 0.1,
      logprobs: true,
      topLogprobs: 2,
      reasoningEffort: 'high' as const,
    };

    it('gets max_completion_tokens and reasoning_effort, and none of the sampling settings it refuses', async () => {
      fake.enqueue({ kind: 'ok', content: 'Paris.' });
      const result = await openai.complete(ask(o3(), { params }));
      expect(sent()).toEqual({
        model: 'o3-mini',
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        max_completion_tokens: 500,
        reasoning_effort: 'high',
      });
      // Its thinking is billed as output: inside completion_tokens.
      expect(result).toMatchObject({ content: 'Paris.', usage: { outputTokens: 2 + 32 } });
    });

    it('is refused by the API when sent temperature or max_tokens, as OpenAI refuses them', async () => {
      const notDeclared = o3(['tools']);
      await expect(openai.complete(ask(notDeclared, { params: { temperature: 0.2 } }))).rejects.toMatchObject({
        retryable: false,
        message: expect.stringContaining("Unsupported parameter: 'temperature'"),
      });
      await expect(openai.complete(ask(notDeclared, { params: { maxTokens: 10 } }))).rejects.toThrow(
        "Use 'max_completion_tokens' instead",
      );
    });

    it('streams under the same rules', async () => {
      fake.enqueue({ kind: 'ok', content: 'Paris it is.' });
      const pieces: string[] = [];
      const result = await openai.stream(ask(o3(), { params }), (p) => pieces.push(p.delta));
      expect(pieces.join('')).toBe('Paris it is.');
      expect(sent()).not.toHaveProperty('temperature');
      expect(result.usage?.outputTokens).toBe(3 + 32);
    });
  });

  it('leaves reasoning_effort out for a model that is not a reasoning model', async () => {
    await openai.complete(ask(gpt4o(), { params: { reasoningEffort: 'low', maxTokens: 9 } }));
    expect(sent()).not.toHaveProperty('reasoning_effort');
    expect(sent()['max_tokens']).toBe(9);
  });
});

describe('anthropic adapter, the whole request surface', () => {
  it('sends tools and tool choice in Messages form, and reads tool_use blocks as tool calls', async () => {
    const result = await anthropic.complete(
      ask(claude(), { tools: [weather, time], toolChoice: 'required', parallelToolCalls: false }),
    );
    expect(sent()).toMatchObject({
      tools: [
        { name: 'get_weather', description: weather.description, input_schema: weather.parameters },
        { name: 'get_time', input_schema: time.parameters },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    expect(result).toEqual({
      content: '',
      finishReason: 'tool_calls',
      toolCalls: [{ id: expect.stringMatching(/^toolu_/), name: 'get_weather', arguments: '{"city":"fake"}' }],
      usage: expect.any(Object),
    });
  });

  it.each([
    ['auto', { type: 'auto' }],
    ['none', { type: 'none' }],
    [{ name: 'get_time' }, { type: 'tool', name: 'get_time' }],
  ] as const)('translates toolChoice %j to %j', async (toolChoice, wire) => {
    await anthropic.complete(ask(claude(), { tools: [weather, time], toolChoice }));
    expect(sent()['tool_choice']).toEqual(wire);
  });

  it('gives a tool without parameters an empty object schema', async () => {
    await anthropic.complete(ask(claude(), { tools: [{ name: 'ping' }] }));
    expect(sent()['tools']).toEqual([{ name: 'ping', input_schema: { type: 'object', properties: {} } }]);
  });

  it('sends tool calls back as tool_use blocks and consecutive tool messages as one user turn of tool_result blocks', async () => {
    fake.enqueue({
      kind: 'ok',
      toolCalls: [
        { name: 'get_weather', arguments: '{"city":"Paris"}' },
        { name: 'get_time', arguments: '{}' },
      ],
    });
    const first = await anthropic.complete(ask(claude(), { tools: [weather, time] }));
    const [w, t] = first.toolCalls!;
    const messages: ChatMessage[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather and time in Paris?' },
      { role: 'assistant', content: 'Let me look.', toolCalls: first.toolCalls },
      { role: 'tool', content: '18C and sunny', toolCallId: w.id },
      { role: 'tool', content: [{ type: 'text', text: '14:05' }], toolCallId: t.id },
      { role: 'user', content: 'Short, please.' },
    ];
    const second = await anthropic.complete(ask(claude(), { tools: [weather, time], messages }));
    expect(sent(1)['system']).toBe('Be brief.');
    expect(sent(1)['messages']).toEqual([
      { role: 'user', content: 'Weather and time in Paris?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: w.id, name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: t.id, name: 'get_time', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: w.id, content: '18C and sunny' },
          { type: 'tool_result', tool_use_id: t.id, content: '14:05' },
          { type: 'text', text: 'Short, please.' },
        ],
      },
    ]);
    expect(second.finishReason).toBe('stop');
    expect(second.toolCalls).toBeUndefined();
  });

  it('answers from the tool result when the conversation ends with it', async () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: '' }] },
      { role: 'tool', content: '18C and sunny', toolCallId: 'toolu_1' },
    ];
    const result = await anthropic.complete(ask(claude(), { tools: [weather], messages }));
    expect(sent()['messages'][1].content).toEqual([
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} },
    ]);
    expect(result.content).toContain('18C and sunny');
  });

  it('refuses tool call arguments that are not a JSON object, naming the message, without calling', async () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{"city":' }] },
      { role: 'tool', content: '18C', toolCallId: 'toolu_1' },
    ];
    await expect(anthropic.complete(ask(claude(), { tools: [weather], messages }))).rejects.toMatchObject({
      retryable: false,
      message: expect.stringContaining('messages[1].toolCalls[0].arguments'),
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('streams tool_use blocks as tool-call pieces numbered in order, and returns them whole', async () => {
    fake.enqueue({
      kind: 'ok',
      content: 'Looking it up.',
      toolCalls: [
        { name: 'get_weather', arguments: '{"city":"Paris"}' },
        { name: 'get_time', arguments: '{}' },
      ],
    });
    const pieces: AnswerPiece[] = [];
    const result = await anthropic.stream(ask(claude(), { tools: [weather, time] }), (p) => pieces.push(p));
    expect(result).toMatchObject({
      content: 'Looking it up.',
      finishReason: 'tool_calls',
      toolCalls: [
        { id: expect.stringMatching(/^toolu_/), name: 'get_weather', arguments: '{"city":"Paris"}' },
        { id: expect.stringMatching(/^toolu_/), name: 'get_time', arguments: '{}' },
      ],
      usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) },
    });
    expect(pieces.map((p) => p.delta).join('')).toBe('Looking it up.');
    expect(pieces.find((p) => p.toolCalls)?.toolCalls).toEqual([
      { index: 0, id: result.toolCalls![0].id, name: 'get_weather' },
    ]);
    expect(assembled(pieces)).toEqual(result.toolCalls);
  });

  describe('a JSON answer format, through a forced tool', () => {
    const format = { type: 'json_schema', name: 'city', description: 'A city', schema: citySchema } as const;

    it('forces the format tool and returns its input as the answer', async () => {
      const result = await anthropic.complete(ask(claude(), { responseFormat: format }));
      expect(sent()).toMatchObject({
        tools: [{ name: ANTHROPIC_FORMAT_TOOL, description: 'A city', input_schema: citySchema }],
        tool_choice: { type: 'tool', name: ANTHROPIC_FORMAT_TOOL },
      });
      expect(result).toEqual({
        content: '{"name":"fake","population":1}',
        finishReason: 'stop',
        usage: expect.any(Object),
      });
    });

    it('takes any JSON object for json_object', async () => {
      fake.enqueue({ kind: 'ok', toolCalls: [{ name: ANTHROPIC_FORMAT_TOOL, arguments: '{"capital":"Paris"}' }] });
      const result = await anthropic.complete(ask(claude(), { responseFormat: { type: 'json_object' } }));
      expect(sent()['tools']).toEqual([
        expect.objectContaining({ name: ANTHROPIC_FORMAT_TOOL, input_schema: { type: 'object' } }),
      ]);
      expect(JSON.parse(result.content)).toEqual({ capital: 'Paris' });
    });

    it('streams the JSON as text', async () => {
      const pieces: AnswerPiece[] = [];
      const result = await anthropic.stream(ask(claude(), { responseFormat: format }), (p) => pieces.push(p));
      expect(pieces.map((p) => p.delta).join('')).toBe(result.content);
      expect(pieces.some((p) => p.toolCalls)).toBe(false);
      expect(JSON.parse(result.content)).toEqual({ name: 'fake', population: 1 });
      expect(result.finishReason).toBe('stop');
    });

    it("lets the model call the caller's tools or answer in the format", async () => {
      const result = await anthropic.complete(ask(claude(), { responseFormat: format, tools: [weather] }));
      expect(sent()['tools'].map((t: { name: string }) => t.name)).toEqual(['get_weather', ANTHROPIC_FORMAT_TOOL]);
      expect(sent()['tool_choice']).toEqual({ type: 'any' });
      expect(result.toolCalls?.[0].name).toBe('get_weather');
    });
  });

  it('sends data-URL images as base64 sources and http images as URL sources', async () => {
    await anthropic.complete(
      ask(claude(), {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these?' },
              { type: 'image', url: PNG, detail: 'high' },
              { type: 'image', url: CAT },
            ],
          },
        ],
      }),
    );
    expect(sent()['messages'][0].content).toEqual([
      { type: 'text', text: 'What is in these?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUg==' } },
      { type: 'image', source: { type: 'url', url: CAT } },
    ]);
    expect(fake.requests[0].images).toEqual([PNG, CAT]);
  });

  it('refuses an image type Messages does not take, naming the part', async () => {
    const messages: ChatMessage[] = [{ role: 'user', content: [{ type: 'image', url: 'data:image/bmp;base64,Qk0=' }] }];
    await expect(anthropic.complete(ask(claude(), { messages }))).rejects.toThrow(
      'anthropic cannot honour messages[0].content[0] = "image/bmp"',
    );
  });

  it('sends stop sequences and reads the stop', async () => {
    fake.enqueue({ kind: 'ok', content: 'Domain Name System. The end.' });
    const result = await anthropic.complete(ask(claude(), { params: { stop: [' The end'], topP: 0.9 } }));
    expect(sent()).toMatchObject({ stop_sequences: [' The end'], top_p: 0.9 });
    expect(result).toMatchObject({ content: 'Domain Name System.', finishReason: 'stop' });
  });

  it('reads a refusal as a content filter stop', async () => {
    fake.enqueue({ kind: 'ok', content: 'I cannot help with that.', finishReason: 'content_filter' });
    expect((await anthropic.complete(ask(claude()))).finishReason).toBe('content_filter');
  });

  it.each([
    ['params.n = 3', { n: 3 }],
    ['params.seed = 7', { seed: 7 }],
    ['params.presencePenalty = 0.5', { presencePenalty: 0.5 }],
    ['params.frequencyPenalty = -1', { frequencyPenalty: -1 }],
    ['params.logprobs = true', { logprobs: true }],
  ])('refuses %s, naming it, without calling', async (named, params) => {
    const err = await anthropic.complete(ask(claude(), { params })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ retryable: false, message: `anthropic cannot honour ${named}` });
    expect(fake.requests).toHaveLength(0);
  });

  it('takes the values that ask for nothing: n = 1, zero penalties, logprobs false', async () => {
    await anthropic.complete(
      ask(claude(), { params: { n: 1, presencePenalty: 0, frequencyPenalty: 0, logprobs: false } }),
    );
    expect(sent()).not.toHaveProperty('n');
  });

  describe('extended thinking for reasoning effort', () => {
    const thinker = () => claude(['reasoning', 'tools']);

    it('turns on thinking with the effort budget, raises max_tokens above it, and sends no temperature', async () => {
      fake.enqueue({ kind: 'ok', content: 'Paris.' });
      const result = await anthropic.complete(
        ask(thinker(), { params: { reasoningEffort: 'low', maxTokens: 1000, temperature: 0.5, topP: 0.5 } }),
      );
      expect(sent()).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 2048 }, max_tokens: 3048 });
      expect(sent()).not.toHaveProperty('temperature');
      expect(sent()).not.toHaveProperty('top_p');
      // The thinking block is the model's own: the answer is the text.
      expect(result).toMatchObject({ content: 'Paris.', finishReason: 'stop' });
    });

    it.each([
      ['minimal', 1024],
      ['medium', 8192],
      ['high', 16384],
    ] as const)('gives %s effort a budget of %d and keeps a max_tokens above it', async (effort, budget) => {
      await anthropic.complete(ask(thinker(), { params: { reasoningEffort: effort, maxTokens: 20000 } }));
      expect(sent()).toMatchObject({ thinking: { budget_tokens: budget }, max_tokens: 20000 });
    });

    it('streams the answer without the thinking', async () => {
      fake.enqueue({ kind: 'ok', content: 'Paris it is.' });
      const pieces: string[] = [];
      const result = await anthropic.stream(ask(thinker(), { params: { reasoningEffort: 'minimal' } }), (p) =>
        pieces.push(p.delta),
      );
      expect(pieces.join('')).toBe('Paris it is.');
      expect(result.content).toBe('Paris it is.');
    });

    it('refuses forced tool use and JSON formats, which thinking forbids', async () => {
      const params = { reasoningEffort: 'low' } as const;
      await expect(
        anthropic.complete(ask(thinker(), { params, tools: [weather], toolChoice: 'required' })),
      ).rejects.toThrow('anthropic cannot honour toolChoice = "required"');
      await expect(
        anthropic.complete(ask(thinker(), { params, responseFormat: { type: 'json_object' } })),
      ).rejects.toThrow('anthropic cannot honour responseFormat = "json_object"');
      expect(fake.requests).toHaveLength(0);
    });

    it('refuses to go on with a tool loop, whose thinking block the conversation does not carry', async () => {
      const messages: ChatMessage[] = [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{}' }] },
        { role: 'tool', content: '18C', toolCallId: 'toolu_1' },
      ];
      await expect(
        anthropic.complete(ask(thinker(), { params: { reasoningEffort: 'low' }, tools: [weather], messages })),
      ).rejects.toThrow('anthropic cannot honour params.reasoningEffort = "low"');
    });

    it('leaves thinking off for a model that is not a reasoning model', async () => {
      await anthropic.complete(ask(claude(), { params: { reasoningEffort: 'low', temperature: 0.3 } }));
      expect(sent()).not.toHaveProperty('thinking');
      expect(sent()['temperature']).toBe(0.3);
    });
  });
});
