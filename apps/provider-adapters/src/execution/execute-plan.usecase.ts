import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  type ChatDelta,
  type ChatSuccess,
  type CompletionSucceeded,
  type RouteDecided,
  type RouteDecidedV2,
  RouterError,
  SUBJECTS,
  attemptKey,
  extend,
} from '@switchyard/contracts';
import type { AnswerPiece, ProviderResult } from '@switchyard/providers';
import { DurableOutbox, EventPublisher, completionBaseOf } from '@switchyard/messaging';
import { type TenantLimitsStore, budgetHoldId } from '@switchyard/routing-state';
import { PlanFailedError } from './call-model';
import { TENANT_LIMITS } from './execution.constants';
import { JudgeAnswer } from './judge-answer.usecase';
import { PlanIntake } from './plan-intake';
import { RunPlan } from './run-plan.usecase';

export { PlanFailedError } from './call-model';

export interface ExecutePlanCommand {
  /** A v1 plan is resolved in the policy that decided; a v2 plan carries its models, checked against this replica's trust. */
  event: RouteDecided | RouteDecidedV2;
  replyTo: string;
  deadline?: number;
}

/** Runs a route plan, replies to the caller with the priced answer, and records it durably. */
@Injectable()
export class ExecutePlan {
  private readonly logger = new Logger(ExecutePlan.name);

  constructor(
    private readonly runPlan: RunPlan,
    private readonly intake: PlanIntake,
    private readonly publisher: EventPublisher,
    private readonly outbox: DurableOutbox,
    @Inject(TENANT_LIMITS) private readonly limits: Pick<TenantLimitsStore, 'settle'>,
    // Absent in tests that do not judge; the module always provides it.
    @Optional() @Inject(JudgeAnswer) private readonly judge?: Pick<JudgeAnswer, 'offer'>,
  ) {}

  async execute(cmd: ExecutePlanCommand): Promise<ChatSuccess> {
    try {
      return await this.run(cmd);
    } catch (err) {
      // Nothing was paid for: the budget held for the request goes back at once.
      this.settle(cmd.event, 0);
      throw err;
    }
  }

  private async run(cmd: ExecutePlanCommand): Promise<ChatSuccess> {
    const event = this.intake.accept(cmd.event);
    if (cmd.deadline !== undefined && Date.now() > cmd.deadline)
      throw new PlanFailedError(
        new RouterError('timeout', 'the caller stopped waiting before the provider was called'),
        [],
      );
    // A call that cannot be recorded is not made: the caller retries once records are stored again.
    if (!this.outbox.available)
      throw new PlanFailedError(
        new RouterError(
          'unavailable',
          'requests cannot be recorded right now (JetStream); nothing was called, retry',
          undefined,
          2,
        ),
        [],
      );

    const started = Date.now();
    const onDelta = event.request.stream
      ? (piece: AnswerPiece, model: string) =>
          this.publisher.reply(cmd.replyTo, { requestId: event.requestId, model, ...piece } satisfies ChatDelta)
      : undefined;
    const { answer, costUsd, attempts, outcome, judged } = await this.runPlan.execute(event, onDelta);
    const completedAt = Date.now();
    const latency = {
      totalMs: completedAt - event.receivedAt,
      routingMs: Math.max(0, event.decidedAt - event.receivedAt),
      providerMs: completedAt - started,
    };
    const reply: ChatSuccess = {
      ok: true,
      requestId: event.requestId,
      tenant: event.tenant,
      model: answer.model.id,
      provider: answer.model.provider,
      answer: answerOf(answer.result),
      finishReason: answer.result.finishReason,
      decision: event.decision,
      difficulty: event.features.difficulty,
      usage: answer.usage,
      costUsd,
      latency,
    };
    if (answer.result.choices) reply.choices = answer.result.choices;
    if (answer.result.logprobs) reply.logprobs = answer.result.logprobs;
    if (outcome) reply.planOutcome = outcome;
    const record: CompletionSucceeded = extend(completionBaseOf(event, attempts), {
      completedAt,
      model: answer.model.id,
      provider: answer.model.provider,
      answer: answer.result.content,
      finishReason: answer.result.finishReason,
      usage: answer.usage,
      costUsd,
      latency,
    });
    if (answer.result.toolCalls?.length) record.toolCalls = answer.result.toolCalls;
    if (outcome) record.planOutcome = outcome;
    // The record goes on the wire before the answer (both leave in one write): a crash after the caller has its
    // answer cannot lose the record. Its ack is awaited after replying, so the caller does not wait for it.
    const stored = this.outbox.publishCompletion(
      SUBJECTS.completionSucceeded,
      record,
      attemptKey(event.tenant, event.requestId, event.receivedAt),
    );
    this.publisher.reply(cmd.replyTo, reply);
    this.settle(event, costUsd);
    await stored;
    // Off the reply path: the caller has its answer; a sampled share is graded in the background (an answer a
    // cascade's judge graded already has its label).
    this.judge?.offer(event, answer, judged);
    return reply;
  }

  /**
   * Charges the real cost to the tenant's day and gives back the budget decision-engine held for this
   * attempt. A Redis outage must not fail an answer already given: it is logged, and the hold expires.
   */
  private settle(event: RouteDecided, costUsd: number): void {
    const at = new Date(event.receivedAt);
    this.limits
      .settle(event.tenant, budgetHoldId(event.tenant, event.requestId, event.receivedAt), costUsd, at)
      .catch((err: Error) =>
        this.logger.warn(
          `tenant spend of $${costUsd} for ${event.tenant}/${event.requestId} not recorded: ${err.message}`,
        ),
      );
  }
}

/** The caller's answer: the text, and the tool calls when the model asked for any. */
function answerOf(result: ProviderResult): ChatSuccess['answer'] {
  return result.toolCalls?.length
    ? { role: 'assistant', content: result.content, toolCalls: result.toolCalls }
    : { role: 'assistant', content: result.content };
}
