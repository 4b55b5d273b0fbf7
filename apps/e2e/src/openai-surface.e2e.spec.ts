import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceStack } from '@switchyard/launcher';
import { FakeProviderServer, uniqueName } from '@switchyard/testing';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { TENANT_KEYS, e2eStack } from './stack';

type Routed = { switchyard: { decision: { method: string; filtered?: Array<{ model: string; why: string }> } } };

/** A one-pixel PNG, as a data URL. */
const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const WEATHER: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

// The whole chat request surface with the official `openai` client, through ingress, the router and the real
// OpenAI and Anthropic adapters to a fake provider on this machine that speaks both wire formats (and refuses
// what the real APIs refuse: a tool message without its id, temperature for a reasoning model).
describe('the chat request surface, end to end with the official OpenAI client', () => {
  const fake = new FakeProviderServer();
  let stack: ServiceStack;
  let client: OpenAI;
  let baseURL: string;

  beforeAll(async () => {
    await fake.start();
    const url = `${fake.baseUrl}/v1`;
    const policyFile = join(mkdtempSync(join(tmpdir(), 'openai-surface-')), 'policy.yaml');
    writeFileSync(
      policyFile,
      [
        'version: openai-surface@1',
        'models:',
        `  - { id: text-small, provider: openai-compatible, baseUrl: "${url}", tier: cheap, priceUsdPerMTok: { input: 0.1, output: 0.2 }, contextWindow: 16000, capabilities: [json] }`,
        `  - { id: gpt-fake, provider: openai-compatible, baseUrl: "${url}", tier: premium, priceUsdPerMTok: { input: 2, output: 8 }, contextWindow: 128000, capabilities: [vision, tools, json, n, seed, logprobs, penalties] }`,
        `  - { id: claude-fake, provider: anthropic, baseUrl: "${fake.baseUrl}", apiKeyEnv: SWITCHYARD_KEY_ANTHROPIC, tier: balanced, priceUsdPerMTok: { input: 3, output: 15 }, contextWindow: 200000, capabilities: [vision, tools, json] }`,
        `  - { id: o3-fake, deployment: o3-mini, provider: openai-compatible, baseUrl: "${url}", tier: premium, priceUsdPerMTok: { input: 1.1, output: 4.4 }, contextWindow: 200000, capabilities: [tools, json, reasoning] }`,
        'default: { route: { model: text-small }, params: { temperature: 0.7 } }',
        '',
      ].join('\n'),
    );
    stack = e2eStack(uniqueName('openai-surface'), {
      env: {
        POLICY_FILE: policyFile,
        POLICY_ALLOWED_HOSTS: new URL(fake.baseUrl).host,
        SWITCHYARD_KEY_ANTHROPIC: 'sk-ant-fake',
        PROVIDER_MAX_ATTEMPTS: '1',
      },
    });
    await stack.start();
    baseURL = `${stack.get('ingress').baseUrl}/v1`;
    client = new OpenAI({ baseURL, apiKey: TENANT_KEYS.acme, maxRetries: 0 });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await fake.stop();
  }, 60_000);

  /** The requests the fake provider received since `from`. */
  const sentSince = (from: number) => fake.requests.slice(from);

  it('lists auto and the policy models at /v1/models, and answers one model by id', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids[0]).toBe('auto');
    expect(ids).toEqual(expect.arrayContaining(['text-small', 'gpt-fake', 'claude-fake', 'o3-fake']));
    const one = await client.models.retrieve('claude-fake');
    expect(one).toMatchObject({ id: 'claude-fake', object: 'model' });
    await expect(client.models.retrieve('nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('runs a tools round trip: a tool call, then the tool message with its id, then the answer', async () => {
    const from = fake.requests.length;
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.chat.completions.create({ model: 'auto', messages, tools: [WEATHER] });
    const call = first.choices[0].message.tool_calls?.[0];
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    // The cheap text-only model cannot call tools: the router took it out and said why.
    expect(first.model).not.toBe('text-small');
    expect((first as unknown as Routed).switchyard.decision.filtered).toEqual(
      expect.arrayContaining([expect.objectContaining({ model: 'text-small' })]),
    );
    messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call!.id, content: '{"celsius":18}' });
    const second = await client.chat.completions.create({ model: first.model, messages, tools: [WEATHER] });
    expect(second.choices[0].finish_reason).toBe('stop');
    expect(second.choices[0].message.content?.length).toBeGreaterThan(0);
    // The provider got the tool message with the id it answers (a real provider refuses it without).
    const wire = JSON.stringify(sentSince(from).map((r) => r.body));
    expect(wire).toContain(call!.id);
  });

  it('streams a tool call in pieces the SDK puts back together', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-fake',
      stream: true,
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      tools: [WEATHER],
    });
    let name = '';
    let args = '';
    let id = '';
    let finish: string | null = null;
    let pieces = 0;
    for await (const chunk of stream) {
      for (const piece of chunk.choices[0]?.delta?.tool_calls ?? []) {
        pieces++;
        id ||= piece.id ?? '';
        name += piece.function?.name ?? '';
        args += piece.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe('get_weather');
    // As the provider wrote it: the call's id and name first, then its arguments in pieces.
    expect(pieces).toBeGreaterThan(1);
    expect(id.length).toBeGreaterThan(0);
    expect(() => JSON.parse(args) as unknown).not.toThrow();
    expect(finish).toBe('tool_calls');
  });

  it('answers JSON that follows a JSON schema, through the OpenAI and the Anthropic adapter', async () => {
    const format = {
      type: 'json_schema' as const,
      json_schema: {
        name: 'city',
        schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      },
    };
    for (const model of ['gpt-fake', 'claude-fake']) {
      const from = fake.requests.length;
      const completion = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Name a city' }],
        response_format: format,
      });
      expect(completion.model).toBe(model);
      const parsed = JSON.parse(completion.choices[0].message.content ?? '') as Record<string, unknown>;
      expect(typeof parsed['name']).toBe('string');
      expect(sentSince(from).length).toBe(1);
    }
  });

  it('sends an image to a vision model, and refuses it for a text-only model naming the field', async () => {
    const from = fake.requests.length;
    const content: OpenAI.ChatCompletionContentPart[] = [
      { type: 'text', text: 'What is in this picture?' },
      { type: 'image_url', image_url: { url: PIXEL } },
    ];
    const routed = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content }] });
    expect(['gpt-fake', 'claude-fake']).toContain(routed.model);
    expect(JSON.stringify(sentSince(from).map((r) => r.body))).toContain('iVBORw0KGgo');

    const refused = await client.chat.completions
      .create({ model: 'text-small', messages: [{ role: 'user', content }] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).message).toMatch(/vision/);
    expect((refused as InstanceType<typeof OpenAI.APIError>).param).toMatch(/^messages\.0\.content/);
  });

  it('pins a model: that model answers and the decision says pinned', async () => {
    const from = fake.requests.length;
    const completion = await client.chat.completions.create({
      model: 'claude-fake',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(completion.model).toBe('claude-fake');
    expect((completion as unknown as Routed).switchyard.decision.method).toBe('pinned');
    expect(sentSince(from).map((r) => r.path)).toEqual(['/v1/messages']);
    const unknown = await client.chat.completions
      .create({ model: 'gpt-9', messages: [{ role: 'user', content: 'hello' }] })
      .catch((e: unknown) => e);
    expect(unknown).toMatchObject({ status: 400, param: 'model' });
  });

  it("calls a reasoning model its way: max_completion_tokens, no policy temperature; a caller's temperature is refused", async () => {
    const from = fake.requests.length;
    const completion = await client.chat.completions.create({
      model: 'o3-fake',
      max_completion_tokens: 500,
      reasoning_effort: 'low',
      messages: [{ role: 'user', content: 'Prove it' }],
    });
    expect(completion.model).toBe('o3-fake');
    const [sent] = sentSince(from);
    expect(sent.body).toMatchObject({ model: 'o3-mini', max_completion_tokens: 500, reasoning_effort: 'low' });
    expect(sent.body).not.toHaveProperty('temperature');
    expect(sent.body).not.toHaveProperty('max_tokens');

    const refused = await client.chat.completions
      .create({ model: 'o3-fake', temperature: 0.2, messages: [{ role: 'user', content: 'Prove it' }] })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 400, param: 'temperature' });
  });

  it("takes Anthropic's SDK through /v1/messages to both wire formats: a tool round trip on each", async () => {
    const anthropic = new Anthropic({ baseURL: stack.get('ingress').baseUrl, apiKey: TENANT_KEYS.acme, maxRetries: 0 });
    const tools: Anthropic.Tool[] = [
      {
        name: 'get_weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ];
    const question: Anthropic.MessageParam = { role: 'user', content: 'Weather in Rome?' };
    for (const [model, path] of [
      ['claude-fake', '/v1/messages'],
      ['gpt-fake', '/v1/chat/completions'],
    ]) {
      const from = fake.requests.length;
      const first = await anthropic.messages.create({ model, max_tokens: 256, tools, messages: [question] });
      expect(first.stop_reason).toBe('tool_use');
      const call = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
      const second = await anthropic.messages.create({
        model,
        max_tokens: 256,
        tools,
        messages: [
          question,
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '21C' }] },
        ],
      });
      expect(second.stop_reason).toBe('end_turn');
      const sent = sentSince(from);
      expect(sent.map((r) => r.path)).toEqual([path, path]);
      // The provider got the tool result tied to its call, in its own wire format.
      expect(JSON.stringify(sent[1].body)).toContain(call.id);
    }
  });

  it('refuses what it cannot honour by name, never dropping it', async () => {
    const err = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }], logit_bias: { '1': 5 } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, param: 'logit_bias' });
  });
});
