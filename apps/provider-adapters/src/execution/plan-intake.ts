import { Injectable } from '@nestjs/common';
import { type RouteDecided, type RouteDecidedV2, RouterError } from '@switchyard/contracts';
import { PolicyStore } from '@switchyard/policy-store';
import { DEFAULT_POLICY_TRUST, executionOf, modelTrustProblems } from '@switchyard/routing';
import { PlanFailedError } from './call-model';

/**
 * What provider-adapters accepts to run. A v2 plan carries its models: they are checked against this
 * replica's trust settings (key variables, provider hosts) before any key or prompt leaves, since whoever
 * could publish a forged plan could otherwise point it anywhere. A v1 plan (decision-engine of the release
 * before) names models only: they are resolved in the policy that decided, as that release did.
 */
@Injectable()
export class PlanIntake {
  constructor(private readonly policies: PolicyStore) {}

  accept(event: RouteDecided | RouteDecidedV2): RouteDecidedV2 {
    return 'execution' in event ? this.checked(event) : this.fromV1(event);
  }

  checked(event: RouteDecidedV2): RouteDecidedV2 {
    const problems = modelTrustProblems(
      event.execution.models,
      this.policies.options.trust ?? DEFAULT_POLICY_TRUST,
      'execution.models',
    );
    if (problems.length > 0)
      throw new PlanFailedError(
        new RouterError(
          'invalid_request',
          `the plan points outside what this replica may call: ${problems.map((p) => p.message).join('; ')}`,
          problems[0].field,
        ),
        [],
      );
    return event;
  }

  fromV1(event: RouteDecided): RouteDecidedV2 {
    const policy = this.policies.byVersion(event.decision.policyVersion);
    try {
      return { ...event, execution: executionOf(policy, event.decision.plan) };
    } catch (err) {
      throw new PlanFailedError(new RouterError('no_route', (err as Error).message), []);
    }
  }
}
