import {
  HAN,
  HANGUL,
  KANA,
  LATIN,
  LETTER,
  NUMBER,
  UNSPACED,
  UNSPACED_SCRIPTS,
  WIDTH_SHIFT,
  codePointScripts,
  countScripts,
  isWhitespace,
} from './scripts';

describe('scripts', () => {
  const byRegex = (text: string, re: RegExp) => [...text.matchAll(re)].length;

  const unspaced = new RegExp(`^${UNSPACED_SCRIPTS.source}$`, 'u');

  it('says what \\p{Script=Latin}, \\p{N}, \\p{Script=Han}, [\\p{L}\\p{M}], the unspaced scripts, kana and Hangul say of every code unit of the Basic Multilingual Plane', () => {
    const wrong: string[] = [];
    for (let c = 0; c < 0x10000; c++) {
      const u = String.fromCharCode(c);
      const s = codePointScripts(u, 0);
      const want =
        (/^\p{Script=Latin}$/u.test(u) ? LATIN : 0) |
        (/^\p{N}$/u.test(u) ? NUMBER : 0) |
        (/^\p{Script=Han}$/u.test(u) ? HAN : 0) |
        (/^[\p{L}\p{M}]$/u.test(u) ? LETTER : 0) |
        (unspaced.test(u) ? UNSPACED : 0) |
        (/^[\p{Script=Hiragana}\p{Script=Katakana}]$/u.test(u) ? KANA : 0) |
        (/^\p{Script=Hangul}$/u.test(u) ? HANGUL : 0);
      if ((s & ((1 << WIDTH_SHIFT) - 1)) !== want || s >> WIDTH_SHIFT !== 1) wrong.push(c.toString(16));
    }
    expect(wrong).toEqual([]);
  });

  it('reads a surrogate pair as one code point, and a lone surrogate as one of no script', () => {
    expect(codePointScripts('\u{20000}', 0)).toBe(HAN | LETTER | UNSPACED | (2 << WIDTH_SHIFT)); // CJK Extension B
    expect(codePointScripts('\u{1d7d8}', 0)).toBe(NUMBER | (2 << WIDTH_SHIFT)); // mathematical double-struck zero
    expect(codePointScripts('\u{1d400}', 0)).toBe(LETTER | (2 << WIDTH_SHIFT)); // mathematical bold capital A
    expect(codePointScripts('\u{1f600}', 0)).toBe(2 << WIDTH_SHIFT); // an emoji
    expect(codePointScripts('\ud800x', 0)).toBe(1 << WIDTH_SHIFT);
    expect(codePointScripts('x\udc00', 1)).toBe(1 << WIDTH_SHIFT);
  });

  it('counts the code points of each script as matching each with the regular expressions does', () => {
    const texts = [
      '',
      'Hello, World! 42',
      '为什么天空是蓝色的？Why is the sky blue?',
      'なぜ空は青いのですか？ カタカナ ｶﾀｶﾅ ー 왜 하늘은 파란가요? Почему небо голубое? ทำไมท้องฟ้าสีฟ้า नमस्ते',
      'Ａｂｃ ﬃ İstanbul ª º Ⅻ 〇 \u{20000}\u{20001} \ud800 \u{1f600} é\u0301',
      '数学'.repeat(500) + 'x'.repeat(100),
    ];
    for (const text of texts)
      expect(countScripts(text)).toEqual({
        latin: byRegex(text, /\p{Script=Latin}/gu),
        han: byRegex(text, /\p{Script=Han}/gu),
        kana: byRegex(text, /[\p{Script=Hiragana}\p{Script=Katakana}]/gu),
        hangul: byRegex(text, /\p{Script=Hangul}/gu),
        unspaced: byRegex(text, /[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/gu),
        letters: byRegex(
          text,
          /(?![\p{Script=Latin}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}])[\p{L}\p{M}]/gu,
        ),
      });
  });

  it('says what \\s says of every code unit', () => {
    const wrong: string[] = [];
    for (let c = 0; c < 0x10000; c++)
      if (isWhitespace(c) !== /\s/.test(String.fromCharCode(c))) wrong.push(c.toString(16));
    expect(wrong).toEqual([]);
  });
});
