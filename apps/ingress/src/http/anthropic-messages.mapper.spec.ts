import { chatSuccess } from '../testing/chat-success.fixture';
import { type ChatSuccess, RouterError, chatRequestSchema, parsePayload } from '@switchyard/contracts';
import {
  anthropicMessagesRequestSchema,
  effortForBudget,
  fromAnthropic,
  stopReason,
  toAnthropic,
  toAnthropicError,
  toolInput,
} from './anthropic-messages.mapper';

const USER = { role: 'user', content: 'hello' };

/** What the door does with a body: the schema (as the controller parses it), then the mapping. */
function map(body: Record<string, unknown>, hints: { requestId?: string; tenant?: string } = {}) {
  const request = fromAnthropic(parsePayload(anthropicMessagesRequestSchema, body, 'request'), hints);
  // Whatever the door sends on must pass the ChatRequest contract that HandleChatRequest applies.
  expect(chatRequestSchema.safeParse(request).error).toBeUndefined();
  return request;
}

function refusal(body: Record<string, unknown>): RouterError {
  try {
    map(body);
  } catch (err) {
    if (err instanceof RouterError) return err;
    throw err;
  }
  throw new Error('the body was not refused');
}

function base(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'auto', max_tokens: 100, messages: [USER], ...extra };
}

