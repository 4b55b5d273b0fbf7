import { postJson } from '../http/post-json';
import { ProviderError } from '../lib/provider-error';
import type { ProviderAdapter, ProviderCall, ProviderResult } from '../lib/provider-adapter';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/**
 * OpenAI Chat Completions, and every server that speaks it (vLLM, Ollama, llama.cpp, LiteLLM...):
 * `openai` defaults to OpenAI's base URL; `openai-compatible` needs the model's `baseUrl` and may run
 * without a key.
 */
export class OpenAiAdapter implements ProviderAdapter {
  constructor(readonly kind: 'openai' | 'openai-compatible' = 'openai') {}

  async complete(call: ProviderCall): Promise<ProviderResult> {
    const baseUrl = call.model.baseUrl ?? (this.kind === 'openai' ? OPENAI_BASE_URL : undefined);
    if (!baseUrl) throw new ProviderError(`model ${call.model.id} (${this.kind}) has no baseUrl in the policy`, false);
    if (this.kind === 'openai' && !call.apiKey)
      throw new ProviderError(`model ${call.model.id} has no API key (policy apiKeyEnv)`, false);
    const payload: Record<string, unknown> = {
      model: call.model.deployment ?? call.model.id,
      messages: call.messages.map((m) => ({ role: m.role, content: m.content })),
    };
    if (call.params.temperature !== undefined) payload['temperature'] = call.params.temperature;
    if (call.params.topP !== undefined) payload['top_p'] = call.params.topP;
    if (call.params.maxTokens !== undefined) payload['max_tokens'] = call.params.maxTokens;
    const headers: Record<string, string> = call.apiKey ? { authorization: `Bearer ${call.apiKey}` } : {};
    const { body } = await postJson(
      `${baseUrl.replace(/\/$/, '')}/chat/completions`,
      headers,
      payload,
      call.signal,
      this.kind,
    );
    const choice = (
      body['choices'] as Array<{ message?: { content?: unknown }; finish_reason?: unknown }> | undefined
    )?.[0];
    if (!choice || typeof choice.message?.content !== 'string')
      throw new ProviderError(`${this.kind} answered without choices[0].message.content`, true);
    const usage = body['usage'] as { prompt_tokens?: unknown; completion_tokens?: unknown } | undefined;
    const result: ProviderResult = {
      content: choice.message.content,
      finishReason: choice.finish_reason === 'stop' ? 'stop' : choice.finish_reason === 'length' ? 'length' : 'other',
    };
    if (typeof usage?.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number')
      result.usage = { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
    return result;
  }
}
