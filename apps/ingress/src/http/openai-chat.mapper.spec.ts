import { fromOpenAi, openAiChatRequestSchema, toOpenAiError, toOpenAiStream } from './openai-chat.mapper';

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

  it('refuses a pinned model naming the field', () => {
    const body = openAiChatRequestSchema.parse({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
    expect(() => fromOpenAi(body, {})).toThrow(
      expect.objectContaining({ code: 'invalid_request', field: 'model' }) as Error,
    );
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
    const reply = {
      ok: true as const,
      requestId: 'r-9',
      tenant: 't',
      model: 'm',
      provider: 'simulated',
      answer: { role: 'assistant' as const, content: 'Hello there, world.' },
      finishReason: 'stop' as const,
      decision: {
        plan: { kind: 'single' as const, model: 'm' },
        method: 'rule' as const,
        reason: 'r',
        params: {},
        policyVersion: 'p',
        alternatives: ['m'],
      },
      difficulty: 0,
      usage: { inputTokens: 3, outputTokens: 4, estimated: false },
      costUsd: 0.001,
      latency: { totalMs: 1, routingMs: 0, providerMs: 1 },
    };
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
