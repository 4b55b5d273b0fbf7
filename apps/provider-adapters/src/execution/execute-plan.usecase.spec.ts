import {
  type CompletionSucceeded,
  type RouteDecided,
  type RouteDecidedV2,
  type RoutePlan,
  RouterError,
  SUBJECTS,
  completionSucceededSchema,
} from '@switchyard/contracts';
import type { DurableOutbox, EventPublisher } from '@switchyard/messaging';
import type { PolicyStore } from '@switchyard/policy-store';
import {
  type ProviderAdapter,
  type ProviderCall,
  ProviderError,
  cannotHonour,
  type ProviderResult,
  SimulatedAdapter,
} from '@switchyard/providers';
import { executionOf, parsePolicy } from '@switchyard/routing';
import type { Reservation } from '@switchyard/routing-state';
import { recorder, strictFake, waitFor } from '@switchyard/testing';
import { adaptersEnvSchema } from '../config';
import { CallModel } from './call-model';
import { ExecutePlan, PlanFailedError } from './execute-plan.usecase';
import { PlanIntake } from './plan-intake';
import { ProviderSecrets } from './provider-secrets';
import { RunPlan } from './run-plan.usecase';

const policy = parsePolicy(`
version: t@1
models:
  - { id: cheap, provider: simulated, tier: cheap, apiKeyEnv: SWITCHYARD_KEY_CHEAP, priceUsdPerMTok: { input: 1, output: 4 } }
  - { id: mid, provider: simulated, tier: mid, priceUsdPerMTok: { input: 2, output: 8 } }
  - { id: top, provider: simulated, tier: top, priceUsdPerMTok: { input: 5, output: 15 } }
  - { id: remote, provider: openai, tier: premium, priceUsdPerMTok: { input: 5, output: 15 } }
default: { route: { model: cheap } }
`);

const policies = strictFake<PolicyStore>('PolicyStore', {
  byVersion: () => policy,
  options: { file: 'test.yaml' },
});
const intake = new PlanIntake(policies);
const config = adaptersEnvSchema.parse({
  PROVIDER_RETRY_BASE_MS: '1',
  PROVIDER_RETRY_MAX_MS: '5',
  PROVIDER_COOLDOWN_MS: '1000',
});

/** A v2 plan, as decision-engine publishes it: with the specs of every model it may call. */
function decided(plan: RoutePlan | string): RouteDecidedV2 {
  const v1 = decidedV1(plan);
  return { ...v1, execution: executionOf(policy, v1.decision.plan) };
}

function decidedV1(plan: RoutePlan | string): RouteDecided {
  const p: RoutePlan = typeof plan === 'string' ? { kind: 'single', model: plan } : plan;
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
    decision: { plan: p, method: 'rule', reason: 'test', params: {}, policyVersion: 't@1', alternatives: [p.model] },
    decidedAt: Date.now() - 3,
  };
}

/** An adapter that answers per model from a script (a function of the model id). */
function scripted(answer: (model: string) => ProviderResult | Error): ProviderAdapter & { calls: ProviderCall[] } {
  const calls: ProviderCall[] = [];
  return {
    kind: 'simulated',
    calls,
    complete: async (c) => {
      calls.push(c);
      const a = answer(c.model.id);
      if (a instanceof Error) throw a;
      return a;
    },
  };
}

function setup(adapters: ProviderAdapter[], reservations: Record<string, Reservation> = {}) {
  const publish = recorder((_subject: string, _payload: unknown) => undefined);
  // Imitates DurableOutbox while JetStream takes every record: stored at once.
  const publishDurable = recorder(async (_subject: string, _payload: unknown, _id: string) => 'stored' as const);
  const publisher = strictFake<EventPublisher>('EventPublisher', { reply: publish });
  const outbox = strictFake<DurableOutbox>('DurableOutbox', { available: true, publishCompletion: publishDurable });
  const settle = recorder(async (_tenant: string, _holdId: string, _usd: number, _at?: Date) => undefined);
  const startCooldown = recorder(async (_model: string, _ms: number) => undefined);
  const reserve = recorder(async (model: string, _limit?: number) => reservations[model] ?? 'granted');
  const state = { startCooldown, reserve };
  const callModel = new CallModel(
    adapters,
    config,
    state,
    new ProviderSecrets({ SWITCHYARD_KEY_CHEAP: 'k-123' }, 'SWITCHYARD_KEY_'),
  );
  const sut = new ExecutePlan(new RunPlan(config, callModel, state), intake, publisher, outbox, { settle });
  return { sut, publish, publishDurable, settle, startCooldown, reserve };
}

