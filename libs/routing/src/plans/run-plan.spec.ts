import type { RoutePlan } from '@switchyard/contracts';
import { NoJudgeError, type PlanAnswer, type PlanPort, PlanExhaustedError, runPlan, runPlanSync } from './run-plan';

/** A scripted world: each model's answer (or failure), its cost, which models have quota; every effect logged. */
function world(
  answers: Record<string, string | Error>,
  opts: {
    cost?: Record<string, number>;
    noQuota?: string[];
    expected?: Record<string, number>;
    /** The judge's grade of each model's answer (absent: no clear grade); each grading costs 0.25. */
    grades?: Record<string, number | undefined>;
  } = {},
) {
  const log: string[] = [];
  const rejected: string[] = [];
  const answerOf = (model: string): PlanAnswer => {
    const a = answers[model];
    if (a === undefined) throw new Error(`no script for ${model}`);
    if (a instanceof Error) throw a;
    return { model, answer: { content: a, finishReason: 'stop' }, costUsd: opts.cost?.[model] ?? 1 };
  };
  const sync = {
    call: (model: string, stream: boolean) => {
      log.push(`call ${model}${stream ? ' (stream)' : ''}`);
      return answerOf(model);
    },
    reserve: (model: string, role: string) => {
      log.push(`reserve ${model}${role === 'tier' ? '' : ` (${role})`}`);
      return !(opts.noQuota ?? []).includes(model);
    },
    expectedCostUsd: (model: string) => opts.expected?.[model],
    canFallBack: (err: unknown) => !(err instanceof Error && err.message.startsWith('final')),
    rejected: (a: PlanAnswer, failed: readonly string[]) => rejected.push(`${a.model}: ${failed.join(',')}`),
    grade: (a: PlanAnswer) => {
      log.push(`grade ${a.model}`);
      const grade = opts.grades?.[a.model];
      return grade === undefined ? { costUsd: 0.25 } : { grade, costUsd: 0.25 };
    },
  };
  const async: PlanPort<PlanAnswer> = {
    ...sync,
    call: async (model, stream) => {
      await new Promise((r) => setImmediate(r));
      return sync.call(model, stream);
    },
    reserve: async (model, role) => sync.reserve(model, role),
    grade: async (a) => {
      await new Promise((r) => setImmediate(r));
      return sync.grade(a);
    },
  };
  return { sync, async, log, rejected };
}

const ctx = { prompt: 'What is 2+2?', fallbacks: [] as string[] };
const cascade = (models: string[], maxCostUsd?: number): RoutePlan => ({
  kind: 'cascade',
  model: models[0],
  models,
  acceptance: ['non-empty', 'not-refusal'],
  ...(maxCostUsd !== undefined ? { maxCostUsd } : {}),
});

// Every rule is checked through both drivers: provider-adapters runs the async one, offline replay the sync one.
const drivers = [
  ['async', (plan: RoutePlan, w: ReturnType<typeof world>, c = ctx) => runPlan(plan, c, w.async)],
  ['sync', async (plan: RoutePlan, w: ReturnType<typeof world>, c = ctx) => runPlanSync(plan, c, w.sync)],
] as const;