describe(fromAnthropic.name, () => {
  describe('top level', () => {
    it('passes model (auto, auto:<profile>, a model id), max_tokens and the header hints through', () => {
      expect(map(base(), { requestId: 'r-1', tenant: 'acme' })).toEqual({
        model: 'auto',
        messages: [{ role: 'user', content: 'hello' }],
        params: { maxTokens: 100 },
        requestId: 'r-1',
        tenant: 'acme',
      });
      expect(map(base({ model: 'auto:cheap' })).model).toBe('auto:cheap');
      expect(map(base({ model: 'claude-3-haiku' })).model).toBe('claude-3-haiku');
    });

    it('maps temperature, top_p, stop_sequences, metadata.user_id and stream', () => {
      expect(
        map(
          base({
            temperature: 0.2,
            top_p: 0.9,
            stop_sequences: ['END', '###'],
            metadata: { user_id: 'u-7' },
            stream: true,
          }),
        ),
      ).toMatchObject({
        params: { maxTokens: 100, temperature: 0.2, topP: 0.9, stop: ['END', '###'] },
        user: 'u-7',
        stream: true,
      });
    });

    it('leaves out empty stop_sequences, an empty tools list, a null user_id and stream false', () => {
      const request = map(base({ stop_sequences: [], tools: [], metadata: { user_id: null }, stream: false }));
      expect(request).toEqual({
        model: 'auto',
        messages: [{ role: 'user', content: 'hello' }],
        params: { maxTokens: 100 },
      });
    });

    it('ignores cache_control, service_tier auto and speed standard (hints that change no answer)', () => {
      const request = map(
        base({
          cache_control: { type: 'ephemeral' },
          service_tier: 'auto',
          speed: 'standard',
          system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral', ttl: '1h' } }],
        }),
      );
      expect(request.messages[0]).toEqual({ role: 'system', content: 'be brief' });
    });

    it('takes null for the refused fields Anthropic types as nullable', () => {
      expect(() => map(base({ container: null, inference_geo: null, speed: null, top_k: null }))).not.toThrow();
    });
  });

  describe('system', () => {
    it('maps a string to a system message first', () => {
      expect(map(base({ system: 'be brief' })).messages).toEqual([
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello' },
      ]);
    });

    it('keeps several text blocks as text parts, inventing no separator', () => {
      expect(
        map(
          base({
            system: [
              { type: 'text', text: 'be brief.' },
              { type: 'text', text: 'be kind.' },
            ],
          }),
        ).messages[0],
      ).toEqual({
        role: 'system',
        content: [
          { type: 'text', text: 'be brief.' },
          { type: 'text', text: 'be kind.' },
        ],
      });
    });

    it('sends no system message for an empty block list', () => {
      expect(map(base({ system: [] })).messages).toEqual([{ role: 'user', content: 'hello' }]);
    });
  });

  describe('messages', () => {
    it('maps text and image blocks (base64 as a data URL, url as is) to content parts', () => {
      const request = map(
        base({
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'what are these?' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
                { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
              ],
            },
          ],
        }),
      );
      expect(request.messages).toEqual([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what are these?' },
            { type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=' },
            { type: 'image', url: 'https://example.com/cat.jpg' },
          ],
        },
      ]);
    });

    it('maps a conversation with a tool round trip: tool_use to toolCalls, tool_result to tool messages', () => {
      const request = map(
        base({
          messages: [
            { role: 'user', content: 'weather in Paris and Rome?' },
            {
              role: 'assistant',
              content: [
                { type: 'text', text: 'Let me look.' },
                { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
                { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Rome' } },
              ],
            },
            {
              role: 'user',
              content: [
                { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' },
                {
                  type: 'tool_result',
                  tool_use_id: 'toolu_2',
                  content: [
                    { type: 'text', text: '24C' },
                    { type: 'text', text: ', sunny' },
                  ],
                },
                { type: 'text', text: 'and in Berlin?' },
              ],
            },
          ],
        }),
      );
      expect(request.messages).toEqual([
        { role: 'user', content: 'weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: 'Let me look.',
          toolCalls: [
            { id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { id: 'toolu_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
          ],
        },
        { role: 'tool', toolCallId: 'toolu_1', content: '18C' },
        {
          role: 'tool',
          toolCallId: 'toolu_2',
          content: [
            { type: 'text', text: '24C' },
            { type: 'text', text: ', sunny' },
          ],
        },
        { role: 'user', content: 'and in Berlin?' },
      ]);
    });

    it('gives an assistant message that only calls tools null content', () => {
      const request = map(
        base({
          messages: [
            USER,
            { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't' }] },
          ],
        }),
      );
      expect(request.messages.slice(1)).toEqual([
        { role: 'assistant', content: null, toolCalls: [{ id: 't', name: 'f', arguments: '{}' }] },
        { role: 'tool', toolCallId: 't', content: '' },
      ]);
    });

    it('tells the model a tool failed (is_error) in the result text', () => {
      const request = map(
        base({
          messages: [
            USER,
            { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
            {
              role: 'user',
              content: [{ type: 'tool_result', tool_use_id: 't', is_error: true, content: 'city not found' }],
            },
          ],
        }),
      );
      expect(request.messages[2]).toEqual({ role: 'tool', toolCallId: 't', content: 'Error: city not found' });
    });

    it("leaves out thinking blocks of earlier turns, as Anthropic's API does", () => {
      const request = map(
        base({
          messages: [
            USER,
            {
              role: 'assistant',
              content: [
                { type: 'thinking', thinking: 'hmm', signature: 'sig' },
                { type: 'redacted_thinking', data: 'xyz' },
                { type: 'text', text: 'hi' },
              ],
            },
            USER,
          ],
        }),
      );
      expect(request.messages[1]).toEqual({ role: 'assistant', content: 'hi' });
    });
  });

  describe('tools', () => {
    const tools = [
      {
        name: 'get_weather',
        description: 'Weather of a city',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
        cache_control: { type: 'ephemeral' },
      },
      { type: 'custom', name: 'now', input_schema: { type: 'object' }, strict: true, eager_input_streaming: true },
    ];

    it('maps tools with their input_schema as parameters', () => {
      expect(map(base({ tools })).tools).toEqual([
        {
          name: 'get_weather',
          description: 'Weather of a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
        { name: 'now', parameters: { type: 'object' }, strict: true },
      ]);
    });

    it.each([
      [{ type: 'auto' }, 'auto'],
      [{ type: 'any' }, 'required'],
      [{ type: 'tool', name: 'now' }, { name: 'now' }],
      [{ type: 'none' }, 'none'],
    ])('maps tool_choice %j to %j', (choice, expected) => {
      const request = map(base({ tools, tool_choice: choice }));
      expect(request.toolChoice).toEqual(expected);
      expect(request.parallelToolCalls).toBeUndefined();
    });

    it('maps disable_parallel_tool_use to parallelToolCalls false', () => {
      expect(map(base({ tools, tool_choice: { type: 'any', disable_parallel_tool_use: true } }))).toMatchObject({
        toolChoice: 'required',
        parallelToolCalls: false,
      });
    });
  });

  describe('thinking and effort', () => {
    it.each([
      [512, 'minimal'],
      [1024, 'low'],
      [4095, 'low'],
      [4096, 'medium'],
      [16_383, 'medium'],
      [16_384, 'high'],
    ])('maps a thinking budget of %d tokens to %s', (budget, effort) => {
      expect(effortForBudget(budget)).toBe(effort);
      expect(
        map(base({ max_tokens: 64_000, thinking: { type: 'enabled', budget_tokens: budget } })).params?.reasoningEffort,
      ).toBe(effort);
    });

    it('sets no effort for thinking disabled or adaptive (the model decides)', () => {
      expect(map(base({ thinking: { type: 'disabled' } })).params).toEqual({ maxTokens: 100 });
      expect(map(base({ thinking: { type: 'adaptive', display: 'omitted' } })).params).toEqual({ maxTokens: 100 });
    });

    it('maps output_config.effort, and takes it with a thinking budget that agrees', () => {
      expect(map(base({ output_config: { effort: 'medium' } })).params?.reasoningEffort).toBe('medium');
      expect(
        map(
          base({
            max_tokens: 10_000,
            output_config: { effort: 'medium' },
            thinking: { type: 'enabled', budget_tokens: 8000 },
          }),
        ).params?.reasoningEffort,
      ).toBe('medium');
    });

    it('maps output_config.format to a strict JSON schema answer', () => {
      const schema = { type: 'object', properties: { a: { type: 'number' } }, additionalProperties: false };
      expect(map(base({ output_config: { format: { type: 'json_schema', schema } } })).responseFormat).toEqual({
        type: 'json_schema',
        name: 'output',
        schema,
        strict: true,
      });
    });
  });

  describe('refusals', () => {
    it.each([
      ['top_k', { top_k: 5 }],
      ['container', { container: 'cntr_1' }],
      ['mcp_servers', { mcp_servers: [{ type: 'url', url: 'https://mcp.example.com', name: 'x' }] }],
      ['inference_geo', { inference_geo: 'us' }],
      ['diagnostics', { diagnostics: { previous_message_id: 'msg_1' } }],
      ['context_management', { context_management: { edits: [] } }],
      ['service_tier', { service_tier: 'standard_only' }],
      ['speed', { speed: 'fast' }],
    ])('refuses %s naming it', (field, extra) => {
      expect(refusal(base(extra))).toMatchObject({
        code: 'invalid_request',
        field,
        message: expect.stringContaining(field) as string,
      });
    });

    it('refuses unknown top-level fields naming them', () => {
      const err = refusal(base({ top_kk: 1, reasoning_effort: 'low' }));
      expect(err.code).toBe('invalid_request');
      expect(err.message).toContain('unknown key "top_kk" (did you mean "top_k"?)');
      expect(err.message).toContain('unknown key "reasoning_effort"');
    });

    it('refuses a body without max_tokens, or with max_tokens 0, as Anthropic does', () => {
      const { max_tokens: _, ...without } = base();
      expect(refusal(without)).toMatchObject({ field: 'max_tokens' });
      expect(refusal(base({ max_tokens: 0 }))).toMatchObject({ field: 'max_tokens' });
    });

    it('refuses temperature above 1 (Anthropic range), more than 4 stop sequences, a long user_id', () => {
      expect(refusal(base({ temperature: 1.5 }))).toMatchObject({ field: 'temperature' });
      expect(refusal(base({ stop_sequences: ['a', 'b', 'c', 'd', 'e'] }))).toMatchObject({
        field: 'stop_sequences',
        message: expect.stringContaining('up to 4') as string,
      });
      expect(refusal(base({ metadata: { user_id: 'u'.repeat(129) } }))).toMatchObject({ field: 'metadata.user_id' });
    });

    it('refuses a system role in messages, pointing to the system field', () => {
      expect(refusal(base({ messages: [{ role: 'system', content: 'x' }, USER] }))).toMatchObject({
        field: 'messages.0.role',
        message: expect.stringContaining('top-level "system"') as string,
      });
    });

    it('refuses a final assistant message (prefill)', () => {
      expect(refusal(base({ messages: [USER, { role: 'assistant', content: '{' }] }))).toMatchObject({
        field: 'messages.1',
        message: expect.stringContaining('prefill') as string,
      });
    });

    it.each([
      ['document', { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } }],
      ['search_result', { type: 'search_result', source: 's', title: 't', content: [] }],
      ['container_upload', { type: 'container_upload', file_id: 'f' }],
    ])('refuses %s blocks naming the block', (type, block) => {
      expect(refusal(base({ messages: [{ role: 'user', content: [block] }] }))).toMatchObject({
        field: 'messages.0.content.0.type',
        message: expect.stringContaining(type) as string,
      });
    });

    it('refuses an image by file_id, naming its source', () => {
      const image = { type: 'image', source: { type: 'file', file_id: 'file_1' } };
      expect(refusal(base({ messages: [{ role: 'user', content: [image] }] }))).toMatchObject({
        field: 'messages.0.content.0.source.type',
        message: expect.stringContaining('file_id') as string,
      });
    });

    it('refuses an image that is not an image type or not an http(s) URL', () => {
      const png = (source: Record<string, unknown>) =>
        base({ messages: [{ role: 'user', content: [{ type: 'image', source }] }] });
      expect(refusal(png({ type: 'base64', media_type: 'application/pdf', data: 'x' }))).toMatchObject({
        field: 'messages.0.content.0.source.media_type',
      });
      expect(refusal(png({ type: 'url', url: 'file:///etc/passwd' }))).toMatchObject({
        field: 'messages.0.content.0.source.url',
      });
    });

    it('refuses an image inside a tool_result, naming it', () => {
      const result = {
        type: 'tool_result',
        tool_use_id: 't',
        content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }],
      };
      expect(refusal(base({ messages: [{ role: 'user', content: [result] }] }))).toMatchObject({
        field: 'messages.0.content.0.content.0.type',
        message: expect.stringContaining('an image in a tool_result is not supported') as string,
      });
    });

    it('refuses an image in an assistant message and server tool blocks', () => {
      const image = { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } };
      expect(refusal(base({ messages: [{ role: 'assistant', content: [image] }, USER] }))).toMatchObject({
        field: 'messages.0.content.0.type',
      });
      const serverTool = { type: 'server_tool_use', id: 's', name: 'web_search', input: {} };
      expect(refusal(base({ messages: [{ role: 'assistant', content: [serverTool] }, USER] }))).toMatchObject({
        field: 'messages.0.content.0.type',
        message: expect.stringContaining('server tools') as string,
      });
    });

    it('refuses citations on a text block', () => {
      const text = { type: 'text', text: 'x', citations: [{ type: 'char_location' }] };
      expect(refusal(base({ messages: [{ role: 'user', content: [text] }] }))).toMatchObject({
        field: 'messages.0.content.0.citations',
      });
    });

    it('refuses unknown keys in blocks, naming the block', () => {
      expect(
        refusal(base({ messages: [{ role: 'user', content: [{ type: 'text', text: 'x', txt: 'y' }] }] })),
      ).toMatchObject({
        field: 'messages.0.content.0',
        message: expect.stringContaining('unknown key "txt"') as string,
      });
    });

    it('refuses server tools, tool fields it cannot honour, and bad tool names', () => {
      expect(
        refusal(base({ tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }] })),
      ).toMatchObject({
        field: 'tools.0.type',
        message: expect.stringContaining('only client tools') as string,
      });
      expect(refusal(base({ tools: [{ name: 'f', input_schema: {}, input_examples: [{ a: 1 }] }] }))).toMatchObject({
        field: 'tools.0',
        message: expect.stringContaining('input_examples') as string,
      });
      expect(refusal(base({ tools: [{ name: 'get weather', input_schema: {} }] }))).toMatchObject({
        field: 'tools.0.name',
      });
    });

    it('refuses a tool_choice without tools or naming no tool', () => {
      expect(refusal(base({ tool_choice: { type: 'any' } }))).toMatchObject({ field: 'tool_choice' });
      expect(
        refusal(base({ tools: [{ name: 'f', input_schema: {} }], tool_choice: { type: 'tool', name: 'g' } })),
      ).toMatchObject({ field: 'tool_choice.name' });
    });

    it('refuses thinking it cannot honour', () => {
      expect(refusal(base({ thinking: { type: 'enabled', budget_tokens: 100 } }))).toMatchObject({
        field: 'thinking.budget_tokens',
        message: expect.stringContaining('less than max_tokens') as string,
      });
      expect(refusal(base({ thinking: { type: 'between_tools' } }))).toMatchObject({ field: 'thinking.type' });
    });

    it('refuses effort levels no model of ours has, and an effort that disagrees with the budget', () => {
      expect(refusal(base({ output_config: { effort: 'max' } }))).toMatchObject({ field: 'output_config.effort' });
      expect(
        refusal(
          base({
            max_tokens: 64_000,
            output_config: { effort: 'low' },
            thinking: { type: 'enabled', budget_tokens: 32_000 },
          }),
        ),
      ).toMatchObject({ field: 'output_config.effort', message: expect.stringContaining('disagrees') as string });
    });
  });
});

