import { type RouteDecided, RouterError, SUBJECTS } from '@switchyard/contracts';
import type { EventPublisher } from '@switchyard/messaging';
import type { PolicyStore } from '@switchyard/policy-store';
import { type ProviderAdapter, type ProviderCall, ProviderError, SimulatedAdapter } from '@switchyard/providers';
import { parsePolicy } from '@switchyard/routing';
import { recorder, strictFake } from '@switchyard/testing';
import { adaptersEnvSchema } from '../config';
import { ExecutePlan, PlanFailedError } from './execute-plan.usecase';
import { ProviderSecrets } from './provider-secrets';

const policy = parsePolicy(`
version: t@1
models:
  - { id: cheap, provider: simulated, tier: cheap, apiKeyEnv: CHEAP_KEY, priceUsdPerMTok: { input: 1, output: 4 } }
  - { id: remote, provider: openai, tier: premium, priceUsdPerMTok: { input: 5, output: 15 } }
default: { route: { model: cheap } }
`);

const policies = strictFake<PolicyStore>('PolicyStore', {
  current: () => policy,
  model: (id: string) => policy.models.get(id),
});
const config = adaptersEnvSchema.parse({
  PROVIDER_RETRY_BASE_MS: '1',
  PROVIDER_RETRY_MAX_MS: '5',
  PROVIDER_COOLDOWN_MS: '1000',
});

function decided(model: string): RouteDecided {
  return {
    requestId: 'r-1',
    tenant: 'acme',
    receivedAt: Date.now() - 5,
    request: { messages: [{ role: 'user', content: 'Explain DNS' }] },
    features: {
      chars: 11,
      tokenEstimate: 7,
      language: 'en',
      turns: 1,
      questionCount: 0,
      codeBlocks: 0,
      signals: {},
      difficulty: 0.1,
    },
    analyzedAt: Date.now() - 4,
    decision: {
      plan: { kind: 'single', model },
      method: 'rule',
      reason: 'test',
      params: {},
      policyVersion: 't@1',
      alternatives: [model],
    },
    decidedAt: Date.now() - 3,
  };
}

describe(ExecutePlan.name, () => {
  function setup(adapters: ProviderAdapter[]) {
    const publish = recorder((_subject: string, _payload: unknown) => undefined);
    const publishDurable = recorder(async (_subject: string, _payload: unknown, _id: string) => undefined);
    const publisher = strictFake<EventPublisher>('EventPublisher', { publish, publishDurable });
    const addSpend = recorder(async (_tenant: string, _usd: number) => undefined);
    const startCooldown = recorder(async (_model: string, _ms: number) => undefined);
    return {
      sut: new ExecutePlan(
        adapters,
        config,
        policies,
        publisher,
        { addSpend, startCooldown },
        new ProviderSecrets({ CHEAP_KEY: 'k-123' }),
      ),
      publish,
      publishDurable,
      addSpend,
      startCooldown,
    };
  }

  describe('execute', () => {
    it('replies to the caller with the priced answer and records it durably by request id', async () => {
      const { sut, publish, publishDurable, addSpend } = setup([new SimulatedAdapter()]);
      const reply = await sut.execute({ event: decided('cheap'), replyTo: '_INBOX.caller' });
      expect(reply.costUsd).toBeCloseTo((reply.usage.inputTokens * 1 + reply.usage.outputTokens * 4) / 1e6, 12);
      expect(publish.calls).toEqual([['_INBOX.caller', reply]]);
      expect(publishDurable.calls).toHaveLength(1);
      const [subject, record, id] = publishDurable.calls[0];
      expect([subject, id]).toEqual([SUBJECTS.completionSucceeded, 'r-1']);
      expect(record).toMatchObject({
        model: 'cheap',
        costUsd: reply.costUsd,
        prompt: 'Explain DNS',
        attempts: [{ model: 'cheap', ok: true }],
      });
      expect(addSpend.calls).toEqual([['acme', reply.costUsd]]);
    });

    it('does not call the provider once the caller has stopped waiting', async () => {
      const adapter = strictFake<ProviderAdapter>('ProviderAdapter', { kind: 'simulated' });
      const { sut } = setup([adapter]);
      await expect(
        sut.execute({ event: decided('cheap'), replyTo: 'x', deadline: Date.now() - 1 }),
      ).rejects.toMatchObject({ code: 'timeout' });
    });

    it('fails with provider_error when no adapter serves the model', async () => {
      const { sut } = setup([new SimulatedAdapter()]);
      await expect(sut.execute({ event: decided('remote'), replyTo: 'x' })).rejects.toMatchObject({
        code: 'provider_error',
      });
    });

    it('records the failed attempt when the provider throws', async () => {
      const failing: ProviderAdapter = {
        kind: 'simulated',
        complete: async () => Promise.reject(new Error('connection reset')),
      };
      const { sut } = setup([failing]);
      const err = (await sut
        .execute({ event: decided('cheap'), replyTo: 'x' })
        .catch((e: unknown) => e)) as PlanFailedError;
      expect(err).toBeInstanceOf(RouterError);
      expect(err.attempts).toEqual([expect.objectContaining({ model: 'cheap', ok: false, error: 'connection reset' })]);
    });

    it('refuses a multi-model plan it cannot run yet, instead of running only its lead model', async () => {
      const { sut } = setup([new SimulatedAdapter()]);
      const event = decided('cheap');
      event.decision.plan = { kind: 'cascade', model: 'cheap', models: ['cheap', 'remote'], acceptance: ['non-empty'] };
      await expect(sut.execute({ event, replyTo: 'x' })).rejects.toMatchObject({
        code: 'provider_error',
        message: expect.stringContaining('cascade'),
      });
    });

    it('retries a failing provider, records every try, and starts a cooldown when all fail', async () => {
      const calls: ProviderCall[] = [];
      const down: ProviderAdapter = {
        kind: 'simulated',
        complete: async (c) => (
          calls.push(c),
          Promise.reject(new ProviderError('simulated failed with 503', true, 503))
        ),
      };
      const { sut, startCooldown } = setup([down]);
      const err = (await sut
        .execute({ event: decided('cheap'), replyTo: 'x' })
        .catch((e: unknown) => e)) as PlanFailedError;
      expect(err).toMatchObject({ code: 'provider_error' });
      expect(err.attempts).toHaveLength(3);
      expect(err.attempts.every((a) => !a.ok && a.error === 'simulated failed with 503')).toBe(true);
      expect(startCooldown.calls).toEqual([['cheap', 1000]]);
      expect(calls[0].apiKey).toBe('k-123');
    });

    it('does not cool a model down for a request the provider refuses', async () => {
      const refusing: ProviderAdapter = {
        kind: 'simulated',
        complete: async () => Promise.reject(new ProviderError('refused with 400', false, 400)),
      };
      const { sut, startCooldown } = setup([refusing]);
      const err = (await sut
        .execute({ event: decided('cheap'), replyTo: 'x' })
        .catch((e: unknown) => e)) as PlanFailedError;
      expect(err.attempts).toHaveLength(1);
      expect(startCooldown.calls).toHaveLength(0);
    });

    it('fails with no_route for a model the policy does not know', async () => {
      const { sut } = setup([new SimulatedAdapter()]);
      await expect(sut.execute({ event: decided('ghost'), replyTo: 'x' })).rejects.toMatchObject({ code: 'no_route' });
    });
  });
});
