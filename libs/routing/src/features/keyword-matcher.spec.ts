import { mulberry32 } from '../learned/sparse-linear-model';
import { KeywordMatcher } from './keyword-matcher';

describe(KeywordMatcher.name, () => {
  const keywords = ['why', 'if', 'trade-off', 'c++', 'json', 'x.y', '分析', '为什么', 'prove'];
  const matcher = new KeywordMatcher(keywords);

  it('finds whole words and Han substrings', () => {
    expect(matcher.findIn('why? if so, prove it').sort()).toEqual(['if', 'prove', 'why']);
    expect(matcher.findIn('whyever this ifs proved')).toEqual([]);
    expect(matcher.findIn('json输出，为什么')).toEqual(['为什么', 'json']);
    expect(matcher.findIn('_why why_ 9why éwhy')).toEqual([]);
    expect(matcher.findIn('a trade-off in c++ or x.y')).toEqual(expect.arrayContaining(['trade-off', 'c++', 'x.y']));
  });

  it('finds what the lookbehind regular expression finds, on generated texts', () => {
    // The boundaries as one regular expression states them (the implementation before the hand-checked one).
    const words = keywords.filter((k) => /^[\p{Script=Latin}\p{N}\s'._+#-]+$/u.test(k));
    const escaped = words
      .sort((a, b) => b.length - a.length)
      .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('|');
    const reference = new RegExp(`(?<![\\p{Script=Latin}\\p{N}_])(?:${escaped})(?![\\p{Script=Latin}\\p{N}_])`, 'gu');
    const han = keywords.filter((k) => !words.includes(k));
    const expected = (text: string) =>
      [...new Set([...han.filter((k) => text.includes(k)), ...[...text.matchAll(reference)].map((m) => m[0])])].sort();
    const pieces = [
      'why',
      'if',
      'trade',
      '-off',
      'c++',
      'json',
      'x.y',
      'prove',
      '分析',
      '为什么',
      ' ',
      '_',
      'é',
      'a',
      '9',
      '\u{1d7d8}',
      '\u{20000}',
      '\ud800',
      '?',
      'ⅻ',
      '中',
    ];
    const random = mulberry32(11);
    for (let t = 0; t < 3000; t++) {
      let text = '';
      const n = 1 + Math.floor(random() * 12);
      for (let i = 0; i < n; i++) text += pieces[Math.floor(random() * pieces.length)];
      expect([text, matcher.findIn(text).sort()]).toEqual([text, expected(text)]);
    }
  });
});
