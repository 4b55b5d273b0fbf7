import type { ChatMessage, ModelSpec, Tool } from '@switchyard/contracts';
import type { AnswerPiece, ProviderCall } from '../lib/provider-adapter';
import { SimulatedAdapter } from './simulated.adapter';

const model: ModelSpec = {
  id: 'm-1',
  provider: 'simulated',
  tier: 'cheap',
  priceUsdPerMTok: { input: 1, output: 2 },
  capabilities: [],
};

describe(SimulatedAdapter.name, () => {
  const sut = new SimulatedAdapter();
  describe('complete', () => {
    it('answers the same prompt the same way', async () => {
      const call = {
        requestId: 'r',
        model,
        messages: [{ role: 'user' as const, content: 'Explain TCP slow start' }],
        params: {},
      };
      const a = await sut.complete(call);
      const b = await sut.complete({ ...call, requestId: 'other' });
      expect(a).toEqual(b);
      expect(a.content.startsWith('[m-1] ')).toBe(true);
    });
    it('reports more output for a longer prompt', async () => {
      const short = await sut.complete({
        requestId: 'r',
        model,
        messages: [{ role: 'user', content: 'hi' }],
        params: {},
      });
      const long = await sut.complete({
        requestId: 'r',
        model,
        messages: [{ role: 'user', content: 'word '.repeat(2000) }],
        params: {},
      });
      expect(long.usage!.inputTokens).toBeGreaterThan(short.usage!.inputTokens);
      expect(long.usage!.outputTokens).toBeGreaterThan(short.usage!.outputTokens);
    });
    it('stops at maxTokens and says so', async () => {
      const r = await sut.complete({
        requestId: 'r',
        model,
        messages: [{ role: 'user', content: 'word '.repeat(500) }],
        params: { maxTokens: 10 },
      });
      expect(r.usage!.outputTokens).toBe(10);
      expect(r.finishReason).toBe('length');
    });
  });
});

