import { postJson, postSse } from '../http/post-json';
import { ProviderError } from '../lib/provider-error';
import type { AnswerPiece, ProviderAdapter, ProviderCall, ProviderResult } from '../lib/provider-adapter';
import { openAiPayload } from './openai-request';
import { OpenAiStreamReader, parseCompletion } from './openai-response';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/**
 * OpenAI Chat Completions, and every server that speaks it (vLLM, Ollama, llama.cpp, LiteLLM...):
 * `openai` defaults to OpenAI's base URL; `openai-compatible` needs the model's `baseUrl` and may run
 * without a key. The whole request surface translates (see openAiPayload): Chat Completions can express
 * all of it, so this adapter refuses nothing.
 */
export class OpenAiAdapter implements ProviderAdapter {
  constructor(readonly kind: 'openai' | 'openai-compatible' = 'openai') {}

  async complete(call: ProviderCall): Promise<ProviderResult> {
    const { url, headers, payload } = this.request(call);
    const { body } = await postJson(url, headers, payload, call.signal, this.kind);
    return parseCompletion(body, this.kind);
  }

  /**
   * `stream: true` with usage in the last chunk (`stream_options.include_usage`). Text and tool-call
   * deltas of choice 0 go to `onPiece`; with `n` > 1 the other choices are collected into the result's
   * `choices` but not streamed.
   */
  async stream(call: ProviderCall, onPiece: (piece: AnswerPiece) => void): Promise<ProviderResult> {
    const { url, headers, payload } = this.request(call);
    const reader = new OpenAiStreamReader(this.kind, onPiece);
    let done = false;
    await postSse(
      url,
      headers,
      { ...payload, stream: true, stream_options: { include_usage: true } },
      call.signal,
      this.kind,
      (data) => {
        if (data === '[DONE]') done = true;
        else reader.chunk(JSON.parse(data) as Parameters<OpenAiStreamReader['chunk']>[0]);
      },
    );
    if (!done) throw new ProviderError(`${this.kind} stream ended without [DONE]`, true);
    return reader.result();
  }

  private request(call: ProviderCall) {
    const baseUrl = call.model.baseUrl ?? (this.kind === 'openai' ? OPENAI_BASE_URL : undefined);
    if (!baseUrl) throw new ProviderError(`model ${call.model.id} (${this.kind}) has no baseUrl in the policy`, false);
    if (this.kind === 'openai' && !call.apiKey)
      throw new ProviderError(`model ${call.model.id} has no API key (policy apiKeyEnv)`, false);
    const headers: Record<string, string> = call.apiKey ? { authorization: `Bearer ${call.apiKey}` } : {};
    return { url: `${baseUrl.replace(/\/$/, '')}/chat/completions`, headers, payload: openAiPayload(call) };
  }
}
