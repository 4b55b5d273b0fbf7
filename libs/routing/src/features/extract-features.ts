import {
  type ChatMessage,
  type Features,
  estimateMessageTokens,
  estimateTokens,
  routingText,
} from '@switchyard/contracts';
import { scoreDifficulty, structureBonus } from './difficulty';

const HAN = /\p{Script=Han}/gu;
const LATIN = /\p{Script=Latin}/gu;

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
    tokenEstimate += estimateMessageTokens(m);
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
