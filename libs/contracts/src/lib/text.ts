import { type ChatMessage, messageText } from '../payloads/chat-request';

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
 * Tokens estimated without a tokenizer, from what each character costs in BPE vocabularies of the common
 * models (o200k_base, measured on translated text of 17 languages and checked on 13 others:
 * libs/evaluation/src/experiments/token-estimate.experiment.ts, docs/benchmarks.md "Token estimates by
 * script"): an ASCII character a quarter of a token, a Latin letter beyond ASCII three quarters, a letter
 * of another alphabet (Cyrillic, Greek, Arabic, Hebrew, Indic, ...) 0.4, of Thai, Lao, Khmer or Myanmar
 * 0.5, a kana or Hangul syllable 0.8, a Han character 1, anything else (punctuation, symbols) a quarter,
 * and a character beyond the Basic Multilingual Plane (emoji, rare Han) 1.
 */
export function estimateTokens(text: string): number {
  // ASCII alone (most English prompts): the regular expression scans natively, several times faster.
  if (!BEYOND_ASCII.test(text)) return Math.ceil(text.length / 4);
  let twentieths = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) twentieths += 5;
    else {
      let w = TOKEN_WEIGHTS[c];
      if (w === 0) w = TOKEN_WEIGHTS[c] = tokenWeight(c);
      twentieths += w;
    }
  }
  return Math.ceil(twentieths / 20);
}

const BEYOND_ASCII = /[\u0080-\uffff]/;
// A code unit's share of a token in twentieths, learnt per code unit on first sight (0: not yet).
const TOKEN_WEIGHTS = new Uint8Array(0x10000);
const HAN_ONE = /^\p{Script=Han}$/u;
const KANA_OR_HANGUL_ONE = /^[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]$/u;
const SOUTHEAST_ASIAN_ONE = /^[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]$/u;
const LATIN_ONE = /^\p{Script=Latin}$/u;
const LETTER_ONE = /^[\p{L}\p{M}]$/u;

function tokenWeight(c: number): number {
  // A surrogate pair (a code point beyond the BMP) weighs 15 + 5: one token.
  if (c >= 0xd800 && c <= 0xdbff) return 15;
  if (c >= 0xdc00 && c <= 0xdfff) return 5;
  const one = String.fromCharCode(c);
  if (HAN_ONE.test(one)) return 20;
  if (KANA_OR_HANGUL_ONE.test(one)) return 16;
  if (SOUTHEAST_ASIAN_ONE.test(one)) return 10;
  if (LATIN_ONE.test(one)) return 15;
  if (LETTER_ONE.test(one)) return 8;
  return 5;
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
