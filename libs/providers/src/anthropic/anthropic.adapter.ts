import { postJson } from '../http/post-json';
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
    const { body } = await postJson(
      `${baseUrl}/v1/messages`,
      { 'x-api-key': call.apiKey, 'anthropic-version': ANTHROPIC_VERSION },
      payload,
      call.signal,
      this.kind,
    );
    const blocks = body['content'] as Array<{ type?: unknown; text?: unknown }> | undefined;
    if (!Array.isArray(blocks)) throw new ProviderError('anthropic answered without content blocks', true);
    const usage = body['usage'] as { input_tokens?: unknown; output_tokens?: unknown } | undefined;
    const result: ProviderResult = {
      content: blocks
        .filter((b) => b.type === 'text' && typeof b.text === 'string')
        .map((b) => b.text as string)
        .join(''),
      finishReason:
        body['stop_reason'] === 'max_tokens'
          ? 'length'
          : body['stop_reason'] === 'end_turn' || body['stop_reason'] === 'stop_sequence'
            ? 'stop'
            : 'other',
    };
    if (typeof usage?.input_tokens === 'number' && typeof usage.output_tokens === 'number')
      result.usage = { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens };
    return result;
  }
}
