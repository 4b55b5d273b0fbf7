import type { ChatMessage, Usage } from '@switchyard/contracts';
import { estimateTokens, type ModelSpec } from '@switchyard/contracts';
import type { ProviderResult } from './provider-adapter';

/** US dollars for a call: input and output tokens priced separately, per million tokens. */
export function costOf(
  usage: Pick<Usage, 'inputTokens' | 'outputTokens'>,
  price: ModelSpec['priceUsdPerMTok'],
): number {
  return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
}

/** The provider's reported usage, or an estimate marked as such when it reported none. */
export function usageOf(result: ProviderResult, messages: readonly ChatMessage[]): Usage {
  if (result.usage) return { ...result.usage, estimated: false };
  let inputTokens = 0;
  for (const m of messages) inputTokens += estimateTokens(m.content) + 4;
  return { inputTokens, outputTokens: estimateTokens(result.content), estimated: true };
}
