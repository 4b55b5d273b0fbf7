import { type ChatRequest, IMAGE_TOKENS, messageText } from '@switchyard/contracts';
import type * as O200k from 'gpt-tokenizer/encoding/o200k_base';

// Loaded on first use: its rank table takes about a second and tens of MB to load, which only requests
// near a model's context window pay (see capabilities.ts); every other decision never loads it.
let o200k: typeof O200k | undefined;

function tokenizer(): typeof O200k {
  // require(), not import: an import would load it with this module.
  o200k ??= require('gpt-tokenizer/encoding/o200k_base') as typeof O200k;
  return o200k;
}

// A caller's `<|endoftext|>` is text to count, not a special token (the tokenizer throws on one by default).
const AS_TEXT = { disallowedSpecial: new Set<string>() };

/** Tokens OpenAI's chat format adds: 3 around each message, 1 for a name, 3 priming the reply. */
const PER_MESSAGE = 3;
const PER_NAME = 1;
const REPLY_PRIMER = 3;

/**
 * The prompt's tokens counted with o200k_base (GPT-4o's tokenizer, within a few percent of other vendors'
 * on English and code): every message's text with its chat framing, its images at OpenAI's per-image
 * price, the tool calls it carries, and the tool definitions as JSON. Costs a pass over the text (~30 ms
 * per 100k tokens) and, the first time, loading the tokenizer.
 */
export function countPromptTokens(request: Pick<ChatRequest, 'messages' | 'tools'>): number {
  const enc = tokenizer();
  const count = (text: string) => (text.length === 0 ? 0 : enc.countTokens(text, AS_TEXT));
  let tokens = REPLY_PRIMER;
  for (const m of request.messages) {
    tokens += PER_MESSAGE + count(messageText(m));
    if (m.name !== undefined) tokens += PER_NAME + count(m.name);
    if (Array.isArray(m.content))
      for (const part of m.content)
        if (part.type === 'image') tokens += part.detail === 'low' ? IMAGE_TOKENS.low : IMAGE_TOKENS.high;
    for (const call of m.toolCalls ?? []) tokens += PER_MESSAGE + count(call.name) + count(call.arguments);
  }
  if (request.tools) tokens += count(JSON.stringify(request.tools));
  return tokens;
}
