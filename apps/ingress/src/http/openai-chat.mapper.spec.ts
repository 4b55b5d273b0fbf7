import { fromOpenAi, openAiChatRequestSchema, toOpenAiError } from './openai-chat.mapper';

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
