import { type ChatRequest, RouterError } from '@switchyard/contracts';
import { extractFeatures } from '../features/extract-features';
import { parsePolicy } from '../policy/compile-policy';
import { capabilityFilter, forReasoningModel, requestNeeds } from './capabilities';
import { countPromptTokens } from './token-count';

const user = (content: ChatRequest['messages'][number]['content']) => ({ role: 'user' as const, content });
const IMAGE = { type: 'image' as const, url: 'https://example.com/cat.png' };
const TOOL = { name: 'lookup', parameters: { type: 'object' } };

describe(requestNeeds.name, () => {
  const needsOf = (request: ChatRequest) =>
    requestNeeds(request).capabilities.map((n) => [n.capability, n.field, n.says]);

  it('finds nothing in a plain text request', () => {
    const needs = requestNeeds({ messages: [user('hi')], params: { maxTokens: 10, stop: ['x'] } });
    expect(needs).toEqual({ capabilities: [], refusedByReasoning: [] });
  });

  it('names the first image part for vision', () => {
    const request = { messages: [user('look'), user([{ type: 'text' as const, text: 'and this' }, IMAGE, IMAGE])] };
    expect(needsOf(request)).toEqual([['vision', 'messages.1.content.1', 'messages.1.content.1 is an image']]);
  });

  it('needs tools for tools, a tool choice, tool calls and tool results, naming the first field', () => {
    expect(needsOf({ messages: [user('x')], tools: [TOOL] })).toEqual([['tools', 'tools', 'tools lists 1 function']]);
    expect(needsOf({ messages: [user('x')], toolChoice: 'none' })).toEqual([
      ['tools', 'toolChoice', 'toolChoice is set'],
    ]);
    const history: ChatRequest['messages'] = [
      user('weather?'),
      { role: 'assistant', content: null, toolCalls: [{ id: 'c1', name: 'lookup', arguments: '{}' }] },
      { role: 'tool', content: 'sunny', toolCallId: 'c1' },
    ];
    expect(needsOf({ messages: history })).toEqual([
      ['tools', 'messages.1.toolCalls', 'messages.1 carries tool calls'],
    ]);
    expect(needsOf({ messages: [user('x'), history[2]] })).toEqual([
      ['tools', 'messages.1.role', 'messages.1 is a tool result'],
    ]);
  });

  it('needs json for json_object and json_schema, not for text', () => {
    expect(needsOf({ messages: [user('x')], responseFormat: { type: 'json_object' } })).toEqual([
      ['json', 'responseFormat', 'responseFormat asks for json_object'],
    ]);
    expect(
      needsOf({ messages: [user('x')], responseFormat: { type: 'json_schema', name: 'r', schema: {} } })[0],
    ).toEqual(['json', 'responseFormat', 'responseFormat asks for json_schema']);
    expect(needsOf({ messages: [user('x')], responseFormat: { type: 'text' } })).toEqual([]);
  });

  it('reads the params: logprobs, n above 1, seed, penalties, reasoning effort', () => {
    const params = (p: ChatRequest['params']) => needsOf({ messages: [user('x')], params: p });
    expect(params({ logprobs: true, topLogprobs: 3 })).toEqual([
      ['logprobs', 'params.logprobs', 'params.logprobs is true'],
    ]);
    expect(params({ logprobs: false })).toEqual([]);
    expect(params({ n: 1 })).toEqual([]);
    expect(params({ n: 3 })).toEqual([['n', 'params.n', 'params.n asks for 3 answers']]);
    expect(params({ seed: 7 })).toEqual([['seed', 'params.seed', 'params.seed is set']]);
    expect(params({ frequencyPenalty: 0.5, presencePenalty: 0.1 })).toEqual([
      ['penalties', 'params.presencePenalty', 'params.presencePenalty is set'],
    ]);
    expect(params({ reasoningEffort: 'high' })).toEqual([
      ['reasoning', 'params.reasoningEffort', 'params.reasoningEffort is set'],
    ]);
  });

  it('lists the caller params reasoning models refuse', () => {
    const needs = requestNeeds({
      messages: [user('x')],
      params: { temperature: 0.2, topP: 0.9, frequencyPenalty: 1, logprobs: false, maxTokens: 5 },
    });
    expect(needs.refusedByReasoning).toEqual(['temperature', 'topP', 'frequencyPenalty', 'logprobs']);
  });
});

describe(forReasoningModel.name, () => {
  it("drops the policy's params a reasoning model refuses, and keeps the rest", () => {
    expect(forReasoningModel({ temperature: 0.3, topP: 1, maxTokens: 100, reasoningEffort: 'low' })).toEqual({
      maxTokens: 100,
      reasoningEffort: 'low',
    });
    const plain = { maxTokens: 5 };
    expect(forReasoningModel(plain)).toBe(plain);
  });
});

