import { type RouteDecidedV2, SUBJECTS, labelJudgedSchema } from '@switchyard/contracts';
import type { DurableOutbox } from '@switchyard/messaging';
import { type JudgeMetrics, type JudgeOutcome } from '@switchyard/observability';
import { type ProviderAdapter, type ProviderCall, ProviderError, type ProviderResult } from '@switchyard/providers';
import { executionOf, judgeSampled, parsePolicy } from '@switchyard/routing';
import type { Reservation } from '@switchyard/routing-state';
import { recorder, strictFake } from '@switchyard/testing';
import { adaptersEnvSchema } from '../config';
import { CallModel, type ModelAnswer } from './call-model';
import { JudgeAnswer } from './judge-answer.usecase';
import { ProviderSecrets } from './provider-secrets';
import { RunPlan } from './run-plan.usecase';

const policyWith = (judge: string) =>
  parsePolicy(`
version: j@1
models:
  - { id: cheap, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 1, output: 4 } }
  - { id: grader, provider: simulated, tier: top, apiKeyEnv: SWITCHYARD_KEY_GRADER, priceUsdPerMTok: { input: 10, output: 30 } }
default: { route: { model: cheap } }
quotas: { models: { grader: 50 } }
${judge}
`);

const JUDGED = policyWith('judge: { model: grader, sampleRate: 1, maxPromptChars: 200, maxAnswerChars: 100 }');

function decided(policy = JUDGED, requestId = 'r-1'): RouteDecidedV2 {
  const plan = { kind: 'single' as const, model: 'cheap' };
  return {
    requestId,
    tenant: 'acme',
    receivedAt: 1_764_000_000_000,
    request: {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Why is the sky blue?' },
      ],
    },
    features: {
      chars: 20,
      tokenEstimate: 5,
      language: 'en',
      turns: 1,
      questionCount: 1,
      codeBlocks: 0,
      signals: {},
      difficulty: 0.1,
    },
    analyzedAt: 1_764_000_000_001,
    decision: { plan, method: 'rule', reason: 'test', params: {}, policyVersion: 'j@1', alternatives: ['cheap'] },
    decidedAt: 1_764_000_000_002,
    execution: executionOf(policy, plan),
  };
}

/** The answer the caller got from the plan, as RunPlan hands it over. */
const answered: ModelAnswer = {
  model: JUDGED.models.get('cheap')!,
  result: { content: 'Rayleigh scattering: short wavelengths scatter more.', finishReason: 'stop' },
  usage: { inputTokens: 12, outputTokens: 9, estimated: false },
  costUsd: 0.00005,
  attempts: [{ model: 'cheap', provider: 'simulated', ok: true, latencyMs: 3 }],
};

/** The judge model's provider: answers the grading prompt from a script (an Error is a failed call). */
function grader(reply: (call: ProviderCall) => ProviderResult | Error | Promise<ProviderResult>) {
  const calls: ProviderCall[] = [];
  const adapter: ProviderAdapter = {
    kind: 'simulated',
    complete: async (c) => {
      calls.push(c);
      const r = await reply(c);
      if (r instanceof Error) throw r;
      return r;
    },
  };
  return { adapter, calls };
}

const graded = (content: string): ProviderResult => ({
  content,
  finishReason: 'stop',
  usage: { inputTokens: 100, outputTokens: 4 },
});

