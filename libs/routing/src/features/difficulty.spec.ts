import { scoreDifficulty, structureBonus } from './difficulty';
import { KeywordMatcher } from './keyword-matcher';

describe(scoreDifficulty.name, () => {
  it('scores a short greeting near zero', () => {
    expect(scoreDifficulty('hello').difficulty).toBeLessThan(0.01);
  });

  it('follows the seed formula on a Chinese analysis request', () => {
    // reasoning: 为什么, 分析 -> 2/3 * 0.3 = 0.2; structure: 表格 -> 1/2 * 0.2 = 0.1;
    // domain: 金融, 算法 -> 2/2 * 0.3 = 0.3; length: 17/2000 * 0.2 = 0.0017
    const text = '为什么要分析金融算法?请用表格回答。';
    const { difficulty, signals } = scoreDifficulty(text);
    expect(signals).toEqual({ reasoning: 2, structure: 1, domain: 2 });
    expect(difficulty).toBeCloseTo(0.2 + 0.1 + 0.3 + (text.length / 2000) * 0.2, 4);
  });

  it('saturates every dimension at 1 in total', () => {
    const text = 'why if compare analyze derive prove. json table csv. code algorithm math. '.repeat(40);
    expect(scoreDifficulty(text).difficulty).toBe(1);
  });

  it('matches English keywords as whole words only', () => {
    expect(scoreDifficulty('this is different').signals.reasoning).toBe(0);
  });
});

describe(KeywordMatcher.name, () => {
  const sut = new KeywordMatcher(['hi', '你好', 'write code']);
  it('finds Chinese keywords inside a sentence', () => {
    expect(sut.findIn('我说你好吗')).toEqual(['你好']);
  });
  it('does not find an English keyword inside another word', () => {
    expect(sut.findIn('this and that')).toEqual([]);
  });
  it('finds multi-word keywords across spacing', () => {
    expect(sut.findIn('please write  code now')).toEqual(['write  code']);
  });
  it('finds an English keyword written against Chinese text', () => {
    expect(new KeywordMatcher(['json']).findIn('用json输出')).toEqual(['json']);
  });
});

describe('length in tokens', () => {
  it('counts 500 Chinese characters as long as 2,000 English ones', () => {
    const zh = '字'.repeat(500);
    expect(scoreDifficulty(zh, zh, 500).difficulty).toBeCloseTo(0.2, 4);
    expect(scoreDifficulty(zh).difficulty).toBeCloseTo(0.05, 4);
  });
});

describe(structureBonus.name, () => {
  it('adds for code blocks, long conversations and several questions, capped', () => {
    expect(structureBonus({ codeBlocks: 0, turns: 1, questionCount: 1 })).toBe(0);
    expect(structureBonus({ codeBlocks: 1, turns: 3, questionCount: 3 })).toBeCloseTo(0.05 + 0.05 + 0.05, 10);
    expect(structureBonus({ codeBlocks: 9, turns: 9, questionCount: 9 })).toBeCloseTo(0.2, 10);
  });
});
