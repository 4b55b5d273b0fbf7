import type { ChatSuccess } from '@switchyard/contracts';

/**
 * A routed answer for the ingress specs: model `m` chosen by a rule, a short text, real-looking usage, cost
 * and latency. Each spec overrides what it is about (the answer, the finish reason, the model...).
 */
export function chatSuccess(overrides: Partial<ChatSuccess> = {}): ChatSuccess {
  const model = overrides.model ?? 'm';
  return {
    ok: true,
    requestId: 'r-9',
    tenant: 'acme',
    model,
    provider: 'simulated',
    answer: { role: 'assistant', content: 'Hello.' },
    finishReason: 'stop',
    decision: {
      plan: { kind: 'single', model },
      method: 'rule',
      reason: 'r',
      params: {},
      policyVersion: 'p',
      alternatives: [model],
    },
    difficulty: 0.1,
    usage: { inputTokens: 3, outputTokens: 4, estimated: false },
    costUsd: 0.001,
    latency: { totalMs: 1, routingMs: 0, providerMs: 1 },
    ...overrides,
  };
}
