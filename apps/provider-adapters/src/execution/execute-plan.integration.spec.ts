import type { RouteDecidedV2 } from '@switchyard/contracts';
import type { DurableOutbox, EventPublisher } from '@switchyard/messaging';
import type { PolicyStore } from '@switchyard/policy-store';
import { AnthropicAdapter, OpenAiAdapter } from '@switchyard/providers';
import { executionOf, parsePolicy } from '@switchyard/routing';
import { RoutingStateStore, TenantLimitsStore } from '@switchyard/routing-state';
import { FakeProviderServer, recorder, strictFake, testInfra, uniqueName } from '@switchyard/testing';
import { Redis } from 'ioredis';
import { adaptersEnvSchema } from '../config';
import { CallModel } from './call-model';
import { ExecutePlan } from './execute-plan.usecase';
import { PlanIntake } from './plan-intake';
import { ProviderSecrets } from './provider-secrets';
import { RunPlan } from './run-plan.usecase';

// Real HTTP adapters against the fake provider server, real Redis for cooldowns and quotas.
describe(`${ExecutePlan.name} against a provider that goes down`, () => {
  const fake = new FakeProviderServer();
  const redis = new Redis(testInfra.redisUrl);
  const prefix = uniqueName('exec');
  const state = new RoutingStateStore(redis, prefix);
  const limits = new TenantLimitsStore(redis, prefix);

  beforeAll(() => fake.start());
  afterAll(async () => {
    await fake.stop();
    await redis.quit();
  });

  it('retries, cools the model down in Redis, falls back to the next model, and charges only the answer', async () => {
    const policy = parsePolicy(`
version: x@1
models:
  - { id: local-llama, provider: openai-compatible, baseUrl: "${fake.baseUrl}/v1", tier: cheap, priceUsdPerMTok: { input: 0.1, output: 0.1 } }
  - { id: claude, provider: anthropic, baseUrl: "${fake.baseUrl}", apiKeyEnv: SWITCHYARD_KEY_ANTHROPIC, tier: premium, priceUsdPerMTok: { input: 3, output: 15 } }
default: { route: { model: local-llama } }
`);
    const config = adaptersEnvSchema.parse({
      PROVIDER_RETRY_BASE_MS: '1',
      PROVIDER_RETRY_MAX_MS: '5',
      PROVIDER_COOLDOWN_MS: '60000',
      PROVIDER_TIMEOUT_MS: '2000',
    });
    // The replica's trust settings let plans point at the fake provider's host.
    const policies = strictFake<PolicyStore>('PolicyStore', {
      options: {
        file: 'x.yaml',
        trust: { keyEnvPrefix: 'SWITCHYARD_KEY_', allowedHosts: [new URL(fake.baseUrl).host] },
      },
    });
    const callModel = new CallModel(
      [new OpenAiAdapter('openai-compatible'), new AnthropicAdapter()],
      config,
      state,
      new ProviderSecrets({ SWITCHYARD_KEY_ANTHROPIC: 'sk-ant' }, config.POLICY_KEY_ENV_PREFIX),
    );
    const publisher = strictFake<EventPublisher>('EventPublisher', {
      reply: recorder(() => undefined),
    });
    const outbox = strictFake<DurableOutbox>('DurableOutbox', {
      available: true,
      publishCompletion: recorder(async () => 'stored' as const),
    });
    const sut = new ExecutePlan(
      new RunPlan(config, callModel, state),
      new PlanIntake(policies),
      publisher,
      outbox,
      limits,
    );

    fake.enqueue(
      { kind: 'error', status: 503 },
      { kind: 'reset' },
      { kind: 'rate-limited', retryAfterSeconds: 0 },
      { kind: 'ok', content: 'Paris.' },
    );
    const plan = { kind: 'single', model: 'local-llama' } as const;
    const event: RouteDecidedV2 = {
      requestId: 'r-1',
      tenant: uniqueName('tenant'),
      receivedAt: Date.now(),
      request: { messages: [{ role: 'user', content: 'Capital of France?' }] },
      features: {
        chars: 18,
        tokenEstimate: 9,
        language: 'en',
        turns: 1,
        questionCount: 1,
        codeBlocks: 0,
        signals: {},
        difficulty: 0.05,
      },
      analyzedAt: Date.now(),
      decision: {
        plan,
        method: 'rule',
        reason: 't',
        params: {},
        policyVersion: 'x@1',
        alternatives: ['local-llama'],
      },
      decidedAt: Date.now(),
      execution: executionOf(policy, plan),
    };
    const reply = await sut.execute({ event, replyTo: 'x' });

    expect(reply).toMatchObject({ model: 'claude', provider: 'anthropic', answer: { content: 'Paris.' } });
    expect(fake.requests.map((r) => r.path)).toEqual([
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/messages',
    ]);
    expect(await state.reserve('local-llama', undefined)).toBe('cooling');
    expect(reply.costUsd).toBeCloseTo((reply.usage.inputTokens * 3 + reply.usage.outputTokens * 15) / 1e6, 12);
    expect((await limits.budgetToday(event.tenant)).spentUsd).toBeCloseTo(reply.costUsd, 12);
  });
});