describe(`${SimulatedAdapter.name} and the rest of the request`, () => {
  const sut = new SimulatedAdapter();
  const ask = (extra: Partial<ProviderCall> = {}): ProviderCall => ({
    requestId: 'r',
    model,
    messages: [{ role: 'user', content: 'Weather in Paris?' }],
    params: {},
    ...extra,
  });
  const weather: Tool = {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['C', 'F'] },
        days: { type: 'integer', minimum: 1 },
        detailed: { type: 'boolean' },
        note: { type: 'string' },
      },
      required: ['city', 'unit', 'days', 'detailed'],
    },
  };
  const time: Tool = { name: 'get_time' };

  describe('complete', () => {
    it("calls the first tool with the schema's required properties filled when tools are offered", async () => {
      const r = await sut.complete(ask({ tools: [weather, time] }));
      expect(r).toMatchObject({ content: '', finishReason: 'tool_calls' });
      expect(r.toolCalls).toEqual([
        { id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: expect.any(String) },
      ]);
      expect(JSON.parse(r.toolCalls![0].arguments)).toEqual({
        city: expect.any(String),
        unit: 'C',
        days: 1,
        detailed: true,
      });
      expect(await sut.complete(ask({ tools: [weather, time] }))).toEqual(r);
    });

    it('calls the tool the tool choice names, with {} when it takes no parameters', async () => {
      const r = await sut.complete(ask({ tools: [weather, time], toolChoice: { name: 'get_time' } }));
      expect(r.toolCalls).toEqual([{ id: expect.any(String), name: 'get_time', arguments: '{}' }]);
    });

    it('answers in text when the tool choice is none', async () => {
      const r = await sut.complete(ask({ tools: [weather], toolChoice: 'none' }));
      expect(r.toolCalls).toBeUndefined();
      expect(r.content.startsWith('[m-1] ')).toBe(true);
    });

    it("answers in text quoting the tool's result once the tool has answered", async () => {
      const first = await sut.complete(ask({ tools: [weather] }));
      const messages: ChatMessage[] = [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, toolCalls: first.toolCalls },
        { role: 'tool', content: '18C and sunny', toolCallId: first.toolCalls![0].id },
      ];
      const r = await sut.complete(ask({ tools: [weather], messages }));
      expect(r).toMatchObject({
        finishReason: 'stop',
        content: expect.stringContaining('get_weather returned 18C and sunny'),
      });
      expect(r.toolCalls).toBeUndefined();
    });

    it("answers a json_schema format with the schema's required properties as JSON", async () => {
      const schema = {
        type: 'object',
        properties: {
          name: { type: 'string' },
          population: { type: 'integer' },
          tags: { type: 'array', items: { type: 'string' } },
          mayor: { $ref: '#/$defs/person' },
          nickname: { type: 'string' },
        },
        required: ['name', 'population', 'tags', 'mayor'],
        $defs: { person: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } },
      };
      const r = await sut.complete(ask({ responseFormat: { type: 'json_schema', name: 'city', schema } }));
      expect(r.finishReason).toBe('stop');
      expect(JSON.parse(r.content)).toEqual({
        name: expect.any(String),
        population: 1,
        tags: [],
        mayor: { name: expect.any(String) },
      });
    });

    it('answers a json_object format with a JSON object', async () => {
      const r = await sut.complete(ask({ responseFormat: { type: 'json_object' } }));
      expect(JSON.parse(r.content)).toEqual({ answer: expect.any(String) });
    });

    it('writes n answers, each its own, billing all of them', async () => {
      const one = await sut.complete(ask());
      const r = await sut.complete(ask({ params: { n: 3 } }));
      expect(r.choices).toHaveLength(3);
      expect(r.choices![0]).toEqual({
        answer: { role: 'assistant', content: one.content },
        finishReason: one.finishReason,
      });
      expect(r.content).toBe(one.content);
      expect(new Set(r.choices!.map((c) => c.answer.content)).size).toBe(3);
      expect(r.usage!.outputTokens).toBeGreaterThan(one.usage!.outputTokens);
    });

    it('cuts the answer at the first stop sequence and writes fewer tokens', async () => {
      const whole = await sut.complete(ask({ params: { maxTokens: 10 } }));
      const stop = whole.content.split(' ')[2];
      const r = await sut.complete(ask({ params: { maxTokens: 10, stop: ['zzz', stop] } }));
      expect(r.content).toBe(whole.content.slice(0, whole.content.indexOf(stop)));
      expect(r.finishReason).toBe('stop');
      expect(r.usage!.outputTokens).toBeLessThan(whole.usage!.outputTokens);
    });

    it('gives a logprob per word, the words joining to the answer, with top alternatives when asked', async () => {
      const r = await sut.complete(ask({ params: { logprobs: true, topLogprobs: 3 } }));
      expect(r.logprobs!.map((t) => t.token).join('')).toBe(r.content);
      for (const t of r.logprobs!) {
        expect(t.logprob).toBeLessThanOrEqual(0);
        expect(t.topLogprobs).toHaveLength(3);
        expect(t.topLogprobs![0]).toEqual({ token: t.token, logprob: t.logprob });
        expect(new Set(t.topLogprobs!.map((a) => a.token)).size).toBe(3);
      }
      expect((await sut.complete(ask({ params: { logprobs: true } }))).logprobs![0].topLogprobs).toBeUndefined();
      expect((await sut.complete(ask())).logprobs).toBeUndefined();
    });

    it('gives another answer for another seed, the same for the same seed', async () => {
      const plain = await sut.complete(ask());
      const seeded = await sut.complete(ask({ params: { seed: 1 } }));
      expect(seeded.content).not.toBe(plain.content);
      expect(await sut.complete(ask({ params: { seed: 1 } }))).toEqual(seeded);
    });
  });

  describe('stream', () => {
    it('streams the text in pieces that join to the answer', async () => {
      const pieces: AnswerPiece[] = [];
      const r = await sut.stream(ask(), (p) => pieces.push(p));
      expect(pieces.length).toBeGreaterThan(3);
      expect(pieces.map((p) => p.delta).join('')).toBe(r.content);
    });

    it('streams a tool call as pieces: id and name first, then its arguments', async () => {
      const pieces: AnswerPiece[] = [];
      const r = await sut.stream(ask({ tools: [weather] }), (p) => pieces.push(p));
      expect(pieces[0]).toEqual({ delta: '', toolCalls: [{ index: 0, id: r.toolCalls![0].id, name: 'get_weather' }] });
      expect(pieces.length).toBeGreaterThan(2);
      expect(
        pieces
          .slice(1)
          .map((p) => p.toolCalls![0].arguments)
          .join(''),
      ).toBe(r.toolCalls![0].arguments);
    });
  });
});
