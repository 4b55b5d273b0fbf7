import { Controller } from '@nestjs/common';
import { type ModelsList, SUBJECTS } from '@switchyard/contracts';
import { type IncomingMessage, OnSubject } from '@switchyard/messaging';
import { PolicyStore } from '@switchyard/policy-store';
import { listModels } from '@switchyard/routing';

/**
 * What a caller may name as `model` under the policy in force (ingress serves it as `GET /v1/models`): the
 * router, the policy's profiles and its models. Ingress authenticates the caller before it asks.
 */
@Controller()
export class ModelsController {
  constructor(private readonly policies: PolicyStore) {}

  @OnSubject(SUBJECTS.modelsList)
  onList(msg: IncomingMessage): ModelsList {
    msg.payload(SUBJECTS.modelsList);
    const policy = this.policies.current();
    return { policyVersion: policy.document.version, models: listModels(policy) };
  }
}