const success = (overrides: Partial<ChatSuccess> = {}) => chatSuccess({ model: 'claude-3-haiku', ...overrides });

describe(toAnthropic.name, () => {
  it('answers a Message with the text, usage and routing metadata alongside', () => {
    expect(toAnthropic(success())).toEqual({
      id: 'msg_r-9',
      type: 'message',
      role: 'assistant',
      model: 'claude-3-haiku',
      content: [{ type: 'text', text: 'Hello.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 4 },
      switchyard: expect.objectContaining({
        requestId: 'r-9',
        tenant: 'acme',
        costUsd: 0.001,
        replayed: false,
      }) as object,
    });
  });

  it('answers tool calls as tool_use blocks with parsed input, no text block when there is no text', () => {
    const message = toAnthropic(
      success({
        answer: {
          role: 'assistant',
          content: '',
          toolCalls: [
            { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { id: 'call_2', name: 'now', arguments: '' },
          ],
        },
        finishReason: 'tool_calls',
      }),
    );
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'now', input: {} },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.switchyard).not.toHaveProperty('unparsedToolInputs');
  });

  it('gives unparseable arguments input {} and keeps them as written under switchyard', () => {
    const message = toAnthropic(
      success({
        answer: { role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'f', arguments: '{"city": "Par' }] },
        finishReason: 'length',
      }),
    );
    expect(message.content).toEqual([{ type: 'tool_use', id: 'c', name: 'f', input: {} }]);
    expect(message.switchyard.unparsedToolInputs).toEqual({ c: '{"city": "Par' });
  });
});

