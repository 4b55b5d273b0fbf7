import type { ChatMessage, ContentPart, ModelSpec } from '@switchyard/contracts';
import type { ProviderCall } from '../lib/provider-adapter';

/** Whether the model is a reasoning model (o1, o3, gpt-5...): it takes different parameters. */
export function isReasoningModel(model: ModelSpec): boolean {
  // `?.`: a plan decided by a release before capabilities existed carries none.
  return model.capabilities?.includes('reasoning') ?? false;
}

/**
 * The Chat Completions body of a call (without `stream`). Reasoning models get `max_completion_tokens` and
 * `reasoning_effort`, and never temperature, top_p, the penalties or logprobs, which they refuse with a
 * 400: those can only come from the policy's defaults for the route (routing keeps a caller who sets them
 * away from reasoning models), so leaving them out is what the policy means for that model. For the same
 * reason a non-reasoning model never gets `reasoning_effort`.
 */
export function openAiPayload(call: ProviderCall): Record<string, unknown> {
  const p = call.params;
  const payload: Record<string, unknown> = {
    model: call.model.deployment ?? call.model.id,
    messages: call.messages.map(openAiMessage),
  };
  if (isReasoningModel(call.model)) {
    if (p.maxTokens !== undefined) payload['max_completion_tokens'] = p.maxTokens;
    if (p.reasoningEffort !== undefined) payload['reasoning_effort'] = p.reasoningEffort;
  } else {
    if (p.temperature !== undefined) payload['temperature'] = p.temperature;
    if (p.topP !== undefined) payload['top_p'] = p.topP;
    if (p.maxTokens !== undefined) payload['max_tokens'] = p.maxTokens;
    if (p.presencePenalty !== undefined) payload['presence_penalty'] = p.presencePenalty;
    if (p.frequencyPenalty !== undefined) payload['frequency_penalty'] = p.frequencyPenalty;
    if (p.logprobs !== undefined) payload['logprobs'] = p.logprobs;
    // OpenAI refuses top_logprobs without logprobs, where it would mean nothing anyway.
    if (p.topLogprobs !== undefined && p.logprobs) payload['top_logprobs'] = p.topLogprobs;
  }
  if (p.stop !== undefined) payload['stop'] = p.stop;
  if (p.n !== undefined) payload['n'] = p.n;
  if (p.seed !== undefined) payload['seed'] = p.seed;
  // OpenAI refuses tool_choice and parallel_tool_calls without tools; without tools no tool can be called,
  // which is all a toolChoice of 'none' asks.
  if (call.tools?.length) {
    payload['tools'] = call.tools.map((t) => ({
      type: 'function',
      function: defined({ name: t.name, description: t.description, parameters: t.parameters, strict: t.strict }),
    }));
    if (call.toolChoice !== undefined)
      payload['tool_choice'] =
        typeof call.toolChoice === 'string'
          ? call.toolChoice
          : { type: 'function', function: { name: call.toolChoice.name } };
    if (call.parallelToolCalls !== undefined) payload['parallel_tool_calls'] = call.parallelToolCalls;
  }
  const format = call.responseFormat;
  if (format?.type === 'json_schema')
    payload['response_format'] = {
      type: 'json_schema',
      json_schema: defined({
        name: format.name,
        description: format.description,
        schema: format.schema,
        strict: format.strict,
      }),
    };
  else if (format) payload['response_format'] = { type: format.type };
  return payload;
}

function openAiMessage(m: ChatMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { role: m.role, content: openAiContent(m.content) };
  // OpenAI's tool messages have no name (only the call id says whose answer it is).
  if (m.name !== undefined && m.role !== 'tool') out['name'] = m.name;
  if (m.toolCalls) {
    out['tool_calls'] = m.toolCalls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.arguments },
    }));
    if (out['content'] === '') out['content'] = null;
  }
  if (m.toolCallId !== undefined) out['tool_call_id'] = m.toolCallId;
  return out;
}

function openAiContent(content: ChatMessage['content']): unknown {
  if (typeof content === 'string' || content === null) return content;
  return content.map((part: ContentPart) =>
    part.type === 'text'
      ? { type: 'text', text: part.text }
      : { type: 'image_url', image_url: defined({ url: part.url, detail: part.detail }) },
  );
}

/** The object without its undefined fields (JSON would drop them too; tests compare bodies exactly). */
function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}
