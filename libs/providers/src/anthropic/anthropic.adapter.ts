import { postJson, postSse } from '../http/post-json';
import { ProviderError } from '../lib/provider-error';
import type { ProviderAdapter, ProviderCall, ProviderResult } from '../lib/provider-adapter';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_VERSION = '2023-06-01';
/** Messages requires max_tokens; this is used when neither the caller nor the policy sets one. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

/** Anthropic Messages: system prompts go in `system`, the rest alternate user/assistant. */
export class AnthropicAdapter implements ProviderAdapter {
  readonly kind = 'anthropic';

  async complete(call: ProviderCall): Promise<ProviderResult> {
    const { url, headers, payload } = this.request(call);
    const { body } = await postJson(url, headers, payload, call.signal, this.kind);
    const blocks = body['content'] as Array<{ type?: unknown; text?: unknown }> | undefined;
    if (!Array.isArray(blocks)) throw new ProviderError('anthropic answered without content blocks', true);
    const usage = body['usage'] as { input_tokens?: unknown; output_tokens?: unknown } | undefined;
    const result: ProviderResult = {
      content: blocks
        .filter((b) => b.type === 'text' && typeof b.text === 'string')
        .map((b) => b.text as string)
        .join(''),
      finishReason: stopReason(body['stop_reason']),
    };
    if (typeof usage?.input_tokens === 'number' && typeof usage.output_tokens === 'number')
      result.usage = { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens };
    return result;
  }

  /** Messages streaming: message_start (input tokens), content_block_delta (text), message_delta (stop, output tokens). */
  async stream(call: ProviderCall, onDelta: (delta: string) => void): Promise<ProviderResult> {
    const { url, headers, payload } = this.request(call);
    const result: ProviderResult = { content: '', finishReason: 'other' };
    let input: number | undefined;
    let output: number | undefined;
    let stopped = false;
    await postSse(url, headers, { ...payload, stream: true }, call.signal, this.kind, (data, event) => {
      const e = JSON.parse(data) as AnthropicEvent;
      const type = event ?? e.type;
      if (type === 'message_start') input = e.message?.usage?.input_tokens;
      else if (type === 'content_block_delta' && e.delta?.type === 'text_delta' && typeof e.delta.text === 'string') {
        result.content += e.delta.text;
        onDelta(e.delta.text);
      } else if (type === 'message_delta') {
        result.finishReason = stopReason(e.delta?.stop_reason);
        output = e.usage?.output_tokens;
      } else if (type === 'message_stop') stopped = true;
      else if (type === 'error') throw new ProviderError(`anthropic stream error: ${e.error?.message ?? data}`, true);
    });
    if (!stopped) throw new ProviderError('anthropic stream ended without message_stop', true);
    if (typeof input === 'number' && typeof output === 'number')
      result.usage = { inputTokens: input, outputTokens: output };
    return result;
  }

  private request(call: ProviderCall) {
    if (!call.apiKey) throw new ProviderError(`model ${call.model.id} has no API key (policy apiKeyEnv)`, false);
    const system = call.messages.filter((m) => m.role === 'system').map((m) => m.content);
    const payload: Record<string, unknown> = {
      model: call.model.deployment ?? call.model.id,
      max_tokens: call.params.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
      messages: call.messages
        .filter((m) => m.role !== 'system')
        .map((m) => ({ role: m.role === 'assistant' ? 'assistant' : 'user', content: m.content })),
    };
    if (system.length > 0) payload['system'] = system.join('\n\n');
    if (call.params.temperature !== undefined) payload['temperature'] = Math.min(call.params.temperature, 1); // Anthropic's range is 0..1
    if (call.params.topP !== undefined) payload['top_p'] = call.params.topP;
    const baseUrl = (call.model.baseUrl ?? ANTHROPIC_BASE_URL).replace(/\/$/, '');
    return {
      url: `${baseUrl}/v1/messages`,
      headers: { 'x-api-key': call.apiKey, 'anthropic-version': ANTHROPIC_VERSION },
      payload,
    };
  }
}

/** The fields of Anthropic's stream events that the adapter reads. */
interface AnthropicEvent {
  type?: string;
  message?: { usage?: { input_tokens?: number } };
  delta?: { type?: string; text?: unknown; stop_reason?: unknown };
  usage?: { output_tokens?: number };
  error?: { message?: string };
}

function stopReason(value: unknown): ProviderResult['finishReason'] {
  return value === 'max_tokens' ? 'length' : value === 'end_turn' || value === 'stop_sequence' ? 'stop' : 'other';
}