describe.each(drivers)('the plan interpreter (%s)', (_name, run) => {
  describe('single', () => {
    it('streams the one model and returns its answer at its cost', async () => {
      const w = world({ a: '4' }, { cost: { a: 0.5 } });
      const r = await run({ kind: 'single', model: 'a' }, w);
      expect([r.answer.model, r.costUsd, r.called, r.outcome]).toEqual(['a', 0.5, ['a'], undefined]);
      expect(w.log).toEqual(['call a (stream)']);
    });

    it('falls back in order, reserving each fallback and passing over one without quota', async () => {
      const w = world({ a: new Error('down'), b: '4', c: '4' }, { noQuota: ['b'] });
      const r = await run({ kind: 'single', model: 'a' }, w, { ...ctx, fallbacks: ['b', 'c'] });
      expect(r.answer.model).toBe('c');
      expect(w.log).toEqual(['call a (stream)', 'reserve b (fallback)', 'reserve c (fallback)', 'call c (stream)']);
    });

    it('does not fall back after a failure the port says is final, and rethrows it as is', async () => {
      const final = new Error('final: the stream broke');
      const w = world({ a: final, b: '4' });
      await expect(run({ kind: 'single', model: 'a' }, w, { ...ctx, fallbacks: ['b'] })).rejects.toBe(final);
      expect(w.log).toEqual(['call a (stream)']);
    });

    it('says why when every model failed', async () => {
      const w = world({ a: new Error('a is down'), b: new Error('b is down') });
      const err = await run({ kind: 'single', model: 'a' }, w, { ...ctx, fallbacks: ['b'] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlanExhaustedError);
      expect((err as Error).message).toBe('b is down');
    });
  });

  describe('cascade', () => {
    it('stops at the first answer that passes the checks', async () => {
      const w = world({ a: '', b: 'Four.', c: '4' });
      const r = await run(cascade(['a', 'b', 'c']), w);
      expect([r.answer.model, r.costUsd, r.called]).toEqual(['b', 2, ['a', 'b']]);
      expect(r.outcome).toEqual({ kind: 'cascade', tried: ['a', 'b'], accepted: true });
      expect(w.log).toEqual(['call a', 'reserve b', 'call b']);
      expect(w.rejected).toEqual(['a: non-empty']);
    });

    it('returns the last tier, flagged not accepted, when no answer passes', async () => {
      const w = world({ a: "I'm sorry, I can't help", b: '' });
      const r = await run(cascade(['a', 'b']), w);
      expect([r.answer.model, r.outcome]).toEqual(['b', { kind: 'cascade', tried: ['a', 'b'], accepted: false }]);
    });

    it('passes over a tier without quota and one that fails', async () => {
      const w = world({ a: '', b: '4', c: new Error('c down'), d: '4' }, { noQuota: ['b'] });
      const r = await run(cascade(['a', 'b', 'c', 'd']), w);
      expect(r.answer.model).toBe('d');
      expect(r.outcome).toEqual({ kind: 'cascade', tried: ['a', 'c', 'd'], accepted: true });
    });

    it('does not call (nor reserve) a tier whose expected cost would pass the cap: the answer so far returns', async () => {
      const w = world({ a: '', b: '4' }, { cost: { a: 0.4 }, expected: { b: 0.7 } });
      const r = await run(cascade(['a', 'b'], 1), w);
      expect([r.answer.model, r.costUsd]).toEqual(['a', 0.4]);
      expect(r.outcome).toEqual({ kind: 'cascade', tried: ['a'], accepted: false, stoppedAtCostCap: true });
      expect(w.log).toEqual(['call a']);
    });

    it('calls a tier that fits under the cap, and stops once the spend reached it', async () => {
      const w = world({ a: '', b: '', c: '4' }, { cost: { a: 0.4, b: 0.6 }, expected: { b: 0.5, c: 0.1 } });
      const r = await run(cascade(['a', 'b', 'c'], 1), w);
      expect([r.answer.model, r.costUsd]).toEqual(['b', 1]);
      expect(r.outcome).toEqual({ kind: 'cascade', tried: ['a', 'b'], accepted: false, stoppedAtCostCap: true });
    });

    it('fails when every tier failed or could not be reserved', async () => {
      const w = world({ a: new Error('a down') }, { noQuota: ['b'] });
      await expect(run(cascade(['a', 'b']), w)).rejects.toThrow('every tier of the cascade failed: a down');
    });
  });

  describe('cascade accepting by a judge grade (acceptGrade)', () => {
    const judged = (models: string[], acceptGrade: number, maxCostUsd?: number): RoutePlan => ({
      ...(cascade(models, maxCostUsd) as Extract<RoutePlan, { kind: 'cascade' }>),
      acceptGrade,
    });

    it("accepts a checked answer the judge grades at acceptGrade or above, the judge's cost the plan's", async () => {
      const w = world({ a: '4', b: '4' }, { grades: { a: 7 } });
      const r = await run(judged(['a', 'b'], 7), w);
      expect([r.answer.model, r.costUsd, r.called]).toEqual(['a', 1.25, ['a']]);
      expect(r.outcome).toEqual({ kind: 'cascade', tried: ['a'], accepted: true, grades: [{ model: 'a', grade: 7 }] });
      expect(w.log).toEqual(['call a', 'grade a']);
    });

    it('goes on past an answer graded below, or given no clear grade, and never grades the last tier', async () => {
      const w = world({ a: '4', b: '4', c: '4' }, { grades: { a: 3, c: 1 } });
      const r = await run(judged(['a', 'b', 'c'], 7), w);
      expect([r.answer.model, r.costUsd]).toEqual(['c', 3.5]);
      expect(r.outcome).toEqual({
        kind: 'cascade',
        tried: ['a', 'b', 'c'],
        accepted: true,
        grades: [{ model: 'a', grade: 3 }, { model: 'b' }],
      });
      expect(w.log).toEqual(['call a', 'grade a', 'reserve b', 'call b', 'grade b', 'reserve c', 'call c']);
      expect(w.rejected).toEqual(['a: judge: grade 3 < 7', 'b: judge: no grade']);
    });

    it('never asks the judge about an answer the checks refuse, nor one that reached the cost cap', async () => {
      const w = world({ a: '', b: '4', c: '4' }, { cost: { b: 2 }, grades: { b: 9 } });
      const r = await run(judged(['a', 'b', 'c'], 7, 3), w);
      expect([r.answer.model, r.costUsd]).toEqual(['b', 3]);
      expect(r.outcome).toEqual({ kind: 'cascade', tried: ['a', 'b'], accepted: true, stoppedAtCostCap: true });
      expect(w.log).toEqual(['call a', 'reserve b', 'call b']);
    });
  });

  describe('consensus', () => {
    const vote = (onDisagreement: 'escalate' | 'flag', lead = 'a'): RoutePlan => ({
      kind: 'consensus',
      model: lead,
      models: ['a', 'b', 'c'],
      quorum: 2,
      onDisagreement,
    });

    it('asks every voter and returns the majority at the cost of all of them', async () => {
      const w = world({ a: 'Answer: B', b: 'The answer is C', c: 'answer: c' });
      const r = await run(vote('flag'), w);
      expect([r.answer.model, r.costUsd, r.called]).toEqual(['b', 3, ['a', 'b', 'c']]);
      expect(r.outcome).toMatchObject({ kind: 'consensus', agreed: true, majority: ['b', 'c'] });
    });

    it('without a quorum returns the strongest voter flagged; a failed voter does not vote', async () => {
      const w = world({ a: 'Answer: A', b: 'Answer: B', c: new Error('c down') });
      const r = await run(vote('flag'), w);
      expect([r.answer.model, r.costUsd]).toEqual(['a', 2]);
      expect(r.outcome).toMatchObject({ agreed: false, resolution: 'flag' });
    });

    it('escalates to a tie-breaker outside the vote, reserved first, and adds its cost', async () => {
      const w = world({ a: 'Answer: A', b: 'Answer: B', c: 'Answer: C', z: 'Answer: D' });
      const r = await run(vote('escalate', 'z'), w);
      expect([r.answer.model, r.costUsd, r.called]).toEqual(['z', 4, ['a', 'b', 'c', 'z']]);
      expect(r.outcome).toMatchObject({ resolution: 'escalate', escalatedTo: 'z' });
      expect(w.log.slice(-2)).toEqual(['reserve z (escalation)', 'call z']);
    });

    it('flags the first answer when the tie-breaker has no quota', async () => {
      const w = world({ a: 'Answer: A', b: 'Answer: B', c: 'Answer: C', z: 'Answer: D' }, { noQuota: ['z'] });
      const r = await run(vote('escalate', 'z'), w);
      expect([r.answer.model, r.costUsd]).toEqual(['a', 3]);
      expect(r.outcome).toMatchObject({ resolution: 'flag' });
    });

    it('fails when every voter failed', async () => {
      const w = world({ a: new Error('x'), b: new Error('y'), c: new Error('z') });
      await expect(run(vote('flag'), w)).rejects.toThrow('every voter of the consensus failed');
    });
  });
});

describe('a plan that asks the judge, on a port without one', () => {
  const plan: RoutePlan = {
    kind: 'cascade',
    model: 'a',
    models: ['a', 'b'],
    acceptance: ['non-empty'],
    acceptGrade: 6,
  };

  it('is refused by the offline replay (runPlanSync) with an error naming plan.acceptGrade', () => {
    const { grade: _none, ...w } = world({ a: '4', b: '4' }).sync;
    expect(() => runPlanSync(plan, ctx, w)).toThrow(NoJudgeError);
    expect(() => runPlanSync(plan, ctx, w)).toThrow(/plan\.acceptGrade/);
  });

  it('and by runPlan', async () => {
    const { grade: _none, ...w } = world({ a: '4', b: '4' }).async;
    await expect(runPlan(plan, ctx, w)).rejects.toBeInstanceOf(NoJudgeError);
  });
});
