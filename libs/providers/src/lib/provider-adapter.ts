import type { ChatMessage, GenerationParams } from '@switchyard/contracts';
import type { ModelSpec } from '@switchyard/contracts';

export interface ProviderCall {
  requestId: string;
  model: ModelSpec;
  messages: readonly ChatMessage[];
  params: GenerationParams;
  /** The request's free-form labels, as the caller sent them. */
  metadata?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
  /** The model's credential, resolved by the caller from its configuration; adapters never log it. */
  apiKey?: string;
}

export interface ProviderResult {
  content: string;
  finishReason: 'stop' | 'length' | 'other';
  /** Token usage as the provider reported it; absent when it reported none. */
  usage?: { inputTokens: number; outputTokens: number };
  /** What the provider billed, when it says; otherwise cost comes from usage and the policy's prices. */
  costUsd?: number;
}

/** One implementation per provider kind; provider-adapters picks it by `ModelSpec.provider`. */
export interface ProviderAdapter {
  readonly kind: string;
  complete(call: ProviderCall): Promise<ProviderResult>;
  /**
   * The answer as it is written: calls `onDelta` with each piece, resolves with the whole result. Adapters
   * without it are streamed as one piece (see streamAnswer).
   */
  stream?(call: ProviderCall, onDelta: (delta: string) => void): Promise<ProviderResult>;
}

/** Streams through the adapter when it can, otherwise completes and sends the answer as one piece. */
export async function streamAnswer(
  adapter: ProviderAdapter,
  call: ProviderCall,
  onDelta: (delta: string) => void,
): Promise<ProviderResult> {
  if (adapter.stream) return adapter.stream(call, onDelta);
  const result = await adapter.complete(call);
  if (result.content !== '') onDelta(result.content);
  return result;
}
