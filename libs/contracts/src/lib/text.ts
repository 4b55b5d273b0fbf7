import type { ChatMessage } from '../payloads/chat-request';

const HAN = /\p{Script=Han}/gu;

/** The text the routing levels look at: the last user message (the seed routes on messages[-1]). */
export function routingText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return messages[i].content;
  return messages.length > 0 ? messages[messages.length - 1].content : '';
}

/**
 * Tokens estimated without a tokenizer: about one token per Han character and one per four other
 * characters, which is how BPE vocabularies of the common models behave on Chinese and English text.
 */
export function estimateTokens(text: string): number {
  const han = text.match(HAN)?.length ?? 0;
  return Math.ceil(han + (text.length - han) / 4);
}