const ok = (content: string, outputTokens = 10): ProviderResult => ({
  content,
  finishReason: 'stop',
  usage: { inputTokens: 7, outputTokens },
});

describe(ExecutePlan.name, () => {
  describe('execute a single-model plan', () => {
    it('replies to the caller with the priced answer and records it durably by request id and attempt', async () => {
      const { sut, publish, publishDurable, settle } = setup([new SimulatedAdapter()]);
      const event = decided('cheap');
      const reply = await sut.execute({ event, replyTo: '_INBOX.caller' });
      expect(reply.costUsd).toBeCloseTo((reply.usage.inputTokens * 1 + reply.usage.outputTokens * 4) / 1e6, 12);
      expect(publish.calls).toEqual([['_INBOX.caller', reply]]);
      const [subject, record, id] = publishDurable.calls[0];
      // One record per attempt: a retry under the same id after a failed attempt is not dropped as a duplicate.
      expect([subject, id]).toEqual([SUBJECTS.completionSucceeded, `acme:r-1@${event.receivedAt}`]);
      expect(record).toMatchObject({
        model: 'cheap',
        costUsd: reply.costUsd,
        prompt: 'Explain DNS',
        attempts: [{ model: 'cheap', ok: true }],
      });
      // The budget decision-engine held for this attempt is settled at the real cost, on the day it was held.
      const at = event.receivedAt;
      expect(settle.calls).toEqual([['acme', `acme:r-1@${at}`, reply.costUsd, new Date(at)]]);
      // A first message: nothing came before it, so the record carries no context.
      expect(record).not.toHaveProperty('context');
    });

    it('records the conversation before the routed message as its context, most recent first', async () => {
      const { sut, publishDurable } = setup([new SimulatedAdapter()]);
      const event = decided('cheap');
      event.request.messages = [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Explain DNS' },
        { role: 'assistant', content: 'It maps names to addresses.' },
        { role: 'user', content: 'and why does it cache?' },
      ];
      await sut.execute({ event, replyTo: 'x' });
      const record = publishDurable.calls[0][1] as CompletionSucceeded;
      expect(record).toMatchObject({ prompt: 'and why does it cache?', context: 'Explain DNS\nYou are terse.' });
      expect(completionSucceededSchema.parse(record).context).toBe(record.context);
    });

    it('calls no provider while records cannot be stored, and says to retry', async () => {
      const adapter = new SimulatedAdapter();
      const complete = recorder(adapter.complete.bind(adapter));
      const callModel = new CallModel(
        [Object.assign(adapter, { complete })],
        config,
        { startCooldown: async () => undefined },
        new ProviderSecrets({}, 'SWITCHYARD_KEY_'),
      );
      const settle = recorder(async (_t: string, _h: string, _usd: number) => undefined);
      const sut = new ExecutePlan(
        new RunPlan(config, callModel, { reserve: async () => 'granted' }),
        intake,
        strictFake<EventPublisher>('EventPublisher', {}),
        strictFake<DurableOutbox>('DurableOutbox', { available: false }),
        { settle },
      );
      await expect(sut.execute({ event: decided('cheap'), replyTo: 'x' })).rejects.toMatchObject({
        code: 'unavailable',
        retryAfterSeconds: 2,
      });
      expect(complete.calls).toHaveLength(0);
      // The budget held for it goes back.
      expect(settle.calls.map((c) => c[2])).toEqual([0]);
    });

    it('puts the record on the wire before the answer, and waits for its ack after answering', async () => {
      const order: string[] = [];
      let ack: () => void = () => undefined;
      const publisher = strictFake<EventPublisher>('EventPublisher', {
        reply: (inbox: string) => void order.push(`reply ${inbox}`),
      });
      const outbox = strictFake<DurableOutbox>('DurableOutbox', {
        available: true,
        publishCompletion: (subject: string) => {
          order.push(`record ${subject}`);
          return new Promise<'stored'>((resolve) => (ack = () => resolve('stored')));
        },
      });
      const state = {
        startCooldown: async () => undefined,
        reserve: async () => 'granted' as const,
      };
      const callModel = new CallModel(
        [new SimulatedAdapter()],
        config,
        state,
        new ProviderSecrets({}, 'SWITCHYARD_KEY_'),
      );
      const sut = new ExecutePlan(new RunPlan(config, callModel, state), intake, publisher, outbox, {
        settle: async () => undefined,
      });
      let done = false;
      const running = sut.execute({ event: decided('cheap'), replyTo: '_INBOX.c' }).then(() => (done = true));
      await waitFor('the answer', () => (order.length >= 2 ? true : undefined), 5_000, 5);
      expect(order).toEqual([`record ${SUBJECTS.completionSucceeded}`, 'reply _INBOX.c']);
      expect(done).toBe(false); // the ack is still pending
      ack();
      await running;
      expect(done).toBe(true);
    });

    it("offers the answer to the policy's judge only once the caller has it and its record is stored", async () => {
      const order: string[] = [];
      const publisher = strictFake<EventPublisher>('EventPublisher', {
        reply: (inbox: string) => void order.push(`reply ${inbox}`),
      });
      const outbox = strictFake<DurableOutbox>('DurableOutbox', {
        available: true,
        publishCompletion: async (subject: string) => {
          order.push(`record ${subject}`);
          return 'stored' as const;
        },
      });
      const state = { startCooldown: async () => undefined, reserve: async () => 'granted' as const };
      const callModel = new CallModel(
        [new SimulatedAdapter()],
        config,
        state,
        new ProviderSecrets({}, 'SWITCHYARD_KEY_'),
      );
      const offer = recorder((event: RouteDecidedV2, answer: { model: { id: string } }) => {
        order.push(`judge ${event.requestId} ${answer.model.id}`);
      });
      const sut = new ExecutePlan(
        new RunPlan(config, callModel, state),
        intake,
        publisher,
        outbox,
        { settle: async () => undefined },
        { offer },
      );
      const reply = await sut.execute({ event: decided('cheap'), replyTo: '_INBOX.c' });
      expect(reply.model).toBe('cheap');
      expect(order).toEqual([`record ${SUBJECTS.completionSucceeded}`, 'reply _INBOX.c', 'judge r-1 cheap']);
      // A plan that fails is never graded.
      await expect(sut.execute({ event: decided('cheap'), replyTo: 'x', deadline: 1 })).rejects.toThrow();
      expect(offer.calls).toHaveLength(1);
    });

    it('does not call the provider once the caller has stopped waiting', async () => {
      const { sut } = setup([strictFake<ProviderAdapter>('ProviderAdapter', { kind: 'simulated' })]);
      const event = decided('cheap');
      await expect(sut.execute({ event, replyTo: 'x', deadline: Date.now() - 1 })).rejects.toMatchObject({
        code: 'timeout',
      });
    });

    it('falls back when no adapter serves the model, fails when nothing else is available', async () => {
      const { sut } = setup([new SimulatedAdapter()]);
      expect(await sut.execute({ event: decided('remote'), replyTo: 'x' })).toMatchObject({
        model: 'cheap',
        decision: { plan: { model: 'remote' } },
      });
      const { sut: noFallback } = setup([new SimulatedAdapter()], { cheap: 'exhausted' });
      await expect(noFallback.execute({ event: decided('remote'), replyTo: 'x' })).rejects.toMatchObject({
        code: 'provider_error',
        message: expect.stringContaining('no adapter'),
      });
    });

    it('runs the models and prices the plan carries, whatever the policy here says', async () => {
      const { sut } = setup([new SimulatedAdapter()]);
      const event = decided('cheap');
      // A canary candidate's model: not in this replica's policy, dearer than anything in it.
      event.decision.plan = { kind: 'single', model: 'new' };
      event.execution = {
        models: [
          {
            id: 'new',
            provider: 'simulated',
            tier: 'x',
            priceUsdPerMTok: { input: 100, output: 100 },
            capabilities: [],
          },
        ],
        fallbacks: [],
        onStoreDown: 'open',
      };
      const reply = await sut.execute({ event, replyTo: 'x' });
      expect(reply.model).toBe('new');
      expect(reply.costUsd).toBeCloseTo(((reply.usage.inputTokens + reply.usage.outputTokens) * 100) / 1e6, 12);
    });

    it('refuses a plan pointing a key or a prompt outside its trust settings, calling nothing', async () => {
      const adapter = scripted(() => ok('leaked'));
      const { sut, settle } = setup([adapter]);
      const event = decided('cheap');
      event.execution.models[0] = {
        ...event.execution.models[0],
        baseUrl: 'http://attacker.example/v1',
        apiKeyEnv: 'MONGODB_URI',
      };
      await expect(sut.execute({ event, replyTo: 'x' })).rejects.toMatchObject({
        code: 'invalid_request',
        field: 'execution.models.0.apiKeyEnv',
        message: expect.stringContaining('attacker.example'),
      });
      expect(adapter.calls).toHaveLength(0);
      expect(settle.calls.map((c) => c[2])).toEqual([0]);
    });

    it('resolves a v1 plan (decision-engine of the release before) in the policy that decided; no_route for an unknown model', async () => {
      const { sut } = setup([new SimulatedAdapter()]);
      expect(await sut.execute({ event: decidedV1('mid'), replyTo: 'x' })).toMatchObject({ model: 'mid' });
      await expect(sut.execute({ event: decidedV1('ghost'), replyTo: 'x' })).rejects.toMatchObject({
        code: 'no_route',
        message: expect.stringContaining('ghost'),
      });
    });

    it('retries a failing provider, records every try, and starts a cooldown when all fail', async () => {
      const down = scripted(() => new ProviderError('simulated failed with 503', true, 503));
      const { sut, startCooldown } = setup([down], { mid: 'exhausted' });
      const err = (await sut
        .execute({ event: decided('cheap'), replyTo: 'x' })
        .catch((e: unknown) => e)) as PlanFailedError;
      expect(err).toBeInstanceOf(RouterError);
      expect(err.attempts).toHaveLength(3);
      expect(err.attempts.every((a) => !a.ok && a.error === 'simulated failed with 503')).toBe(true);
      expect(startCooldown.calls).toEqual([['cheap', 1000]]);
      expect(down.calls[0].apiKey).toBe('k-123');
    });

    it('falls back to the next model of the fallback order when the model fails every try', async () => {
      const adapter = scripted((m) =>
        m === 'cheap' ? new ProviderError('simulated failed with 503', true, 503) : ok('from mid'),
      );
      const { sut, reserve, startCooldown, publishDurable } = setup([adapter]);
      const reply = await sut.execute({ event: decided('cheap'), replyTo: 'x' });
      expect(reply).toMatchObject({
        model: 'mid',
        answer: { content: 'from mid' },
        decision: { plan: { model: 'cheap' } },
      });
      expect(reserve.calls.map((c) => c[0])).toEqual(['mid']);
      expect(startCooldown.calls).toEqual([['cheap', 1000]]);
      const record = publishDurable.calls[0][1] as { attempts: Array<{ model: string; ok: boolean }> };
      expect(record.attempts.map((a) => [a.model, a.ok])).toEqual([
        ['cheap', false],
        ['cheap', false],
        ['cheap', false],
        ['mid', true],
      ]);
    });

    it('does not cool a model down for a request the provider refuses', async () => {
      const { sut, startCooldown } = setup([scripted(() => new ProviderError('refused with 400', false, 400))], {
        mid: 'exhausted',
      });
      const err = (await sut
        .execute({ event: decided('cheap'), replyTo: 'x' })
        .catch((e: unknown) => e)) as PlanFailedError;
      expect(err.attempts).toHaveLength(1);
      expect(startCooldown.calls).toHaveLength(0);
    });
  });

  describe('execute a streamed request', () => {
    const streamed = (model: string) => {
      const event = decided(model);
      event.request.stream = true;
      return event;
    };

    it('sends the pieces to the caller before the final answer', async () => {
      const { sut, publish } = setup([new SimulatedAdapter()]);
      const reply = await sut.execute({ event: streamed('cheap'), replyTo: '_INBOX.s' });
      const sent = publish.calls.map((c) => c[1] as { delta?: string; ok?: boolean });
      expect(sent.length).toBeGreaterThan(3);
      expect(sent.slice(0, -1).every((m) => typeof m.delta === 'string')).toBe(true);
      expect(
        sent
          .slice(0, -1)
          .map((m) => m.delta)
          .join(''),
      ).toBe(reply.answer.content);
      expect(sent[sent.length - 1]).toBe(reply);
      expect(publish.calls[0][1]).toMatchObject({ requestId: 'r-1', model: 'cheap' });
    });

    it('neither retries nor falls back once pieces have gone out', async () => {
      const breaking: ProviderAdapter = {
        kind: 'simulated',
        complete: async () => ok('unused'),
        stream: async (_call, onDelta) => {
          onDelta({ delta: 'The answer ' });
          throw new ProviderError('connection reset mid-stream', true);
        },
      };
      const { sut, publish, reserve } = setup([breaking]);
      const err = (await sut
        .execute({ event: streamed('cheap'), replyTo: 'x' })
        .catch((e: unknown) => e)) as PlanFailedError;
      expect(err).toMatchObject({
        code: 'provider_error',
        message: expect.stringContaining('stream broke after it had started'),
      });
      expect(err.attempts).toHaveLength(1);
      expect(reserve.calls).toHaveLength(0);
      expect(publish.calls).toHaveLength(1);
    });

    it('answers a request its provider cannot express with invalid_request naming the field, trying no other model', async () => {
      const adapter = scripted((m) =>
        m === 'cheap' ? cannotHonour('anthropic', 'messages[1].toolCalls[0].arguments', 'x') : ok('from mid'),
      );
      const { sut, reserve } = setup([adapter]);
      const err = (await sut
        .execute({ event: streamed('cheap'), replyTo: 'x' })
        .catch((e: unknown) => e)) as PlanFailedError;
      expect(err).toMatchObject({ code: 'invalid_request', field: 'messages.1.toolCalls.0.arguments' });
      expect(err.attempts).toHaveLength(1);
      expect(reserve.calls).toHaveLength(0);
    });

    it('falls back when the stream fails before its first piece', async () => {
      const adapter = scripted((m) => (m === 'cheap' ? new ProviderError('503', true, 503) : ok('from mid')));
      const { sut, publish } = setup([adapter]);
      const reply = await sut.execute({ event: streamed('cheap'), replyTo: 'x' });
      expect(reply.model).toBe('mid');
      expect(publish.calls[0][1]).toEqual({ requestId: 'r-1', model: 'mid', delta: 'from mid' });
    });
  });

  describe('execute a cascade', () => {
    const cascade: RoutePlan = {
      kind: 'cascade',
      model: 'cheap',
      models: ['cheap', 'mid', 'top'],
      acceptance: ['non-empty', 'not-refusal'],
    };

    it('escalates past answers that fail the checks, charges every tier, and records why', async () => {
      const adapter = scripted((m) =>
        m === 'cheap'
          ? ok("I'm sorry, I can't help with that.")
          : m === 'mid'
            ? ok('')
            : ok('DNS maps names to addresses.'),
      );
      const { sut, reserve, publishDurable } = setup([adapter]);
      const reply = await sut.execute({ event: decided(cascade), replyTo: 'x' });
      expect(reply).toMatchObject({
        model: 'top',
        answer: { content: 'DNS maps names to addresses.' },
        planOutcome: { kind: 'cascade', tried: ['cheap', 'mid', 'top'], accepted: true },
      });
      expect(reply.costUsd).toBeCloseTo((7 * 1 + 10 * 4 + 7 * 2 + 10 * 8 + 7 * 5 + 10 * 15) / 1e6, 12);
      expect(reserve.calls.map((c) => c[0])).toEqual(['mid', 'top']);
      const record = publishDurable.calls[0][1] as { attempts: Array<{ model: string; error?: string }> };
      expect(record.attempts.map((a) => [a.model, a.error])).toEqual([
        ['cheap', 'answer rejected: not-refusal'],
        ['mid', 'answer rejected: non-empty'],
        ['top', undefined],
      ]);
    });

    it('does not pay for a tier whose expected cost (its prices, the tokens of the tier before) passes the cap', async () => {
      const { sut, reserve } = setup([scripted(() => ok('', 10))]);
      // cheap costs (7 x 1 + 10 x 4) / 1e6; mid is expected at (7 x 2 + 10 x 8) / 1e6: together past the cap.
      const reply = await sut.execute({ event: decided({ ...cascade, maxCostUsd: 100e-6 }), replyTo: 'x' });
      expect(reply.planOutcome).toEqual({ kind: 'cascade', tried: ['cheap'], accepted: false, stoppedAtCostCap: true });
      expect(reply.costUsd).toBeCloseTo(47e-6, 12);
      expect(reserve.calls).toEqual([]);
      const { sut: wider } = setup([scripted(() => ok('', 10))]);
      const further = await wider.execute({ event: decided({ ...cascade, maxCostUsd: 150e-6 }), replyTo: 'x' });
      expect(further.planOutcome).toMatchObject({ tried: ['cheap', 'mid'], stoppedAtCostCap: true });
    });

    it('skips a tier without quota and goes on after a tier that fails', async () => {
      const adapter = scripted((m) => (m === 'cheap' ? new ProviderError('down', false) : ok('top answer')));
      const { sut } = setup([adapter], { mid: 'exhausted' });
      const reply = await sut.execute({ event: decided(cascade), replyTo: 'x' });
      expect(reply).toMatchObject({ model: 'top', planOutcome: { tried: ['cheap', 'top'] } });
    });
  });

  describe('execute a consensus', () => {
    const consensus: RoutePlan = {
      kind: 'consensus',
      model: 'top',
      models: ['cheap', 'mid', 'top'],
      quorum: 2,
      onDisagreement: 'flag',
    };

    it('returns the majority answer when it reaches the quorum, and charges every voter', async () => {
      const { sut } = setup([scripted((m) => ok(m === 'mid' ? 'Answer: C' : 'The answer is B'))]);
      const reply = await sut.execute({ event: decided(consensus), replyTo: 'x' });
      expect(reply).toMatchObject({
        model: 'cheap',
        answer: { content: 'The answer is B' },
        planOutcome: { kind: 'consensus', agreed: true, majority: ['cheap', 'top'] },
      });
      expect(reply.costUsd).toBeCloseTo((7 + 40 + 14 + 80 + 35 + 150) / 1e6, 12);
    });

    it('flags a disagreement with every answer, answering with the strongest model', async () => {
      const { sut } = setup([scripted((m) => ok(`answer ${m}`))]);
      const reply = await sut.execute({ event: decided(consensus), replyTo: 'x' });
      expect(reply).toMatchObject({
        model: 'top',
        planOutcome: { kind: 'consensus', agreed: false, resolution: 'flag' },
      });
      expect((reply.planOutcome as { votes: unknown[] }).votes).toHaveLength(3);
    });

    describe('escalating to a model outside the vote (agreement cascade)', () => {
      const agreement: RoutePlan = {
        kind: 'consensus',
        model: 'top',
        models: ['cheap', 'mid'],
        quorum: 2,
        onDisagreement: 'escalate',
      };

      it('keeps the voters answer when they agree, without asking the tie-breaker', async () => {
        const adapter = scripted(() => ok('Answer: B'));
        const { sut, reserve } = setup([adapter]);
        const reply = await sut.execute({ event: decided(agreement), replyTo: 'x' });
        expect(reply).toMatchObject({ model: 'cheap', planOutcome: { agreed: true, majority: ['cheap', 'mid'] } });
        expect(adapter.calls.map((c) => c.model.id).sort()).toEqual(['cheap', 'mid']);
        expect(reserve.calls).toEqual([]);
      });

      it('reserves and asks the tie-breaker when they disagree, charging all three', async () => {
        const adapter = scripted((m) => ok(m === 'top' ? 'The answer is D' : `Answer: ${m === 'cheap' ? 'A' : 'B'}`));
        const { sut, reserve } = setup([adapter]);
        const reply = await sut.execute({ event: decided(agreement), replyTo: 'x' });
        expect(reply).toMatchObject({
          model: 'top',
          answer: { content: 'The answer is D' },
          planOutcome: { kind: 'consensus', agreed: false, resolution: 'escalate', escalatedTo: 'top' },
        });
        expect(reserve.calls.map(([m]) => m)).toEqual(['top']);
        expect(reply.costUsd).toBeCloseTo((7 + 40 + 14 + 80 + 35 + 150) / 1e6, 12);
      });

      it('flags the first voter answer when the tie-breaker has no quota, recording the skip', async () => {
        const adapter = scripted((m) => ok(`Answer: ${m === 'cheap' ? 'A' : 'B'}`));
        const { sut, publishDurable } = setup([adapter], { top: 'exhausted' });
        const reply = await sut.execute({ event: decided(agreement), replyTo: 'x' });
        expect(reply).toMatchObject({ model: 'cheap', planOutcome: { agreed: false, resolution: 'flag' } });
        expect(adapter.calls.map((c) => c.model.id)).not.toContain('top');
        expect(publishDurable.calls[0][1]).toMatchObject({
          attempts: expect.arrayContaining([expect.objectContaining({ model: 'top', ok: false })]),
        });
      });
    });

    it('still votes when a voter fails, and fails when all do', async () => {
      const { sut } = setup([scripted((m) => (m === 'mid' ? new ProviderError('down', false) : ok('B')))]);
      expect(await sut.execute({ event: decided(consensus), replyTo: 'x' })).toMatchObject({
        planOutcome: { agreed: true, majority: ['cheap', 'top'] },
      });
      const { sut: none } = setup([scripted(() => new ProviderError('down', false))]);
      await expect(none.execute({ event: decided(consensus), replyTo: 'x' })).rejects.toMatchObject({
        code: 'provider_error',
        message: expect.stringContaining('every voter'),
      });
    });
  });
});
