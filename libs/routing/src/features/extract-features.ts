import type { ChatMessage, Features } from '@switchyard/contracts';
import { scoreDifficulty, structureBonus } from './difficulty';

const HAN = /\p{Script=Han}/gu;
const LATIN = /\p{Script=Latin}/gu;

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
  const han = countMatches(text, HAN);
  return Math.ceil(han + (text.length - han) / 4);
}

export function detectLanguage(text: string): Features['language'] {
  const han = countMatches(text, HAN);
  const latin = countMatches(text, LATIN);
  if (han === 0 && latin === 0) return 'other';
  // A Han character carries about as much as a four-letter word: weigh them so.
  const hanShare = han / (han + latin / 4);
  if (hanShare >= 0.8) return 'zh';
  if (hanShare <= 0.2) return 'en';
  return 'mixed';
}

export function extractFeatures(messages: readonly ChatMessage[]): Features {
  const text = routingText(messages);
  const lower = text.toLowerCase();
  let tokenEstimate = 0;
  let turns = 0;
  for (const m of messages) {
    tokenEstimate += estimateTokens(m.content) + 4; // ~4 tokens of chat framing per message
    if (m.role === 'user') turns++;
  }
  const questionCount = countMatches(text, /[?？]/gu);
  const codeBlocks = Math.floor(countMatches(text, /```/g) / 2);
  const seed = scoreDifficulty(text, lower, estimateTokens(text));
  const difficulty =
    Math.round(Math.min(1, seed.difficulty + structureBonus({ codeBlocks, turns, questionCount })) * 10_000) / 10_000;
  return {
    chars: text.length,
    tokenEstimate,
    language: detectLanguage(text),
    turns,
    questionCount,
    codeBlocks,
    signals: seed.signals,
    difficulty,
  };
}

function countMatches(text: string, re: RegExp): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text) !== null) n++;
  return n;
}
