import { attributesOfMessage } from './attributes';

describe(attributesOfMessage.name, () => {
  const decision = {
    plan: { kind: 'single', model: 'gpt-4o-mini' },
    method: 'canary',
    reason: 'rule greeting matched "hello"',
    rule: 'greeting',
    params: {},
    policyVersion: 'default@7',
    alternatives: ['gpt-4o-mini'],
    canaryArm: 'candidate',
  };

  it('describes a completion record by its decision, model, tokens and cost, and never by its text', () => {
    const record = {
      requestId: 'r-1',
      tenant: 'acme',
      receivedAt: 1,
      prompt: 'the secret prompt',
      request: { messages: [{ role: 'user', content: 'the secret prompt' }] },
      decision,
      features: { difficulty: 0.42 },
      model: 'gpt-4o-mini',
      provider: 'openai',
      answer: 'the secret answer',
      finishReason: 'stop',
      usage: { inputTokens: 12, outputTokens: 34, estimated: false },
      costUsd: 0.0001,
    };
    const sut = attributesOfMessage(record);
    expect(sut).toEqual({
      'switchyard.request_id': 'r-1',
      'switchyard.tenant': 'acme',
      'switchyard.decision.method': 'canary',
      'switchyard.decision.rule': 'greeting',
      'switchyard.decision.model': 'gpt-4o-mini',
      'switchyard.decision.plan': 'single',
      'switchyard.decision.canary_arm': 'candidate',
      'switchyard.decision.policy_version': 'default@7',
      'switchyard.difficulty': 0.42,
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 34,
      'switchyard.usage_estimated': false,
      'switchyard.cost_usd': 0.0001,
    });
    expect(JSON.stringify(sut)).not.toMatch(/secret|hello/);
  });

  it('names the error of a failure', () => {
    expect(
      attributesOfMessage({ ok: false, requestId: 'r-2', error: { code: 'quota_exceeded', message: 'm' } }),
    ).toEqual({ 'switchyard.request_id': 'r-2', 'error.type': 'quota_exceeded' });
  });

  it.each([undefined, null, 'text', 3])('gives nothing for %p', (value) => {
    expect(attributesOfMessage(value)).toEqual({});
  });
});
