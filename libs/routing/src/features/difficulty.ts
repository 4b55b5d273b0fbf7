import { KeywordMatcher } from './keyword-matcher';

/**
 * The seed's four difficulty dimensions (length, reasoning, structure, domain), with the seed's weights and
 * saturation points, and keyword lists in Chinese and English.
 */
export const DIFFICULTY_DIMENSIONS = {
  reasoning: {
    weight: 0.3,
    saturation: 3,
    keywords: [
      '为什么',
      '如果',
      '比较',
      '分析',
      '推理',
      '推导',
      '假设',
      '因果',
      'why',
      'if',
      'compare',
      'analyze',
      'analyse',
      'reason',
      'derive',
      'prove',
      'suppose',
      'assume',
      'cause',
      'explain',
      'trade-off',
    ],
  },
  structure: {
    weight: 0.2,
    saturation: 2,
    keywords: [
      '表格',
      'json',
      '结构化',
      '格式要求',
      'csv',
      '分类',
      '排序',
      'table',
      'structured',
      'format',
      'yaml',
      'classify',
      'sort',
      'rank',
      'schema',
    ],
  },
  domain: {
    weight: 0.3,
    saturation: 2,
    keywords: [
      '代码',
      '算法',
      '数学',
      '公式',
      '法律',
      '金融',
      '医疗',
      '科学',
      'code',
      'algorithm',
      'math',
      'formula',
      'equation',
      'legal',
      'law',
      'finance',
      'financial',
      'medical',
      'science',
      'physics',
      'chemistry',
    ],
  },
} as const;

export type DifficultyDimension = keyof typeof DIFFICULTY_DIMENSIONS;

/** Length in characters at which the length dimension saturates (the seed's 2,000). */
export const LENGTH_SATURATION_CHARS = 2000;
export const LENGTH_WEIGHT = 0.2;

const matchers = Object.fromEntries(
  Object.entries(DIFFICULTY_DIMENSIONS).map(([name, dim]) => [name, new KeywordMatcher(dim.keywords)]),
) as Record<DifficultyDimension, KeywordMatcher>;

export interface DifficultyBreakdown {
  difficulty: number;
  /** Keyword hits per dimension. */
  signals: Record<DifficultyDimension, number>;
}

/** Tokens at which the length dimension saturates when measured in tokens (about the seed's 2,000 English characters). */
export const LENGTH_SATURATION_TOKENS = 500;

/**
 * Difficulty 0..1 of one message, from its length and keyword signals (the seed's formula). With `tokens`,
 * length is the larger of characters and tokens against their saturation points: 500 Chinese characters
 * are about 500 tokens, as long a request as 2,000 English characters, where counting characters alone
 * would call it a quarter as long.
 */
export function scoreDifficulty(text: string, lowerText = text.toLowerCase(), tokens?: number): DifficultyBreakdown {
  const signals = {} as Record<DifficultyDimension, number>;
  const length = Math.max(
    text.length / LENGTH_SATURATION_CHARS,
    tokens === undefined ? 0 : tokens / LENGTH_SATURATION_TOKENS,
  );
  let score = Math.min(length, 1) * LENGTH_WEIGHT;
  for (const name of Object.keys(DIFFICULTY_DIMENSIONS) as DifficultyDimension[]) {
    const dim = DIFFICULTY_DIMENSIONS[name];
    const hits = matchers[name].count(lowerText);
    signals[name] = hits;
    score += Math.min(hits / dim.saturation, 1) * dim.weight;
  }
  return { difficulty: Math.min(Math.max(round4(score), 0), 1), signals };
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** What the seed's four dimensions miss, as additions to its score (at most 0.2 in all). */
export interface StructureSignals {
  codeBlocks: number;
  /** User turns in the conversation. */
  turns: number;
  questionCount: number;
}

/**
 * Extra difficulty for what the seed does not look at: fenced code to read (0.05 a block, up to 0.1), a
 * long conversation (0.05 from the third user turn), several questions at once (0.025 for each beyond the
 * first, up to 0.05).
 */
export function structureBonus(s: StructureSignals): number {
  const code = Math.min(s.codeBlocks * 0.05, 0.1);
  const turns = s.turns >= 3 ? 0.05 : 0;
  const questions = Math.min(Math.max(s.questionCount - 1, 0) * 0.025, 0.05);
  return code + turns + questions;
}