describe(capabilityFilter.name, () => {
  const policy = parsePolicy(`version: caps@1
models:
  - { id: small, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 0.1, output: 0.1 }, contextWindow: 8000, capabilities: [json] }
  - { id: seer, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 0.5, output: 0.5 }, contextWindow: 128000, capabilities: [vision, json] }
  - { id: thinker, provider: simulated, tier: premium, priceUsdPerMTok: { input: 5, output: 5 }, capabilities: [tools, json, reasoning] }
default: { route: { model: small } }
`);
  const filterOf = (request: ChatRequest) => capabilityFilter(policy, request, extractFeatures(request.messages));

  it('is not built for a request every model can take (the usual case costs one pass over its fields)', () => {
    expect(filterOf({ messages: [user('hello')] })).toBeUndefined();
    // Every model has json: a json answer takes no model out.
    expect(filterOf({ messages: [user('hello')], responseFormat: { type: 'json_object' } })).toBeUndefined();
    // A caller's temperature matters only to a policy with a reasoning model.
    const noReasoning = parsePolicy(`version: n@1
models:
  - { id: a, provider: simulated, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }
default: { route: { model: a } }
`);
    const request = { messages: [user('x')], params: { temperature: 0.1 } };
    expect(capabilityFilter(noReasoning, request, extractFeatures(request.messages))).toBeUndefined();
  });

  it('says why each model cannot take the request, in plain words', () => {
    const filter = filterOf({ messages: [user([IMAGE])], tools: [TOOL] });
    expect(filter?.rejection('small', undefined)?.why).toBe('lacks tools (tools lists 1 function)');
    expect(filter?.rejection('seer', undefined)?.why).toBe('lacks tools (tools lists 1 function)');
    expect(filter?.rejection('thinker', undefined)?.why).toBe('lacks vision (messages.0.content.0 is an image)');
    const refusing = filterOf({ messages: [user('x')], params: { temperature: 0.5 } });
    expect(refusing?.rejection('thinker', undefined)).toMatchObject({
      why: 'refuses temperature (reasoning model)',
      field: 'params.temperature',
    });
    expect(refusing?.rejection('small', undefined)).toBeUndefined();
  });

  it('refuses a request no model can honour with invalid_request, naming the first field and every model', () => {
    const filter = filterOf({ messages: [user([IMAGE])], tools: [TOOL] });
    let error: unknown;
    try {
      filter?.takeOut();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RouterError);
    expect(error).toMatchObject({
      code: 'invalid_request',
      field: 'tools',
      message:
        'no model of policy caps@1 can honour tools (needs capability "tools") and messages.0.content.0 (needs capability "vision"); ' +
        'models: small (lacks tools (tools lists 1 function)), seer (lacks tools (tools lists 1 function)), ' +
        'thinker (lacks vision (messages.0.content.0 is an image))',
    });
  });

  it('takes out the models that cannot take it and records why, once each', () => {
    const filter = filterOf({ messages: [user([IMAGE])] });
    filter?.takeOut();
    filter?.reject('small', 100);
    expect(filter?.filtered).toEqual([
      { model: 'small', why: 'lacks vision (messages.0.content.0 is an image)' },
      { model: 'thinker', why: 'lacks vision (messages.0.content.0 is an image)' },
    ]);
  });

  it('refuses a pinned model that cannot honour the request, naming it and the field', () => {
    const filter = filterOf({ messages: [user([IMAGE])] });
    expect(() => filter?.takeOut('small')).toThrow(
      expect.objectContaining({
        code: 'invalid_request',
        field: 'messages.0.content.0',
        message: 'model "small" cannot honour this request: lacks vision (messages.0.content.0 is an image)',
      }),
    );
  });

  describe('context windows', () => {
    // "hello " is 6 characters, so the estimate (a token per 4 characters) says 1.5 tokens; o200k counts 1.
    const words = (n: number) => 'hello '.repeat(n);

    it('trusts the estimate far from every window', () => {
      expect(filterOf({ messages: [user(words(1000))], params: { maxTokens: 1000 } })).toBeUndefined();
    });

    it('counts the prompt exactly near a window: what the estimate puts over it may fit', () => {
      const request = { messages: [user(words(5200))], params: { maxTokens: 400 } };
      const filter = filterOf(request);
      expect(filter?.estimate).toBeGreaterThan(8000 - 400);
      const exact = countPromptTokens(request);
      expect(exact).toBeGreaterThan(5200);
      expect(exact).toBeLessThan(5300);
      expect(filter?.rejection('small', 400)).toBeUndefined();
    });

    it('takes out a model whose window the prompt and maxTokens exceed, with the numbers', () => {
      const request = { messages: [user(words(7900))] };
      const filter = filterOf(request);
      expect(filter?.rejection('small', undefined)).toBeUndefined();
      const exact = countPromptTokens(request).toLocaleString('en-US');
      expect(filter?.rejection('small', 2000)).toMatchObject({
        why: `prompt ~${exact} tokens + maxTokens 2,000 exceed contextWindow 8,000`,
        field: 'messages',
        need: `a prompt of ~${exact} tokens + maxTokens 2,000 (needs a larger contextWindow)`,
      });
      // A model without a declared window is never taken out for it.
      expect(filter?.rejection('thinker', 2000)).toBeUndefined();
    });

    it("blames the caller's maxTokens when the prompt alone would fit", () => {
      const request = { messages: [user(words(7000))], params: { maxTokens: 2000 } };
      expect(filterOf(request)?.rejection('small', 2000)?.field).toBe('params.maxTokens');
    });

    it('counts tool definitions, images and tool calls', () => {
      const plain = countPromptTokens({ messages: [user('hi')] });
      expect(countPromptTokens({ messages: [user('hi')], tools: [TOOL] })).toBeGreaterThan(plain + 5);
      expect(countPromptTokens({ messages: [user([{ type: 'text', text: 'hi' }, IMAGE])] })).toBe(plain + 765);
      expect(
        countPromptTokens({
          messages: [
            user('hi'),
            { role: 'assistant', content: null, toolCalls: [{ id: 'c', name: 'lookup', arguments: '{"q":"x"}' }] },
          ],
        }),
      ).toBeGreaterThan(plain + 3);
      // A special token in the caller's text is text.
      expect(countPromptTokens({ messages: [user('<|endoftext|>')] })).toBeGreaterThan(plain);
    });
  });
});
