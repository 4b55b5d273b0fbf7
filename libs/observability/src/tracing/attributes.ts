import type { Attributes } from '@opentelemetry/api';
import type { ChatSuccess, Decision, Usage } from '@switchyard/contracts';

/**
 * Span attribute names: OpenTelemetry's semantic conventions where one applies (HTTP, messaging, and the
 * GenAI conventions for model calls, tokens), `switchyard.*` for the routing decision and what it cost.
 * Written out here rather than imported from @opentelemetry/semantic-conventions: that package is loaded
 * only with the SDK, so a service with tracing off loads none of it. No attribute ever holds prompt or
 * answer text.
 */
export const SPAN_ATTRIBUTES = {
  service: 'switchyard.service',
  requestId: 'switchyard.request_id',
  tenant: 'switchyard.tenant',
  decisionMethod: 'switchyard.decision.method',
  decisionRule: 'switchyard.decision.rule',
  decisionModel: 'switchyard.decision.model',
  decisionPlan: 'switchyard.decision.plan',
  decisionCanaryArm: 'switchyard.decision.canary_arm',
  decisionPolicyVersion: 'switchyard.decision.policy_version',
  decisionLearnedModelVersion: 'switchyard.decision.learned_model_version',
  difficulty: 'switchyard.difficulty',
  costUsd: 'switchyard.cost_usd',
  usageEstimated: 'switchyard.usage_estimated',
  attempts: 'switchyard.provider.attempts',
  model: 'switchyard.model',
  errorType: 'error.type',
  genAiOperation: 'gen_ai.operation.name',
  /** Current name of the provider attribute; `gen_ai.system` is its older name, still read by many backends. */
  genAiProvider: 'gen_ai.provider.name',
  genAiSystem: 'gen_ai.system',
  genAiRequestModel: 'gen_ai.request.model',
  genAiResponseModel: 'gen_ai.response.model',
  genAiFinishReasons: 'gen_ai.response.finish_reasons',
  genAiInputTokens: 'gen_ai.usage.input_tokens',
  genAiOutputTokens: 'gen_ai.usage.output_tokens',
  httpMethod: 'http.request.method',
  httpRoute: 'http.route',
  httpStatus: 'http.response.status_code',
  urlPath: 'url.path',
  urlScheme: 'url.scheme',
  messagingSystem: 'messaging.system',
  messagingDestination: 'messaging.destination.name',
  messagingOperationType: 'messaging.operation.type',
  messagingConsumerGroup: 'messaging.consumer.group.name',
  messagingMessageId: 'messaging.message.id',
} as const;

const A = SPAN_ATTRIBUTES;

/** The routing decision, as every span that knows it carries it. */
export function decisionAttributes(decision: Decision): Attributes {
  const out: Attributes = {
    [A.decisionMethod]: decision.method,
    [A.decisionModel]: decision.plan.model,
    [A.decisionPlan]: decision.plan.kind,
    [A.decisionPolicyVersion]: decision.policyVersion,
  };
  if (decision.rule !== undefined) out[A.decisionRule] = decision.rule;
  if (decision.canaryArm !== undefined) out[A.decisionCanaryArm] = decision.canaryArm;
  if (decision.learnedModelVersion !== undefined) out[A.decisionLearnedModelVersion] = decision.learnedModelVersion;
  return out;
}

/** A chat call to a provider's model, before it is made: a GenAI client span's own attributes. */
export function modelCallAttributes(provider: string, requestModel: string, model: string): Attributes {
  return {
    [A.genAiOperation]: 'chat',
    [A.genAiProvider]: provider,
    [A.genAiSystem]: provider,
    [A.genAiRequestModel]: requestModel,
    [A.model]: model,
  };
}

/** What an answer used and cost: tokens after the GenAI conventions, the cost in US dollars. */
export function usageAttributes(usage: Usage, costUsd: number): Attributes {
  return {
    [A.genAiInputTokens]: usage.inputTokens,
    [A.genAiOutputTokens]: usage.outputTokens,
    [A.usageEstimated]: usage.estimated,
    [A.costUsd]: costUsd,
  };
}

type Described = Partial<
  Pick<ChatSuccess, 'requestId' | 'tenant' | 'decision' | 'model' | 'provider' | 'usage' | 'costUsd' | 'finishReason'>
> & { ok?: boolean; error?: { code?: unknown }; features?: { difficulty?: unknown }; difficulty?: unknown };

/**
 * The attributes a pipeline message or answer gives a span: request id, tenant, the decision, the model
 * that answered, tokens and cost, whichever it carries (a request, an analysed request, a plan, an answer, a
 * completion record, a failure). Reads only those fields: never the messages or the answer.
 */
export function attributesOfMessage(value: unknown): Attributes {
  if (value === null || typeof value !== 'object') return {};
  const m = value as Described;
  const out: Attributes = {};
  if (typeof m.requestId === 'string') out[A.requestId] = m.requestId;
  if (typeof m.tenant === 'string') out[A.tenant] = m.tenant;
  if (m.decision && typeof m.decision === 'object' && m.decision.plan)
    Object.assign(out, decisionAttributes(m.decision));
  const difficulty = typeof m.difficulty === 'number' ? m.difficulty : m.features?.difficulty;
  if (typeof difficulty === 'number') out[A.difficulty] = difficulty;
  if (typeof m.model === 'string' && typeof m.provider === 'string') {
    out[A.genAiOperation] = 'chat';
    out[A.genAiProvider] = m.provider;
    out[A.genAiSystem] = m.provider;
    out[A.genAiResponseModel] = m.model;
  }
  if (m.usage && typeof m.usage.inputTokens === 'number' && typeof m.costUsd === 'number')
    Object.assign(out, usageAttributes(m.usage, m.costUsd));
  if (typeof m.finishReason === 'string') out[A.genAiFinishReasons] = [m.finishReason];
  if (m.ok === false && typeof m.error?.code === 'string') out[A.errorType] = m.error.code;
  return out;
}
