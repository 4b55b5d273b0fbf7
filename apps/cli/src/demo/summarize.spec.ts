import type { ChatSuccess } from '@switchyard/contracts';
import { parsePolicy } from '@switchyard/routing';
import { summarize } from './summarize';

const policy = parsePolicy(`
version: t@1
models:
  - { id: cheap, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 1, output: 2 } }
  - { id: big, provider: simulated, tier: premium, priceUsdPerMTok: { input: 10, output: 20 } }
default: { route: { model: cheap } }
`);

function ok(model: string, cost: number, inTok: number, outTok: number, rule?: string): ChatSuccess {
  return {
    ok: true,
    requestId: 'r',
    tenant: 't',
    model,
    provider: 'simulated',
    answer: { role: 'assistant', content: 'x' },
    finishReason: 'stop',
    decision: {
      plan: { kind: 'single', model },
      method: rule ? 'rule' : 'difficulty',
      reason: '',
      params: {},
      policyVersion: 't@1',
      alternatives: [model],
      ...(rule ? { rule } : {}),
    },
    difficulty: 0.5,
    usage: { inputTokens: inTok, outputTokens: outTok, estimated: false },
    costUsd: cost,
    latency: { totalMs: 10, routingMs: 1, providerMs: 8 },
  };
}

describe(summarize.name, () => {
  it('adds up models, methods, errors and the all-premium baseline', () => {
    const sut = summarize(
      [
        { transport: 'nats', reply: ok('cheap', 0.000005, 1000, 2000, 'greeting') },
        { transport: 'http', reply: ok('big', 0.05, 1000, 2000) },
        { transport: 'nats', reply: { ok: false, error: { code: 'invalid_request', message: 'x' } } },
      ],
      policy,
    );
    expect(sut).toMatchObject({
      sent: 3,
      succeeded: 2,
      byTransport: { nats: 2, http: 1 },
      errors: { invalid_request: 1 },
      premiumModel: 'big',
    });
    expect(sut.byMethod).toEqual({ rule: 1, difficulty: 1 });
    expect(sut.byRule).toEqual({ greeting: 1, '(difficulty band)': 1 });
    expect(sut.costUsd).toBeCloseTo(0.050005, 10);
    // each request at big: (1000*10 + 2000*20)/1e6 = 0.05
    expect(sut.premiumBaselineUsd).toBeCloseTo(0.1, 10);
    expect(sut.byModel.map((m) => [m.model, m.requests, m.share])).toEqual([
      ['big', 1, 0.5],
      ['cheap', 1, 0.5],
    ]);
  });
});
