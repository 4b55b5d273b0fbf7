import { postJson, postSse } from '../http/post-json';
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
    const { url, headers, payload } = this.request(call);
    const { body } = await postJson(url, headers, payload, call.signal, this.kind);
    const choice = (
      body['choices'] as Array<{ message?: { content?: unknown }; finish_reason?: unknown }> | undefined
    )?.[0];
    if (!choice || typeof choice.message?.content !== 'string')
      throw new ProviderError(`${this.kind} answered without choices[0].message.content`, true);
    const result: ProviderResult = {
      content: choice.message.content,
      finishReason: finishReason(choice.finish_reason),
    };
    const usage = usageOf(body['usage']);
    if (usage) result.usage = usage;
    return result;
  }

  /** `stream: true` with usage in the last chunk (`stream_options.include_usage`). */
  async stream(call: ProviderCall, onDelta: (delta: string) => void): Promise<ProviderResult> {
    const { url, headers, payload } = this.request(call);
    const result: ProviderResult = { content: '', finishReason: 'other' };
    let done = false;
    await postSse(
      url,
      headers,
      { ...payload, stream: true, stream_options: { include_usage: true } },
      call.signal,
      this.kind,
      (data) => {
        if (data === '[DONE]') {
          done = true;
          return;
        }
        const chunk = JSON.parse(data) as {
          choices?: Array<{ delta?: { content?: unknown }; finish_reason?: unknown }>;
          usage?: unknown;
        };
        const choice = chunk.choices?.[0];
        if (typeof choice?.delta?.content === 'string' && choice.delta.content !== '') {
          result.content += choice.delta.content;
          onDelta(choice.delta.content);
        }
        if (choice?.finish_reason) result.finishReason = finishReason(choice.finish_reason);
        const usage = usageOf(chunk.usage);
        if (usage) result.usage = usage;
      },
    );
    if (!done) throw new ProviderError(`${this.kind} stream ended without [DONE]`, true);
    return result;
  }

  private request(call: ProviderCall) {
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
    return { url: `${baseUrl.replace(/\/$/, '')}/chat/completions`, headers, payload };
  }
}

function finishReason(value: unknown): ProviderResult['finishReason'] {
  return value === 'stop' ? 'stop' : value === 'length' ? 'length' : 'other';
}

function usageOf(value: unknown): ProviderResult['usage'] {
  const usage = value as { prompt_tokens?: unknown; completion_tokens?: unknown } | undefined;
  return typeof usage?.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number'
    ? { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens }
    : undefined;
}