function setup(
  reply: (call: ProviderCall) => ProviderResult | Error | Promise<ProviderResult>,
  opts: { reserve?: () => Promise<Reservation>; maxInFlight?: number; timeoutMs?: number } = {},
) {
  const config = adaptersEnvSchema.parse({
    JUDGE_MAX_IN_FLIGHT: String(opts.maxInFlight ?? 4),
    JUDGE_TIMEOUT_MS: String(opts.timeoutMs ?? 1500),
    PROVIDER_MAX_ATTEMPTS: '3',
  });
  const { adapter, calls } = grader(reply);
  const reserve = recorder(opts.reserve ?? (async (_model: string, _limit?: number) => 'granted' as Reservation));
  const startCooldown = recorder(async (_model: string, _ms: number) => undefined);
  const callModel = new CallModel(
    [adapter],
    config,
    { startCooldown },
    new ProviderSecrets({ SWITCHYARD_KEY_GRADER: 'k-grader' }, 'SWITCHYARD_KEY_'),
  );
  // Imitates DurableOutbox while JetStream takes every event: stored at once.
  const publish = recorder(async (_subject: string, _payload: unknown, _id: string) => 'stored' as const);
  const outbox = strictFake<DurableOutbox>('DurableOutbox', { publish });
  const judged = recorder((_model: string, _outcome: JudgeOutcome) => undefined);
  const metrics = strictFake<JudgeMetrics>('JudgeMetrics', { judged });
  const sut = new JudgeAnswer(config, callModel, { reserve }, outbox, metrics);
  return { sut, calls, publish, reserve, judged, startCooldown, config, callModel };
}

