import type { RoutePlan } from '@switchyard/contracts';
import { replayedAnswer } from '@switchyard/datasets';
import {
  type CandidateAnswer,
  type PlanAnswer,
  type PlanRun,
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
