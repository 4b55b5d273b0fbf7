import type { PlanOutcome, RoutePlan } from '@switchyard/contracts';
import { type CandidateAnswer, failedChecks } from './acceptance';
import { consensusNext, voteConsensus } from './consensus';

/** One model's answer as the plan interpreter reads it: its text, and what it cost. */
export interface PlanAnswer {
  model: string;
  answer: CandidateAnswer;
  costUsd: number;
}

/** What the policy's judge said of an answer: its grade 1-10 (none: no clear grade, or it could not be asked) and cost. */
export interface JudgeVerdict {
  grade?: number;
  costUsd: number;
}

/**
 * What running a plan needs from the world: provider-adapters calls real providers and takes quotas from
 * Redis; offline evaluation answers from a dataset row's recorded outcomes. `call` and `reserve` may be
 * asynchronous (run with `runPlan`) or not (`runPlanSync`).
 */
export interface PlanPort<
  A extends PlanAnswer,
  R = A | Promise<A>,
  B = boolean | Promise<boolean>,
  G = JudgeVerdict | Promise<JudgeVerdict>,
> {
  /** Asks one model; throws when it gave no answer. `stream`: the plan returns this call's answer as it comes. */
  call(model: string, stream: boolean): R;
  /** Takes a call of `model` from its quota before a later tier, a fallback or an escalation; false: pass it over. */
  reserve(model: string, role: ReserveRole): B;
  /** What calling `model` next is expected to cost, knowing the answer before it; undefined: unknown. */
  expectedCostUsd(model: string, previous: A): number | undefined;
  /** Whether another model may take over after this failure (not after a stream has started, say). */
  canFallBack(error: unknown): boolean;
  /**
   * A cascade went past (or ended on) an answer that failed these acceptance checks (`judge: …` when the
   * policy's judge graded it below the plan's acceptGrade, or gave no grade).
   */
  rejected?(answer: A, failed: readonly string[]): void;
  /**
   * Asks the policy's judge to grade an answer (a cascade with acceptGrade); its cost is the plan's. A port
   * without it (an offline replay) cannot run such a plan.
   */
  grade?(answer: A): G;
}

/** Why a model is reserved during a plan. */
export type ReserveRole = 'tier' | 'fallback' | 'escalation';

export type SyncPlanPort<A extends PlanAnswer> = PlanPort<A, A, boolean, JudgeVerdict>;

/** A plan that asks the judge (a cascade's acceptGrade) run on a port that has none. */
export class NoJudgeError extends Error {
  constructor() {
    super(
      "this plan's cascade accepts by a judge grade (plan.acceptGrade), and nothing here can call the judge " +
        '(an offline replay answers from recorded outcomes only)',
    );
    this.name = 'NoJudgeError';
  }
}

export interface PlanContext {
  /** What acceptance checks read the prompt as (routingText of the messages). */
  prompt: string;
  /** A single-model plan's fallbacks, in order, already limited to how many may be tried. */
  fallbacks: readonly string[];
}

/** The answer a plan settled on, what all its answers cost, and how a multi-model plan went. */
export interface PlanRun<A extends PlanAnswer> {
  answer: A;
  costUsd: number;
  /** Models that answered, in call order (each is paid for). */
  called: string[];
  outcome?: PlanOutcome;
}

/** No model of the plan gave an answer; `cause`: the last failure, when there was one. */
export class PlanExhaustedError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'PlanExhaustedError';
  }
}

type Effect =
  | { op: 'call'; model: string; stream: boolean }
  | { op: 'reserve'; model: string; role: ReserveRole }
  | { op: 'callAll'; models: string[] }
  | { op: 'grade'; answer: unknown };
type Called<A> = { ok: true; value: A } | { ok: false; error: unknown };
type Steps<T> = Generator<Effect, T, unknown>;

/**
 * Runs a decided plan through `port`, the one implementation of the plan rules that provider-adapters and
 * offline evaluation share:
 * - single: the model; when it fails (and `port.canFallBack`), each fallback in turn, reserved first;
 * - cascade: tiers in order, each later one reserved when reached; stops at the first answer passing the
 *   acceptance checks (and, with `acceptGrade`, graded at least that by the policy's judge, whose cost is the
 *   plan's), at the last tier, or at the cost cap: before a tier whose expected cost would take the spend
 *   past `maxCostUsd` (the answer so far is returned), and after an answer that reached it;
 * - consensus: every voter at once; the majority when it reaches the quorum; otherwise the plan's strongest
 *   voter's answer, or a tie-breaker outside the vote asked (reserved first), or the first answer flagged.
 */
