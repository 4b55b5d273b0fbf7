import { FakeProviderServer } from './fake-provider-server';

// The fake refuses what the real APIs refuse, so an adapter test against it fails where production would.
describe(FakeProviderServer.name, () => {
  const sut = new FakeProviderServer();
  beforeAll(() => sut.start());
  afterAll(() => sut.stop());
  beforeEach(() => {
    sut.requests.length = 0;
  });

  async function post(path: string, body: Record<string, unknown>): Promise<{ status: number; body: any }> {
    const res = await fetch(`${sut.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
  }
  const openai = (body: Record<string, unknown>) => post('/v1/chat/completions', { model: 'gpt-4o', ...body });
  const anthropic = (body: Record<string, unknown>) =>
    post('/v1/messages', { model: 'claude', max_tokens: 100, ...body });

  const user = { role: 'user', content: 'Weather in Paris?' };
  const openAiTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } };
  const openAiCall = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } };
  const anthropicTool = { name: 'get_weather', input_schema: { type: 'object' } };
  const toolUse = { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} };

  describe('OpenAI Chat Completions', () => {
    it.each([
      [
        'a tool message without tool_call_id',
        {
          messages: [
            user,
            { role: 'assistant', content: null, tool_calls: [openAiCall] },
            { role: 'tool', content: '18C' },
          ],
        },
        "Missing required parameter: 'messages[2].tool_call_id'.",
      ],
      [
        'a tool message answering no call',
        { messages: [user, { role: 'tool', content: '18C', tool_call_id: 'call_9' }] },
        "messages with role 'tool' must be a response to a preceeding message with 'tool_calls'",
      ],
      [
        'a tool call left unanswered',
        { messages: [user, { role: 'assistant', content: null, tool_calls: [openAiCall] }, user] },
        'The following tool_call_ids did not have response messages: call_1',
      ],
      [
        'an image in an assistant message',
        {
          messages: [
            { role: 'assistant', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
          ],
        },
        'Image URLs are only allowed for messages with role',
      ],
      ['tool_choice without tools', { messages: [user], tool_choice: 'none' }, "'tool_choice' is only allowed when"],
      [
        'parallel_tool_calls without tools',
        { messages: [user], parallel_tool_calls: false },
        "'parallel_tool_calls' is only allowed when",
      ],
      ['an unknown field', { messages: [user], top_k: 3 }, 'Unrecognized request argument supplied: top_k'],
      [
        'json_object without "json" in the messages',
        { messages: [user], response_format: { type: 'json_object' } },
        "must contain the word 'json'",
      ],
      [
        'a reasoning model given temperature',
        { model: 'o1-mini', messages: [user], temperature: 0.2 },
        "Unsupported parameter: 'temperature' is not supported with this model.",
      ],
      [
        'a reasoning model given max_tokens',
        { model: 'gpt-5-mini', messages: [user], max_tokens: 10 },
        "Use 'max_completion_tokens' instead.",
      ],
      [
        'another model given reasoning_effort',
        { messages: [user], reasoning_effort: 'low' },
        "Unsupported parameter: 'reasoning_effort'",
      ],
    ])('refuses %s with a 400, as OpenAI does', async (_what, body, message) => {
      const res = await openai(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        type: 'invalid_request_error',
        message: expect.stringContaining(message),
      });
    });

    it('lets a queued fault answer whatever the request', async () => {
      sut.enqueue({ kind: 'error', status: 503 });
      expect((await openai({ messages: [user], top_k: 3 })).status).toBe(503);
    });

    it('answers per request when told how, before the queue, and from the queue when it does not say', async () => {
      sut.respond = (r) => (r.body['model'] === 'grader' ? { kind: 'ok', content: 'Grade: 8' } : undefined);
      sut.enqueue({ kind: 'error', status: 500 });
      try {
        expect((await openai({ model: 'grader', messages: [user] })).body.choices[0].message.content).toBe('Grade: 8');
        expect((await openai({ messages: [user] })).status).toBe(500);
        expect((await openai({ messages: [user] })).body.choices[0].message.content).toBe('fake answer to gpt-4o');
      } finally {
        sut.respond = undefined;
      }
    });

    it('calls a tool when offered tools, then answers from its result', async () => {
      const first = await openai({ messages: [user], tools: [openAiTool] });
      expect(first.body.choices[0]).toMatchObject({
        message: {
          content: null,
          tool_calls: [{ type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
        },
        finish_reason: 'tool_calls',
      });
      const call = first.body.choices[0].message.tool_calls[0];
      const second = await openai({
        messages: [
          user,
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', content: '18C', tool_call_id: call.id },
        ],
        tools: [openAiTool],
      });
      expect(second.body.choices[0]).toMatchObject({
        message: { content: 'fake answer to gpt-4o using 18C' },
        finish_reason: 'stop',
      });
    });

    it('records the images a request carries', async () => {
      await openai({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is it?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            ],
          },
        ],
      });
      expect(sut.requests[0].images).toEqual(['data:image/png;base64,AAAA']);
    });

    it('counts a reasoning model thinking inside completion_tokens', async () => {
      sut.enqueue({ kind: 'ok', content: 'Paris.' });
      const res = await openai({
        model: 'o3-mini',
        messages: [user],
        max_completion_tokens: 99,
        reasoning_effort: 'low',
      });
      expect(res.body.usage).toMatchObject({
        completion_tokens: 2 + 8,
        completion_tokens_details: { reasoning_tokens: 8 },
      });
    });

    it('streams tool calls as OpenAI does, and usage in a last chunk without choices only when asked', async () => {
      sut.enqueue({ kind: 'ok', toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] });
      const res = await openai({
        messages: [user],
        tools: [openAiTool],
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks = (res.body as string)
        .split('\n\n')
        .filter((e) => e.startsWith('data: {'))
        .map((e) => JSON.parse(e.slice(6)));
      const calls = chunks.flatMap((c) => c.choices.flatMap((ch: any) => ch.delta.tool_calls ?? []));
      expect(calls[0]).toMatchObject({
        index: 0,
        id: expect.any(String),
        function: { name: 'get_weather', arguments: '' },
      });
      expect(calls.map((c: any) => c.function.arguments).join('')).toBe('{"city":"Paris"}');
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number) } });
      const without = await openai({ messages: [user], stream: true });
      expect(without.body).not.toContain('"usage"');
    });
  });

  describe('Anthropic Messages', () => {
    it.each([
      [
        'roles that do not alternate',
        { messages: [user, user] },
        'roles must alternate between "user" and "assistant"',
      ],
      [
        'a tool_result without its tool_use',
        {
          messages: [
            user,
            { role: 'assistant', content: 'Hm.' },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' }] },
          ],
        },
        'unexpected `tool_use_id` found in `tool_result` blocks: toolu_1',
      ],
      [
        'a tool_use without its tool_result',
        { messages: [user, { role: 'assistant', content: [toolUse] }, user] },
        '`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1',
      ],
      ['a field Messages does not have', { messages: [user], seed: 1 }, 'seed: Extra inputs are not permitted'],
      ['no max_tokens', { messages: [user], max_tokens: undefined }, 'max_tokens: Field required'],
      [
        'an image type it does not take',
        {
          messages: [
            {
              role: 'user',
              content: [{ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'Qk0=' } }],
            },
          ],
        },
        'media_type',
      ],
      [
        'a tool without input_schema',
        { messages: [user], tools: [{ name: 'get_weather' }] },
        'tools.0.input_schema: Field required',
      ],
      [
        'thinking with temperature',
        { messages: [user], max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 1024 }, temperature: 0.5 },
        '`temperature` may only be set to 1 when thinking is enabled',
      ],
      [
        'thinking with a budget not below max_tokens',
        { messages: [user], max_tokens: 1024, thinking: { type: 'enabled', budget_tokens: 1024 } },
        '`max_tokens` must be greater than `thinking.budget_tokens`',
      ],
      [
        'thinking with forced tool use',
        {
          messages: [user],
          max_tokens: 4000,
          thinking: { type: 'enabled', budget_tokens: 1024 },
          tools: [anthropicTool],
          tool_choice: { type: 'any' },
        },
        'Thinking may not be enabled when tool_choice forces tool use.',
      ],
      [
        'thinking in a tool loop whose turn has no thinking block',
        {
          messages: [
            user,
            { role: 'assistant', content: [toolUse] },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' }] },
          ],
          max_tokens: 4000,
          thinking: { type: 'enabled', budget_tokens: 1024 },
          tools: [anthropicTool],
        },
        'a final `assistant` message must start with a thinking block',
      ],
    ])('refuses %s with a 400, as Anthropic does', async (_what, body, message) => {
      const res = await anthropic(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        type: 'error',
        error: { type: 'invalid_request_error', message: expect.stringContaining(message) },
      });
    });

    it('calls the tool tool_choice names, its input filled from the schema', async () => {
      const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
      const res = await anthropic({
        messages: [user],
        tools: [anthropicTool, { name: 'lookup', input_schema: schema }],
        tool_choice: { type: 'tool', name: 'lookup' },
      });
      expect(res.body).toMatchObject({
        content: [{ type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'lookup', input: { city: 'fake' } }],
        stop_reason: 'tool_use',
      });
    });

    it('thinks first when thinking is on, and answers a tool loop whose turn starts with its thinking', async () => {
      const res = await anthropic({
        messages: [
          user,
          { role: 'assistant', content: [{ type: 'thinking', thinking: 'Hm.', signature: 's' }, toolUse] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' }] },
        ],
        max_tokens: 4000,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        tools: [anthropicTool],
      });
      expect(res.status).toBe(200);
      expect(res.body.content.map((b: { type: string }) => b.type)).toEqual(['thinking', 'text']);
      expect(res.body.content[1].text).toBe('fake answer to claude using 18C');
    });

    it('stops at a stop sequence and says which', async () => {
      sut.enqueue({ kind: 'ok', content: 'one two three' });
      const res = await anthropic({ messages: [user], stop_sequences: [' three'] });
      expect(res.body).toMatchObject({
        content: [{ type: 'text', text: 'one two' }],
        stop_reason: 'stop_sequence',
        stop_sequence: ' three',
      });
    });

    it('records images of both sources, base64 as a data URL', async () => {
      await anthropic({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
            ],
          },
        ],
      });
      expect(sut.requests[0].images).toEqual(['data:image/png;base64,AAAA', 'https://example.com/a.png']);
    });
  });
});
