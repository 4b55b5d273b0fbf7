import {
  type ChatMessage,
  type Features,
  estimateMessageTokens,
  estimateTokens,
  routingText,
} from '@switchyard/contracts';
import { scoreDifficulty, structureBonus } from './difficulty';
import { countScripts } from './scripts';

export function detectLanguage(text: string): Features['language'] {
  const { han, latin } = countScripts(text);
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
  const questionCount = countQuestionMarks(text);
  const codeBlocks = Math.floor(countFences(text) / 2);
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

/** Question marks, ASCII and full-width. */
function countQuestionMarks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3f || c === 0xff1f) n++;
  }
  return n;
}

/** Code fences (```), not overlapping, left to right. */
function countFences(text: string): number {
  let n = 0;
  for (let at = text.indexOf('```'); at >= 0; at = text.indexOf('```', at + 3)) n++;
  return n;
}
