import type { ChatMessage, Usage } from '@switchyard/contracts';
import { type ModelSpec, estimateMessageTokens, estimateTokens, extend } from '@switchyard/contracts';
import type { ProviderResult } from './provider-adapter';

/** US dollars for a call: input and output tokens priced separately, per million tokens. */
export function costOf(
  usage: Pick<Usage, 'inputTokens' | 'outputTokens'>,
  price: ModelSpec['priceUsdPerMTok'],
): number {
  return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
}

/**
 * The provider's reported usage, or an estimate marked as such when it reported none: the output counts
 * every answer written (all `choices`) and the tool calls they carry, as providers bill them.
 */
export function usageOf(result: ProviderResult, messages: readonly ChatMessage[]): Usage {
  if (result.usage) return extend(result.usage, { estimated: false });
  let inputTokens = 0;
  for (const m of messages) inputTokens += estimateMessageTokens(m);
  const answers = result.choices?.map((c) => c.answer) ?? [{ content: result.content, toolCalls: result.toolCalls }];
  let outputTokens = 0;
  for (const a of answers) {
    outputTokens += estimateTokens(a.content);
    for (const call of a.toolCalls ?? [])
      outputTokens += 4 + estimateTokens(call.name) + estimateTokens(call.arguments);
  }
  return { inputTokens, outputTokens, estimated: true };
}
