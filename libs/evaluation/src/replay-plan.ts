import type { RoutePlan } from '@switchyard/contracts';
import { replayedAnswer } from '@switchyard/datasets';
import {
  type CandidateAnswer,
  type CompiledPolicy,
  type PlanAnswer,
  type PlanRun,
  PolicyError,
  type SyncPlanPort,
  runPlanSync,
} from '@switchyard/routing';
import type { DatasetRow } from '@switchyard/datasets';

type Outcome = DatasetRow['outcomes'][string];

/** The text a model's recorded outcome answers with. */
export type AnswerText = (model: string, outcome: Outcome) => CandidateAnswer;

/** The recorded answer itself: a missing or null `pred` is a model that gave no readable answer. */
export const recordedAnswer: AnswerText = (_model, outcome) => ({ content: outcome.pred ?? '', finishReason: 'stop' });

/**
 * A decided plan run on one row's recorded outcomes by the plan interpreter provider-adapters runs: each
 * model answers with `answerText` (by default what the replay provider serves, so checks and votes read what
 * the services read), at its recorded cost; every model has quota and none fails, so there are no
 * fallbacks. A call of a model the row has no outcome for is an error.
 */
export function replayPlan(
  row: DatasetRow,
  plan: RoutePlan,
  answerText: AnswerText = replayedAnswer,
): PlanRun<PlanAnswer> {
  const outcome = (model: string) => {
    const o = row.outcomes[model];
    if (!o) throw new Error(`the plan calls "${model}" for row ${row.id}, which has no outcome for it`);
    return o;
  };
  const port: SyncPlanPort<PlanAnswer> = {
    call: (model) => ({ model, answer: answerText(model, outcome(model)), costUsd: outcome(model).cost_usd }),
    reserve: () => true,
    expectedCostUsd: (model) => outcome(model).cost_usd,
    // Offline, a failure is a bug in the data or the plan: never hidden behind another model.
    canFallBack: () => false,
  };
  return runPlanSync(plan, { prompt: row.prompt, fallbacks: [] }, port);
}

/**
 * What of a policy an offline replay cannot run, each at its field: a cascade that accepts by a judge's
 * grade (`acceptGrade`) needs a live call of the judge model, which recorded outcomes cannot answer. `prefix`
 * names where the policy sits (a canary's candidate).
 */
export function offlineReplayProblems(policy: CompiledPolicy, prefix = ''): Array<{ field: string; message: string }> {
  return policy.document.rules.flatMap((rule, i) =>
    rule.plan?.kind === 'cascade' && rule.plan.acceptGrade !== undefined
      ? [
          {
            field: `${prefix}rules.${i}.plan.acceptGrade`,
            message: `rule "${rule.name}" accepts by the judge's grade, which an offline replay cannot call (it answers from recorded outcomes only); replay a policy without acceptGrade`,
          },
        ]
      : [],
  );
}

/** Refuses, before anything runs, a policy (and its canary candidate) an offline replay cannot run. */
export function assertOfflineReplayable(policy: CompiledPolicy, candidate?: CompiledPolicy): void {
  const problems = [
    ...offlineReplayProblems(policy),
    ...(candidate ? offlineReplayProblems(candidate, 'canary.candidate.') : []),
  ];
  if (problems.length > 0) throw new PolicyError(problems);
}