export async function runPlan<A extends PlanAnswer>(
  plan: RoutePlan,
  ctx: PlanContext,
  port: PlanPort<A>,
): Promise<PlanRun<A>> {
  const steps = interpret<A>(plan, ctx, port);
  let input: unknown;
  for (;;) {
    const next = steps.next(input);
    if (next.done) return next.value;
    const effect = next.value;
    if (effect.op === 'reserve') input = await port.reserve(effect.model, effect.role);
    else if (effect.op === 'call') input = await settle(() => port.call(effect.model, effect.stream));
    else if (effect.op === 'grade') input = await gradeWith(port, effect.answer as A);
    else input = await Promise.all(effect.models.map((m) => settle(() => port.call(m, false))));
  }
}

/** `runPlan` for a port that answers at once (offline replay): same rules, no promises. */
export function runPlanSync<A extends PlanAnswer>(
  plan: RoutePlan,
  ctx: PlanContext,
  port: SyncPlanPort<A>,
): PlanRun<A> {
  const steps = interpret<A>(plan, ctx, port);
  let input: unknown;
  for (;;) {
    const next = steps.next(input);
    if (next.done) return next.value;
    const effect = next.value;
    if (effect.op === 'reserve') input = port.reserve(effect.model, effect.role);
    else if (effect.op === 'call') input = settleSync(() => port.call(effect.model, effect.stream));
    else if (effect.op === 'grade') input = gradeWith(port, effect.answer as A);
    else input = effect.models.map((m) => settleSync(() => port.call(m, false)));
  }
}

function gradeWith<A extends PlanAnswer, G>(port: { grade?(answer: A): G }, answer: A): G {
  if (!port.grade) throw new NoJudgeError();
  return port.grade(answer);
}

async function settle<A>(call: () => A | Promise<A>): Promise<Called<A>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error };
  }
}

function settleSync<A>(call: () => A): Called<A> {
  try {
    return { ok: true, value: call() };
  } catch (error) {
    return { ok: false, error };
  }
}

function* interpret<A extends PlanAnswer>(
  plan: RoutePlan,
  ctx: PlanContext,
  port: Pick<PlanPort<A>, 'expectedCostUsd' | 'canFallBack' | 'rejected'>,
): Steps<PlanRun<A>> {
  switch (plan.kind) {
    case 'single':
      return yield* single(plan.model, ctx.fallbacks, port);
    case 'cascade':
      return yield* cascade(plan, ctx.prompt, port);
    case 'consensus':
      return yield* consensus(plan, port);
  }
}

function* call<A>(model: string, stream = false): Generator<Effect, Called<A>, unknown> {
  return (yield { op: 'call', model, stream }) as Called<A>;
}

function* reserve(model: string, role: ReserveRole): Generator<Effect, boolean, unknown> {
  return (yield { op: 'reserve', model, role }) as boolean;
}

function* grade<A>(answer: A): Generator<Effect, JudgeVerdict, unknown> {
  return (yield { op: 'grade', answer }) as JudgeVerdict;
}

function* single<A extends PlanAnswer>(
  model: string,
  fallbacks: readonly string[],
  port: Pick<PlanPort<A>, 'canFallBack'>,
): Steps<PlanRun<A>> {
  let lastError: unknown;
  for (const candidate of [model, ...fallbacks.filter((m) => m !== model)]) {
    // A fallback without quota is passed over: it was never a try of this request.
    if (candidate !== model && !(yield* reserve(candidate, 'fallback'))) continue;
    const called = yield* call<A>(candidate, true);
    if (called.ok) return { answer: called.value, costUsd: called.value.costUsd, called: [candidate] };
    if (!port.canFallBack(called.error)) throw called.error;
    lastError = called.error;
  }
  throw new PlanExhaustedError(messageOf(lastError), lastError);
}

