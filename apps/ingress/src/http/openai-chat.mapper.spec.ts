import { chatSuccess } from '../testing/chat-success.fixture';
import { chatRequestSchema, parsePayload } from '@switchyard/contracts';
import {
  fromOpenAi,
  openAiChatRequestSchema,
  openAiParam,
  toOpenAi,
  toOpenAiError,
  toOpenAiStream,
} from './openai-chat.mapper';

describe(fromOpenAi.name, () => {
  it('maps messages, content parts, developer role and params', () => {
    const body = openAiChatRequestSchema.parse({
      model: 'auto',
      messages: [
        { role: 'developer', content: 'be brief' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hello ' },
            { type: 'text', text: 'world' },
          ],
        },
      ],
      temperature: 0.2,
      max_tokens: 50,
      max_completion_tokens: 80,
      user: 'u-1',
    });
    expect(fromOpenAi(body, { requestId: 'r', tenant: 't' })).toEqual({
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello world' },
      ],
      params: { temperature: 0.2, maxTokens: 80 },
      user: 'u-1',
      requestId: 'r',
      tenant: 't',
    });
  });

  it('passes a pinned model or a profile on, and leaves auto to the router', () => {
    const ask = (model: string) =>
      fromOpenAi(openAiChatRequestSchema.parse({ model, messages: [{ role: 'user', content: 'x' }] }), {});
    expect(ask('gpt-4o').model).toBe('gpt-4o');
    expect(ask('auto:cheap').model).toBe('auto:cheap');
    expect(ask('auto').model).toBeUndefined();
  });

  it('maps tools, tool choice, tool calls and tool messages', () => {
    const body = openAiChatRequestSchema.parse({
      model: 'auto',
      messages: [
        { role: 'user', content: 'weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18C' },
      ],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'weather' } },
      parallel_tool_calls: false,
    });
    const request = fromOpenAi(body, {});
    expect(request.messages[1]).toEqual({
      role: 'assistant',
      content: null,
      toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }],
    });
    expect(request.messages[2]).toEqual({ role: 'tool', content: '18C', toolCallId: 'call_1' });
    expect(request.tools).toEqual([{ name: 'weather', parameters: { type: 'object' }, strict: true }]);
    expect(request.toolChoice).toEqual({ name: 'weather' });
    expect(request.parallelToolCalls).toBe(false);
    expect(chatRequestSchema.safeParse(request).success).toBe(true);
  });

  it('maps images, JSON schema answers and the rest of the sampling fields', () => {
    const body = openAiChatRequestSchema.parse({
      model: 'auto',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
          ],
        },
      ],
      response_format: { type: 'json_schema', json_schema: { name: 'thing', schema: { type: 'object' } } },
      stop: 'END',
      n: 2,
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      logprobs: true,
      top_logprobs: 3,
      reasoning_effort: 'low',
    });
    const request = fromOpenAi(body, {});
    expect(request.messages[0].content).toEqual([
      { type: 'text', text: 'what is this?' },
      { type: 'image', url: 'https://example.com/a.png', detail: 'low' },
    ]);
    expect(request.responseFormat).toEqual({ type: 'json_schema', name: 'thing', schema: { type: 'object' } });
    expect(request.params).toEqual({
      stop: ['END'],
      n: 2,
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      logprobs: true,
      topLogprobs: 3,
      reasoningEffort: 'low',
    });
    expect(chatRequestSchema.safeParse(request).success).toBe(true);
  });

  it('refuses what no route can honour, naming the field', () => {
    const ask = (extra: Record<string, unknown>) => () =>
      fromOpenAi(
        parsePayload(
          openAiChatRequestSchema,
          { model: 'auto', messages: [{ role: 'user', content: 'x' }], ...extra },
          'request',
        ),
        {},
      );
    expect(ask({ logit_bias: { '50256': -100 } })).toThrow(expect.objectContaining({ field: 'logit_bias' }) as Error);
    expect(ask({ functions: [] })).toThrow(/use tools/);
    expect(ask({ store: true })).toThrow(expect.objectContaining({ field: 'store' }) as Error);
    expect(ask({ modalities: ['text', 'audio'] })).toThrow(expect.objectContaining({ field: 'modalities' }) as Error);
    expect(ask({ modalities: ['text'] })).not.toThrow();
    expect(ask({ max_tokenz: 5 })).toThrow('unknown key "max_tokenz" (did you mean "max_tokens"?)');
  });
});

describe(openAiParam.name, () => {
  it("names a field of Switchyard's request as OpenAI's request has it", () => {
    expect(openAiParam('params.maxTokens')).toBe('max_tokens');
    expect(openAiParam('params.temperature')).toBe('temperature');
    expect(openAiParam('responseFormat')).toBe('response_format');
    expect(openAiParam('messages.1.toolCallId')).toBe('messages.1.tool_call_id');
    expect(openAiParam('Idempotency-Key')).toBe('Idempotency-Key');
    expect(openAiParam(undefined)).toBeNull();
  });
});

describe(toOpenAiError.name, () => {
  it('puts our code and field where OpenAI SDKs read them', () => {
    expect(toOpenAiError({ code: 'invalid_request', message: 'm', field: 'messages' }).error).toEqual({
      message: 'm',
      type: 'invalid_request',
      code: 'invalid_request',
      param: 'messages',
    });
  });
});

describe(toOpenAiStream.name, () => {
  it('streams the role, the content in pieces, then finish reason, usage and routing metadata, then [DONE]', () => {
    const reply = chatSuccess({ tenant: 't', answer: { role: 'assistant', content: 'Hello there, world.' } });
    const events = toOpenAiStream(reply);
    expect(events[events.length - 1]).toBe('data: [DONE]\n\n');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')) as Record<string, any>);
    expect(chunks.every((c) => c['object'] === 'chat.completion.chunk' && c['id'] === 'chatcmpl-r-9')).toBe(true);
    expect(chunks.map((c) => c['choices'][0].delta.content ?? '').join('')).toBe('Hello there, world.');
    const last = chunks[chunks.length - 1];
    expect(last['choices'][0].finish_reason).toBe('stop');
    expect(last['usage']).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(last['switchyard']).toMatchObject({ requestId: 'r-9', costUsd: 0.001 });
  });
});

describe(toOpenAi.name, () => {
  it('answers tool calls as OpenAI does: null content, tool_calls, finish reason tool_calls', () => {
    const reply = chatSuccess({
      requestId: 'r-1',
      answer: { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'weather', arguments: '{}' }] },
      finishReason: 'tool_calls',
    });
    expect(toOpenAi(reply).choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{}' } }],
        },
        finish_reason: 'tool_calls',
        logprobs: null,
      },
    ]);
    const events = toOpenAiStream(reply, true);
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')) as Record<string, any>);
    expect(chunks.some((c) => c['choices'][0]?.delta?.tool_calls?.[0]?.function?.name === 'weather')).toBe(true);
    expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: { total_tokens: 7 } });
  });
});
