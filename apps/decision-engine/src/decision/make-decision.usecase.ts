import { Injectable } from '@nestjs/common';
import { RouterError, type RequestAnalyzed, type RouteDecided, SUBJECTS } from '@switchyard/contracts';
import { EventPublisher } from '@switchyard/messaging';
import { PolicyStore } from '@switchyard/policy-store';
import { decideRoute } from '@switchyard/routing';

export interface MakeDecisionCommand {
  event: RequestAnalyzed;
  replyTo: string;
  deadline?: number;
}

/** Applies the routing policy to an analyzed request and hands the plan to provider-adapters. */
@Injectable()
export class MakeDecision {
  constructor(
    private readonly policies: PolicyStore,
    private readonly publisher: EventPublisher,
  ) {}

  execute(cmd: MakeDecisionCommand): RouteDecided {
    const { event } = cmd;
    const decision = decideRoute(this.policies.current(), {
      request: event.request,
      tenant: event.tenant,
      features: event.features,
    });
    if (decision.plan.model === undefined)
      throw new RouterError('no_route', `policy ${decision.policyVersion} names no model for this request`);
    const decided: RouteDecided = { ...event, decision, decidedAt: Date.now() };
    this.publisher.publish(SUBJECTS.routeDecided, decided, {
      replyTo: cmd.replyTo,
      deadline: cmd.deadline,
      messageId: event.requestId,
    });
    return decided;
  }
}