function* cascade<A extends PlanAnswer>(
  plan: Extract<RoutePlan, { kind: 'cascade' }>,
  prompt: string,
  port: Pick<PlanPort<A>, 'expectedCostUsd' | 'rejected'>,
): Steps<PlanRun<A>> {
  const tried: string[] = [];
  const called: string[] = [];
  const grades: Array<{ model: string; grade?: number }> = [];
  const cap = plan.maxCostUsd;
  let costUsd = 0;
  let last: A | undefined;
  let lastError: unknown;
  for (const [i, model] of plan.models.entries()) {
    if (i > 0) {
      // The cap is checked before paying: a tier whose expected cost would take the spend past it is not called.
      const expected = cap !== undefined && last ? port.expectedCostUsd(model, last) : undefined;
      if (last && expected !== undefined && cap !== undefined && costUsd + expected > cap)
        return {
          answer: last,
          costUsd,
          called,
          outcome: { kind: 'cascade', tried, accepted: false, stoppedAtCostCap: true, ...graded(grades) },
        };
      // The first tier was reserved with the decision; later ones take their quota only when they are needed.
      if (!(yield* reserve(model, 'tier'))) continue;
    }
    tried.push(model);
    const result = yield* call<A>(model);
    if (!result.ok) {
      lastError = result.error;
      continue;
    }
    last = result.value;
    called.push(model);
    costUsd += last.costUsd;
    const failed: string[] = failedChecks(last.answer, plan.acceptance, prompt);
    const lastTier = i === plan.models.length - 1;
    // The judge is asked only about an answer the checks accept and a later tier could replace: the last
    // tier's answer goes back whatever its grade, and one that reached the cost cap goes back too.
    if (failed.length === 0 && plan.acceptGrade !== undefined && !lastTier && !(cap !== undefined && costUsd >= cap)) {
      const verdict = yield* grade(last);
      costUsd += verdict.costUsd;
      grades.push(verdict.grade === undefined ? { model } : { model, grade: verdict.grade });
      if (verdict.grade === undefined) failed.push('judge: no grade');
      else if (verdict.grade < plan.acceptGrade) failed.push(`judge: grade ${verdict.grade} < ${plan.acceptGrade}`);
    }
    if (failed.length > 0) port.rejected?.(last, failed);
    const capped = cap !== undefined && costUsd >= cap;
    if (failed.length === 0 || capped || lastTier)
      return {
        answer: last,
        costUsd,
        called,
        outcome: {
          kind: 'cascade',
          tried,
          accepted: failed.length === 0,
          ...(capped ? { stoppedAtCostCap: true } : {}),
          ...graded(grades),
        },
      };
  }
  if (last)
    return { answer: last, costUsd, called, outcome: { kind: 'cascade', tried, accepted: false, ...graded(grades) } };
  throw new PlanExhaustedError(
    `every tier of the cascade failed: ${lastError === undefined ? 'none could be reserved' : messageOf(lastError)}`,
    lastError,
  );
}

function* consensus<A extends PlanAnswer>(
  plan: Extract<RoutePlan, { kind: 'consensus' }>,
  port: Pick<PlanPort<A>, 'canFallBack'>,
): Steps<PlanRun<A>> {
  const settled = (yield { op: 'callAll', models: plan.models }) as Array<Called<A>>;
  const answers = settled.flatMap((s) => (s.ok ? [s.value] : []));
  if (answers.length === 0) throw new PlanExhaustedError('every voter of the consensus failed');
  const costUsd = answers.reduce((sum, a) => sum + a.costUsd, 0);
  const called = answers.map((a) => a.model);
  const vote = voteConsensus(
    answers.map((a) => ({ model: a.model, answer: a.answer.content })),
    plan.quorum,
  );
  const votes = answers.map((a) => ({ model: a.model, content: a.answer.content }));
  const next = consensusNext(plan, vote, called);
  if ('ask' in next) {
    // No quorum, and the plan escalates to a model outside the vote (cheap voters, a strong tie-breaker).
    if (yield* reserve(next.ask, 'escalation')) {
      const escalated = yield* call<A>(next.ask);
      if (escalated.ok)
        return {
          answer: escalated.value,
          costUsd: costUsd + escalated.value.costUsd,
          called: [...called, next.ask],
          outcome: {
            kind: 'consensus',
            agreed: false,
            majority: [],
            votes,
            resolution: 'escalate',
            escalatedTo: next.ask,
          },
        };
      if (!port.canFallBack(escalated.error)) throw escalated.error;
    }
    // Out of quota, cooling down or failed: the first voter's answer goes back, flagged.
    return {
      answer: answers[0],
      costUsd,
      called,
      outcome: { kind: 'consensus', agreed: false, majority: [], votes, resolution: 'flag' },
    };
  }
  return {
    answer: answers.find((a) => a.model === next.keep) ?? answers[0],
    costUsd,
    called,
    // Without a quorum the plan's strongest model answers (escalate), or its answer goes back flagged.
    outcome: vote.agreed
      ? { kind: 'consensus', agreed: true, majority: vote.majority, votes }
      : { kind: 'consensus', agreed: false, majority: [], votes, resolution: plan.onDisagreement },
  };
}

/** The judge's grades on a cascade's outcome, when it was asked at all. */
const graded = (grades: Array<{ model: string; grade?: number }>) => (grades.length > 0 ? { grades } : {});

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
