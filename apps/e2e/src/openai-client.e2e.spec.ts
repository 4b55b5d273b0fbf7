import OpenAI from 'openai';
import { uniqueName } from '@switchyard/testing';
import { TENANT_KEYS, e2eStack } from './stack';

// The official `openai` npm client, pointed at ingress: switching to Switchyard is a base URL change.
describe('the official OpenAI client against ingress', () => {
  const stack = e2eStack(uniqueName('openai'));
  let client: OpenAI;

  beforeAll(async () => {
    await stack.start();
    client = new OpenAI({ baseURL: `${stack.get('ingress').baseUrl}/v1`, apiKey: TENANT_KEYS.acme, maxRetries: 0 });
  }, 120_000);

  afterAll(() => stack.stop(), 60_000);

  it('gets a normal completion with the routing metadata alongside', async () => {
    const completion = await client.chat.completions.create({
      model: 'auto',
      messages: [{ role: 'user', content: 'Please implement a stack in Go' }],
    });
    expect(completion.choices[0].message.content?.length).toBeGreaterThan(0);
    expect(completion.model).toBe('claude-3-sonnet');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    expect((completion as unknown as { switchyard: { decision: { rule: string } } }).switchyard.decision.rule).toBe(
      'code_generation',
    );
  });

  it('gets a streamed completion whose pieces make the answer, metadata in the last chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'auto',
      stream: true,
      messages: [{ role: 'user', content: '你好' }],
    });
    let text = '';
    let last: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      last = chunk;
    }
    expect(text.startsWith('[gpt-4o-mini]')).toBe(true);
    expect(last).toMatchObject({
      choices: [{ finish_reason: expect.stringMatching(/stop|length/) }],
      switchyard: { decision: { rule: 'greeting' } },
    });
  });

  it('surfaces our errors as the SDK error types, with code and field', async () => {
    const err = await client.chat.completions
      .create({ model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    // A model the policy does not have: named, with the ones it has.
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_request', param: 'model' });
    const unauth = await new OpenAI({
      baseURL: `${stack.get('ingress').baseUrl}/v1`,
      apiKey: 'wrong',
      maxRetries: 0,
    }).chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(unauth).toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
