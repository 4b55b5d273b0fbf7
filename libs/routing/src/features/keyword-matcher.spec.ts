import { mulberry32 } from '../learned/sparse-linear-model';
import { KeywordMatcher } from './keyword-matcher';
import { UNSPACED_SCRIPTS } from './scripts';

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

  describe('keywords of other scripts written with spaces', () => {
    const spaced = ['кот', 'доказать', 'απόδειξη', 'لماذا', 'क्यों', 'sql-запрос', 'кот и пёс'];
    const other = new KeywordMatcher([...spaced, 'why', '서울', '分析']);

    it('finds them as whole words, where letters of any spaced script, digits and _ join words', () => {
      expect(other.findIn('кот сидит. докажи: доказать?').sort()).toEqual(['доказать', 'кот']);
      // Inside a longer word, before or after: not found ("котлета", "скот", "кот2", "_кот").
      expect(other.findIn('котлета скот кот2 _кот котx xкот')).toEqual([]);
      expect(other.findIn('«кот»,кот;(απόδειξη) لماذا؟ क्यों?').sort()).toEqual(['απόδειξη', 'кот', 'لماذا', 'क्यों']);
      // Beside a script written without spaces a word still stands; beside Hangul it does not.
      expect(other.findIn('кот分析')).toEqual(expect.arrayContaining(['кот', '分析']));
      expect(other.findIn('кот서울')).toEqual(['서울']);
      // Across the scripts, with any white space inside (named as written); the longest keyword at a place.
      expect(other.findIn('mysql-запрос, кот   и\nпёс')).toEqual(['кот   и\nпёс']);
      expect(other.findIn('a sql-запрос').sort()).toEqual(['sql-запрос']);
    });

    it('keeps Hangul a substring: Korean attaches its particles to the word', () => {
      expect(other.findIn('서울에서 만나요')).toEqual(['서울']);
    });

    it('finds what a lookbehind regular expression finds, on generated texts', () => {
      const joins = `(?!${UNSPACED_SCRIPTS.source})[\\p{L}\\p{M}\\p{N}_]`;
      const alternation = [...spaced]
        .sort((a, b) => b.length - a.length)
        .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'))
        .join('|');
      const reference = new RegExp(`(?<!${joins})(?:${alternation})(?!${joins})`, 'gu');
      const sut = new KeywordMatcher(spaced);
      const pieces = ['кот', 'ко', 'т', 'доказать', 'απόδειξη', 'لماذا', 'क्यों', 'sql-', 'запрос', ' и пёс', ' ', '_'];
      pieces.push('x', '9', 'é', 'ы', '中', 'ก', '서', '\u{1d7d8}', '\u{20000}', '\ud800', '.', '\u0301');
      const random = mulberry32(12);
      for (let t = 0; t < 3000; t++) {
        let text = '';
        const n = 1 + Math.floor(random() * 10);
        for (let i = 0; i < n; i++) text += pieces[Math.floor(random() * pieces.length)];
        const expected = [...new Set([...text.matchAll(reference)].map((m) => m[0]))].sort();
        expect([text, sut.findIn(text).sort()]).toEqual([text, expected]);
      }
    });
  });
});
