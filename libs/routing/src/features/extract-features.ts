import {
  type ChatMessage,
  type Features,
  estimateMessageTokens,
  estimateTokens,
  routingText,
} from '@switchyard/contracts';
import { scoreDifficulty, structureBonus } from './difficulty';
import { countScripts } from './scripts';

/**
 * The script that carries most of the last user message: 'zh' Han without kana (Chinese), 'en' Latin script
 * (English and every other Latin-script language), 'other' any other script (Japanese, Korean, Cyrillic,
 * Arabic, Indic, Thai, ...) or no letters at all, 'mixed' when none carries 80%. Each script is weighed by
 * about what it carries: a Han, kana or Hangul character or one of an unspaced script as a four-letter word,
 * a letter of an alphabet as a quarter of one. Han beside kana (at least a tenth of the two) is Japanese.
 */
export function detectLanguage(text: string): Features['language'] {
  const { han, latin, kana, hangul, unspaced, letters } = countScripts(text);
  const japanese = kana > 0 && kana * 10 >= han + kana;
  const zh = japanese ? 0 : han;
  const en = latin / 4;
  const other = kana + (japanese ? han : 0) + hangul + unspaced + letters / 4;
  const all = zh + en + other;
  if (all === 0 || other >= 0.8 * all) return 'other';
  if (zh >= 0.8 * all) return 'zh';
  if (en >= 0.8 * all) return 'en';
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
