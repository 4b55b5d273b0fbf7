import { Injectable } from '@nestjs/common';
import {
  type ModelsList,
  RouterError,
  SUBJECTS,
  modelsListSchema,
  parsePayload,
  routerErrorSchema,
} from '@switchyard/contracts';
import { EventPublisher } from '@switchyard/messaging';
import { TenantAuthenticator } from '@switchyard/tenancy';
import { z } from 'zod';

/** How long the door waits for decision-engine's list: it is a lookup in memory there. */
export const MODELS_LIST_TIMEOUT_MS = 3000;

const failed = z.object({ ok: z.literal(false), error: routerErrorSchema });

export interface ListModelsCommand {
  tenant?: string;
  authorization?: string;
}

/**
 * What a caller may name as `model` (`GET /v1/models`): asked of decision-engine, which holds the policy in
 * force (hot reloads included); an authenticated tenant only, as OpenAI's endpoint.
 */
@Injectable()
export class ListModels {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly tenants: TenantAuthenticator,
  ) {}

  async execute(cmd: ListModelsCommand): Promise<ModelsList> {
    this.tenants.authenticate(cmd.tenant, cmd.authorization);
    const answer = await this.publisher.request(SUBJECTS.modelsList, {}, MODELS_LIST_TIMEOUT_MS);
    const refusal = failed.safeParse(answer);
    if (refusal.success) {
      const { code, message, field, retryAfterSeconds } = refusal.data.error;
      throw new RouterError(code, message, field, retryAfterSeconds);
    }
    return parsePayload(modelsListSchema, answer, SUBJECTS.modelsList);
  }
}

/** OpenAI's model list (`object: list`), each entry with what Switchyard knows of it under `switchyard`. */
export function toOpenAiModels(list: ModelsList) {
  return {
    object: 'list' as const,
    data: list.models.map((m) => toOpenAiModel(m, list.policyVersion)),
  };
}

export function toOpenAiModel(m: ModelsList['models'][number], policyVersion: string) {
  const { id, ...rest } = m;
  return {
    id,
    object: 'model' as const,
    created: 0,
    owned_by: m.kind === 'model' ? (m.provider ?? 'switchyard') : 'switchyard',
    switchyard: { ...rest, policyVersion },
  };
}

/** Anthropic's model list (`GET /v1/models` with `anthropic-version`): one page holding every name. */
export function toAnthropicModels(list: ModelsList) {
  const data = list.models.map(({ id, ...rest }) => ({
    type: 'model' as const,
    id,
    display_name: id,
    created_at: new Date(0).toISOString(),
    switchyard: { ...rest, policyVersion: list.policyVersion },
  }));
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
}