describe(stopReason.name, () => {
  it.each([
    ['stop', 'end_turn'],
    ['other', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['content_filter', 'refusal'],
  ] as const)('maps %s to %s', (finishReason, expected) => {
    expect(stopReason({ finishReason, answer: { role: 'assistant', content: '' } })).toBe(expected);
  });

  it('says tool_use when a provider reports stop on an answer that calls tools', () => {
    const answer = { role: 'assistant' as const, content: '', toolCalls: [{ id: 'c', name: 'f', arguments: '{}' }] };
    expect(stopReason({ finishReason: 'stop', answer })).toBe('tool_use');
    expect(stopReason({ finishReason: 'length', answer })).toBe('max_tokens');
  });
});

describe(toolInput.name, () => {
  it('parses a JSON object, takes empty text as {}, and refuses anything else', () => {
    expect(toolInput('{"a":1}')).toEqual({ a: 1 });
    expect(toolInput('  ')).toEqual({});
    expect(toolInput('[1]')).toBeUndefined();
    expect(toolInput('"x"')).toBeUndefined();
    expect(toolInput('{')).toBeUndefined();
  });
});

describe(toAnthropicError.name, () => {
  it.each([
    ['invalid_request', 'invalid_request_error'],
    ['invalid_json', 'invalid_request_error'],
    ['payload_too_large', 'request_too_large'],
    ['unauthorized', 'authentication_error'],
    ['unknown_tenant', 'permission_error'],
    ['not_found', 'not_found_error'],
    ['no_route', 'invalid_request_error'],
    ['rate_limited', 'rate_limit_error'],
    ['all_quotas_exhausted', 'rate_limit_error'],
    ['provider_error', 'api_error'],
    ['timeout', 'timeout_error'],
    ['request_timeout', 'timeout_error'],
    ['unavailable', 'overloaded_error'],
    ['internal_error', 'api_error'],
  ] as const)('gives %s the Anthropic type %s', (code, type) => {
    expect(toAnthropicError({ code, message: 'm' }).error).toEqual({ type, message: 'm' });
  });

  it('carries the request id and our code and field alongside', () => {
    expect(toAnthropicError({ code: 'invalid_request', message: 'm', field: 'top_k' }, 'r-1')).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'm' },
      request_id: 'r-1',
      switchyard: { requestId: 'r-1', error: { code: 'invalid_request', message: 'm', field: 'top_k' } },
    });
  });
});
