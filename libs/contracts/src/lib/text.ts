import { type ChatMessage, messageText } from '../payloads/chat-request';

const HAN = /\p{Script=Han}/gu;

/** The text the routing levels look at: the last user message (the seed routes on messages[-1]). */
export function routingText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return messageText(messages[i]);
  return messages.length > 0 ? messageText(messages[messages.length - 1]) : '';
}

/**
 * A routed message as a request carries it, after the conversation before it (`context`, when there is one,
 * as one user message): what `routingText` and `contextText` give back, for replaying a stored prompt.
 */
export function messagesWithContext(text: string, context?: string): ChatMessage[] {
  const routed: ChatMessage = { role: 'user', content: text };
  return context ? [{ role: 'user', content: context }, routed] : [routed];
}

/**
 * Longest conversation context kept (the learned router reads its first and last thousand characters): the
 * most recent turns are the ones a follow-up refers to.
 */
export const CONTEXT_MAX_CHARS = 4000;

/**
 * What came before the routed message, for a learned router that weighs it below that message: the system
 * prompts and user messages before it, most recent first, one a line, cut to CONTEXT_MAX_CHARS (keeping the
 * most recent). Assistant and tool messages are left out: they say what a model answered, not what was asked.
 * Empty when the routed message is the first.
 */
export function contextText(messages: readonly ChatMessage[]): string {
  let routed = messages.length - 1;
  while (routed >= 0 && messages[routed].role !== 'user') routed--;
  if (routed < 0) routed = messages.length - 1; // no user message: routingText routes on the last one
  let context = '';
  for (let i = routed - 1; i >= 0 && context.length < CONTEXT_MAX_CHARS; i--) {
    const { role } = messages[i];
    if (role !== 'system' && role !== 'user') continue;
    const text = messageText(messages[i]);
    if (text !== '') context = context === '' ? text : `${context}\n${text}`;
  }
  return context.length > CONTEXT_MAX_CHARS ? context.slice(0, CONTEXT_MAX_CHARS) : context;
}

/**
 * Tokens estimated without a tokenizer: about one token per Han character and one per four other
 * characters, which is how BPE vocabularies of the common models behave on Chinese and English text.
 */
export function estimateTokens(text: string): number {
  const han = text.match(HAN)?.length ?? 0;
  return Math.ceil(han + (text.length - han) / 4);
}

/** Tokens an image costs a model as OpenAI counts a 1024×1024 one: 85 at low detail, 765 otherwise. */
export const IMAGE_TOKENS = { low: 85, high: 765 } as const;

/**
 * A message's prompt tokens, estimated: its text, ~4 tokens of chat framing, its images, and the tool calls
 * it carries (names and argument text).
 */
export function estimateMessageTokens(message: ChatMessage): number {
  let tokens = 4 + estimateTokens(messageText(message));
  if (Array.isArray(message.content))
    for (const part of message.content)
      if (part.type === 'image') tokens += part.detail === 'low' ? IMAGE_TOKENS.low : IMAGE_TOKENS.high;
  for (const call of message.toolCalls ?? []) tokens += 4 + estimateTokens(call.name) + estimateTokens(call.arguments);
  return tokens;
}