describe(JudgeAnswer.name, () => {
  describe('offer', () => {
    it('grades a sampled answer with the judge model and publishes the label, idempotent by attempt', async () => {
      const { sut, calls, publish, reserve, judged } = setup(() => graded('Grade: 8'));
      sut.offer(decided(), answered);
      await sut.idle();

      // One call of the judge, with its own key, reading the routing text and the answer, once (no retries).
      expect(calls).toHaveLength(1);
      expect(calls[0].model.id).toBe('grader');
      expect(calls[0].apiKey).toBe('k-grader');
      expect(calls[0].params).toEqual({ temperature: 0, maxTokens: 20 });
      const prompt = calls[0].messages.map((m) => m.content).join('\n');
      expect(prompt).toContain('<question>\nWhy is the sky blue?\n</question>');
      expect(prompt).toContain('<answer>\nRayleigh scattering: short wavelengths scatter more.\n</answer>');
      expect(prompt).not.toContain('Be brief.');
      // Its daily quota is taken first, as for any later call of a plan.
      expect(reserve.calls).toEqual([['grader', 50]]);

      expect(publish.calls).toHaveLength(1);
      const [subject, label, id] = publish.calls[0];
      expect(subject).toBe(SUBJECTS.labelJudged);
      expect(id).toBe('judge:acme:r-1@1764000000000');
      expect(labelJudgedSchema.parse(label)).toEqual({
        requestId: 'r-1',
        tenant: 'acme',
        answeringModel: 'cheap',
        judgeModel: 'grader',
        grade: 8,
        quality: 7 / 9,
        // 100 input and 4 output tokens at the judge's prices.
        costUsd: (100 * 10 + 4 * 30) / 1e6,
        inputTokens: 100,
        outputTokens: 4,
        at: expect.any(Number),
      });
      expect(judged.calls).toEqual([['grader', 'graded']]);
    });

    it('caps the question and the answer at the policy caps', async () => {
      const { sut, calls } = setup(() => graded('Grade: 3'));
      const long = { ...answered, result: { content: 'x'.repeat(500), finishReason: 'stop' as const } };
      sut.offer(decided(), long);
      await sut.idle();
      const prompt = calls[0].messages.map((m) => m.content).join('\n');
      expect(prompt).toContain('x'.repeat(100));
      expect(prompt).not.toContain('x'.repeat(101));
    });

    it('grades nothing when the policy has no judge, or does not sample the request', async () => {
      const { sut, calls, reserve, judged } = setup(() => graded('Grade: 8'));
      sut.offer(decided(policyWith('')), answered);
      const none = policyWith('judge: { model: grader, sampleRate: 0 }');
      sut.offer(decided(none), answered);
      // At 5%, a request the hash leaves out is never graded (and one it takes is, on any replica).
      const left = Array.from({ length: 50 }, (_, i) => `q-${i}`).find((id) => !judgeSampled('acme', id, 0.05))!;
      sut.offer(decided(policyWith('judge: { model: grader }'), left), answered);
      await sut.idle();
      expect([calls, reserve.calls, judged.calls]).toEqual([[], [], []]);
    });

    it('counts a reply without a clear grade as unparsable, and publishes nothing', async () => {
      const { sut, calls, publish, judged } = setup(() => graded('Quite good, 7 or 8 I think.'));
      sut.offer(decided(), answered);
      await sut.idle();
      expect(calls).toHaveLength(1);
      expect(publish.calls).toEqual([]);
      expect(judged.calls).toEqual([['grader', 'unparsable']]);
    });

    it('skips the judge without calling it when its quota is spent, it cools down, or the store is down and the policy says closed', async () => {
      for (const [reservation, outcome] of [
        ['exhausted', 'quota'],
        ['cooling', 'cooling'],
      ] as const) {
        const { sut, calls, judged } = setup(() => graded('Grade: 8'), { reserve: async () => reservation });
        sut.offer(decided(), answered);
        await sut.idle();
        expect({ reservation, calls: calls.length, judged: judged.calls }).toEqual({
          reservation,
          calls: 0,
          judged: [['grader', outcome]],
        });
      }
      const down = async (): Promise<Reservation> => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      };
      const closed = setup(() => graded('Grade: 8'), { reserve: down });
      const closedPolicy = policyWith('judge: { model: grader, sampleRate: 1 }\n').document;
      const event = decided(parsePolicy(JSON.stringify({ ...closedPolicy, quotas: { onStoreDown: 'closed' } })));
      closed.sut.offer(event, answered);
      await closed.sut.idle();
      expect([closed.calls.length, closed.judged.calls]).toEqual([0, [['grader', 'store_down']]]);
      // Open: graded without the quota, as the plan's own calls are.
      const open = setup(() => graded('Grade: 8'), { reserve: down });
      open.sut.offer(decided(), answered);
      await open.sut.idle();
      expect(open.judged.calls).toEqual([['grader', 'graded']]);
    });

    it('counts a failed judge call once, without retrying it, and a call past JUDGE_TIMEOUT_MS as timeout', async () => {
      const failing = setup(() => new ProviderError('fake 503', true, 503));
      failing.sut.offer(decided(), answered);
      await failing.sut.idle();
      expect(failing.calls).toHaveLength(1);
      expect(failing.publish.calls).toEqual([]);
      expect(failing.judged.calls).toEqual([['grader', 'failed']]);

      // Imitates a provider that never answers: the call ends when its time limit aborts it (as post-json does).
      const hanging = (c: ProviderCall) =>
        new Promise<ProviderResult>((_resolve, reject) =>
          c.signal?.addEventListener('abort', () => reject(new ProviderError('simulated call timed out', true))),
        );
      const slow = setup(hanging, { timeoutMs: 50 });
      const started = Date.now();
      slow.sut.offer(decided(), answered);
      await slow.sut.idle();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(slow.calls).toHaveLength(1);
      expect(slow.judged.calls).toEqual([['grader', 'timeout']]);
    });

    it('returns at once, and skips what comes while JUDGE_MAX_IN_FLIGHT gradings run (busy)', async () => {
      let release: (r: ProviderResult) => void = () => undefined;
      const pending = new Promise<ProviderResult>((resolve) => (release = resolve));
      const { sut, calls, judged, publish } = setup(() => pending, { maxInFlight: 1 });
      sut.offer(decided(JUDGED, 'r-1'), answered);
      sut.offer(decided(JUDGED, 'r-2'), answered);
      expect(judged.calls).toEqual([['grader', 'busy']]);
      release(graded('Grade: 10'));
      await sut.idle();
      expect(calls).toHaveLength(1);
      expect(publish.calls.map(([, label]) => (label as { requestId: string }).requestId)).toEqual(['r-1']);
      expect(judged.calls).toEqual([
        ['grader', 'busy'],
        ['grader', 'graded'],
      ]);
      // With the slot free again, the next sampled answer is graded.
      sut.offer(decided(JUDGED, 'r-3'), answered);
      await sut.idle();
      expect(judged.calls.at(-1)).toEqual(['grader', 'graded']);
    });

    it('never throws: an unexpected failure (the quota store failing strangely) is counted as failed', async () => {
      const { sut, judged } = setup(() => graded('Grade: 8'), {
        reserve: async () => {
          throw new TypeError('bug');
        },
      });
      expect(() => sut.offer(decided(), answered)).not.toThrow();
      await sut.idle();
      expect(judged.calls).toEqual([['grader', 'failed']]);
    });
  });

  describe("grade: a cascade's acceptance check (plan.acceptGrade)", () => {
    const cascading = policyWith(`judge: { model: grader, sampleRate: 0 }
rules:
  - { name: careful, when: { keywordsAny: [sky] }, plan: { kind: cascade, models: [cheap, grader], acceptGrade: 7 } }`);
    const cascadeEvent = (): RouteDecidedV2 => {
      const plan = {
        kind: 'cascade' as const,
        model: 'cheap',
        models: ['cheap', 'grader'],
        acceptance: ['non-empty' as const],
        acceptGrade: 7,
      };
      const event = decided(cascading);
      return { ...event, decision: { ...event.decision, plan }, execution: executionOf(cascading, plan) };
    };
    // Both models on one fake provider: the cheap one answers; the grader grades when asked to, else answers.
    const provider = (grade: string) => (c: ProviderCall) =>
      c.model.id === 'grader' && String(c.messages[0].content).includes('strict grader')
        ? graded(grade)
        : {
            content: `answer of ${c.model.id}`,
            finishReason: 'stop' as const,
            usage: { inputTokens: 10, outputTokens: 10 },
          };

    it("stops at the cheap tier when the judge grades it high enough, its cost the plan's, its grade the label", async () => {
      const { sut, config, callModel, judged, publish } = setup(provider('Grade: 9'));
      const runPlan = new RunPlan(config, callModel, { reserve: async () => 'granted' }, sut);
      const run = await runPlan.execute(cascadeEvent());
      const judgeCost = (100 * 10 + 4 * 30) / 1e6;
      const cheapCost = (10 * 1 + 10 * 4) / 1e6;
      expect(run.answer.model.id).toBe('cheap');
      expect(run.costUsd).toBeCloseTo(cheapCost + judgeCost, 12);
      expect(run.outcome).toEqual({
        kind: 'cascade',
        tried: ['cheap'],
        accepted: true,
        grades: [{ model: 'cheap', grade: 9 }],
      });
      expect(run.attempts.map((a) => [a.model, a.ok])).toEqual([
        ['cheap', true],
        ['grader', true],
      ]);
      expect(run.judged).toMatchObject({ answeringModel: 'cheap', judgeModel: 'grader', grade: 9, costUsd: judgeCost });
      expect(judged.calls).toEqual([['grader', 'graded']]);
      // After the reply the label is published as it is: no second grading, whatever the sample rate.
      sut.offer(cascadeEvent(), { ...answered, model: cascading.models.get('cheap')! }, run.judged);
      await sut.idle();
      expect(publish.calls.map(([subject, label]) => [subject, (label as { grade: number }).grade])).toEqual([
        [SUBJECTS.labelJudged, 9],
      ]);
      expect(judged.calls).toHaveLength(1);
    });

    it('escalates past a cheap answer graded too low, saying why on its try', async () => {
      const { sut, config, callModel } = setup(provider('Grade: 4'));
      const runPlan = new RunPlan(config, callModel, { reserve: async () => 'granted' }, sut);
      const run = await runPlan.execute(cascadeEvent());
      expect(run.answer.model.id).toBe('grader');
      expect(run.answer.result.content).toBe('answer of grader');
      expect(run.outcome).toMatchObject({ accepted: true, grades: [{ model: 'cheap', grade: 4 }] });
      expect(run.attempts[0]).toMatchObject({ model: 'cheap', ok: true, error: 'answer rejected: judge: grade 4 < 7' });
      // The answer the caller gets (the last tier's) was not graded: it is left to the sampled judging.
      expect(run.judged).toBeUndefined();
    });
  });
});
