import Anthropic from '@anthropic-ai/sdk';
import { uniqueName } from '@switchyard/testing';
import { TENANT_KEYS, e2eStack } from './stack';

interface Routed {
  switchyard: { requestId: string; decision: { rule?: string } };
}

// The official `@anthropic-ai/sdk` client, pointed at ingress: switching to Switchyard is a base URL change.
describe("the official Anthropic client against ingress's Messages door", () => {
  const stack = e2eStack(uniqueName('anthropic'));
  let client: Anthropic;

  beforeAll(async () => {
    await stack.start();
    client = new Anthropic({ baseURL: stack.get('ingress').baseUrl, apiKey: TENANT_KEYS.acme, maxRetries: 0 });
  }, 120_000);

  afterAll(() => stack.stop(), 60_000);

  it('gets a message with usage, the request id and the routing metadata alongside', async () => {
    const message = await client.messages.create({
      model: 'auto',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Please implement a stack in Go' }],
    });
    expect(message).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-3-sonnet' });
    expect(message.content[0].type === 'text' && message.content[0].text.length).toBeGreaterThan(0);
    expect(message.stop_reason).toMatch(/^(end_turn|max_tokens)$/);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    const routed = message as unknown as Routed;
    expect(routed.switchyard.decision.rule).toBe('code_generation');
    expect(message.id).toBe(`msg_${routed.switchyard.requestId}`);
    expect(message._request_id).toBe(routed.switchyard.requestId);
  });

  it('streams a message whose text pieces make the answer, with usage at the end', async () => {
    const stream = client.messages.stream({
      model: 'auto',
      max_tokens: 256,
      messages: [{ role: 'user', content: '你好' }],
    });
    let text = '';
    stream.on('text', (piece) => (text += piece));
    const message = await stream.finalMessage();
    expect(text.startsWith('[gpt-4o-mini]')).toBe(true);
    expect(message.content).toEqual([{ type: 'text', text }]);
    expect(message.stop_reason).toMatch(/^(end_turn|max_tokens)$/);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('streams with create({ stream: true }): the raw events in order', async () => {
    const stream = await client.messages.create({
      model: 'auto',
      max_tokens: 256,
      stream: true,
      messages: [{ role: 'user', content: 'hello' }],
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(types).toContain('content_block_delta');
  });

  it('replays a request by Idempotency-Key: whole, and as a stream built from the whole answer', async () => {
    const key = uniqueName('anthropic-replay');
    const body = { model: 'auto', max_tokens: 256, messages: [{ role: 'user' as const, content: 'hello there' }] };
    const first = await client.messages.stream(body, { headers: { 'Idempotency-Key': key } }).finalMessage();
    const again = await client.messages.create(body, { headers: { 'Idempotency-Key': key } });
    expect(again.content).toEqual(first.content);
    expect((again as unknown as { switchyard: { replayed: boolean } }).switchyard.replayed).toBe(true);
    const streamedAgain = await client.messages.stream(body, { headers: { 'Idempotency-Key': key } }).finalMessage();
    expect(streamedAgain.content).toEqual(first.content);
    expect(streamedAgain.id).toBe(first.id);
    expect(streamedAgain.usage).toMatchObject(first.usage);
  });

  it("lists auto and the policy's models in Anthropic's list shape", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids[0]).toBe('auto');
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o-mini', 'claude-3-haiku', 'claude-3-sonnet', 'gpt-4o']));
  });

  it('sends the system prompt to the model', async () => {
    const ask = (system?: string) =>
      client.messages.create({
        model: 'auto',
        max_tokens: 256,
        ...(system ? { system } : {}),
        messages: [{ role: 'user', content: 'hello' }],
      });
    const [plain, withSystem] = await Promise.all([
      ask(),
      ask('You are a terse assistant who answers every question in one short sentence, in English.'),
    ]);
    // The simulated model counts the prompt it is given: the system message's tokens are in it.
    expect(withSystem.usage.input_tokens).toBeGreaterThan(plain.usage.input_tokens + 10);
  });

  it('refuses what it cannot honour with a 400 naming the field, and a wrong key with a 401', async () => {
    const err = await client.messages
      .create({
        model: 'auto',
        max_tokens: 256,
        messages: [{ role: 'user', content: 'hello' }],
        // top_k is refused by name: not every model Switchyard routes to takes it.
        ...({ top_k: 5 } as object),
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err).toMatchObject({ status: 400, error: { type: 'error', error: { type: 'invalid_request_error' } } });
    expect((err as Error).message).toContain('top_k');
    // The same body fails the same way: the SDK is told not to retry it.
    expect((err as InstanceType<typeof Anthropic.APIError>).headers?.get('x-should-retry')).toBe('false');

    const unauth = await new Anthropic({
      baseURL: stack.get('ingress').baseUrl,
      apiKey: 'wrong',
      maxRetries: 0,
    }).messages
      .create({ model: 'auto', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(unauth).toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it('takes the key as a Bearer token too (authToken)', async () => {
    const bearer = new Anthropic({
      baseURL: stack.get('ingress').baseUrl,
      apiKey: null,
      authToken: TENANT_KEYS.acme,
      maxRetries: 0,
    });
    const message = await bearer.messages.create({
      model: 'auto',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(message.content.length).toBeGreaterThan(0);
  });

  it('runs a tool round trip: a tool_use answer, then the tool_result gets a text answer', async () => {
    const tools: Anthropic.Tool[] = [
      {
        name: 'get_weather',
        description: 'The weather of a city',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ];
    const question: Anthropic.MessageParam = { role: 'user', content: 'What is the weather in Paris?' };
    const first = await client.messages.create({ model: 'auto', max_tokens: 512, tools, messages: [question] });
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(call).toMatchObject({ name: 'get_weather', input: { city: expect.any(String) as string } });

    // The same turn streamed: the tool call arrives as a tool_use block the SDK assembles.
    const streamed = await client.messages
      .stream({ model: 'auto', max_tokens: 512, tools, messages: [question] })
      .finalMessage();
    expect(streamed.stop_reason).toBe('tool_use');
    expect(streamed.content.find((b) => b.type === 'tool_use')).toMatchObject({
      name: 'get_weather',
      input: call?.input,
    });

    const second = await client.messages.create({
      model: 'auto',
      max_tokens: 512,
      tools,
      messages: [
        question,
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: call?.id ?? '', content: '18 degrees and sunny' }],
        },
      ],
    });
    expect(second.stop_reason).toMatch(/^(end_turn|max_tokens)$/);
    // The simulated model answers from what the tool said, quoting it.
    expect(second.content[0]).toMatchObject({
      type: 'text',
      text: expect.stringContaining('18 degrees and sunny') as string,
    });
  });
});
