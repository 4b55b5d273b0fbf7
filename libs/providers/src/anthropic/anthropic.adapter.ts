import { postJson, postSse } from '../http/post-json';
import { ProviderError } from '../lib/provider-error';
import type { AnswerPiece, ProviderAdapter, ProviderCall, ProviderResult } from '../lib/provider-adapter';
import { anthropicPayload } from './anthropic-request';
import { type AnthropicEvent, AnthropicStreamReader, parseMessage } from './anthropic-response';

export { ANTHROPIC_DEFAULT_MAX_TOKENS, ANTHROPIC_FORMAT_TOOL, ANTHROPIC_THINKING_BUDGET } from './anthropic-request';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_VERSION = '2023-06-01';

/**
 * Anthropic Messages: system prompts go in `system`, the rest alternate user/assistant, tool results are
 * user turns, a JSON answer format is a forced tool, reasoning effort is extended thinking (see
 * anthropicPayload for what it translates and what it refuses).
 */
export class AnthropicAdapter implements ProviderAdapter {
  readonly kind = 'anthropic';

  async complete(call: ProviderCall): Promise<ProviderResult> {
    const { url, headers, payload, formatTool } = this.request(call);
    const { body } = await postJson(url, headers, payload, call.signal, this.kind);
    return parseMessage(body, formatTool);
  }

  /** Messages streaming: text deltas and tool_use blocks as pieces, stop reason and usage from message_delta. */
  async stream(call: ProviderCall, onPiece: (piece: AnswerPiece) => void): Promise<ProviderResult> {
    const { url, headers, payload, formatTool } = this.request(call);
    const reader = new AnthropicStreamReader(formatTool, onPiece);
    await postSse(url, headers, { ...payload, stream: true }, call.signal, this.kind, (data, event) => {
      const e = JSON.parse(data) as AnthropicEvent;
      reader.event(e, event ?? e.type, data);
    });
    if (!reader.stopped) throw new ProviderError('anthropic stream ended without message_stop', true);
    return reader.result();
  }

  private request(call: ProviderCall) {
    if (!call.apiKey) throw new ProviderError(`model ${call.model.id} has no API key (policy apiKeyEnv)`, false);
    const { payload, formatTool } = anthropicPayload(call);
    const baseUrl = (call.model.baseUrl ?? ANTHROPIC_BASE_URL).replace(/\/$/, '');
    return {
      url: `${baseUrl}/v1/messages`,
      headers: { 'x-api-key': call.apiKey, 'anthropic-version': ANTHROPIC_VERSION },
      payload,
      formatTool,
    };
  }
}
