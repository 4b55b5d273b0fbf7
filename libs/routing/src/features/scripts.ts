/**
 * Which of the classes the router reads a code point belongs to, as the regular expressions `\p{Script=Latin}`,
 * `\p{N}`, `\p{Script=Han}`, `[\p{L}\p{M}]` and UNSPACED_SCRIPTS with the `u` flag say, without running them per
 * character: the answer for each code point of the Basic Multilingual Plane is learnt on first sight and kept
 * in a table (64 KiB); code points beyond it (rare) are asked each time. A scan by hand costs a fraction of
 * matching each character, which builds a match object per hit (measured with bench decision).
 */
export const LATIN = 1;
export const NUMBER = 2;
export const HAN = 4;
const KNOWN = 8;
/** A letter or a combining mark of any script (`[\p{L}\p{M}]`). */
export const LETTER = 16;
/** A code point of a script written without spaces between words (UNSPACED_SCRIPTS). */
export const UNSPACED = 32;
/** Hiragana or Katakana (`[\p{Script=Hiragana}\p{Script=Katakana}]`): Japanese. */
export const KANA = 64;
/** Hangul (`\p{Script=Hangul}`): Korean. */
export const HANGUL = 128;
/** `codePointScripts` gives the code point's width in code units above its classes: `>> WIDTH_SHIFT`. */
export const WIDTH_SHIFT = 8;
const CLASSES = LATIN | NUMBER | HAN | LETTER | UNSPACED | KANA | HANGUL;

/**
 * Scripts written without spaces between words: a word scanner cannot find their words, so it reads each
 * of their characters as one word (as Han always was).
 */
export const UNSPACED_SCRIPTS =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

const LATIN_ONE = /^\p{Script=Latin}$/u;
const NUMBER_ONE = /^\p{N}$/u;
const HAN_ONE = /^\p{Script=Han}$/u;
const LETTER_ONE = /^[\p{L}\p{M}]$/u;
const UNSPACED_ONE = new RegExp(`^${UNSPACED_SCRIPTS.source}$`, 'u');
const KANA_ONE = /^[\p{Script=Hiragana}\p{Script=Katakana}]$/u;
const HANGUL_ONE = /^\p{Script=Hangul}$/u;
const bmp = new Uint8Array(0x10000);
for (let c = 0; c < 0x80; c++) {
  const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  bmp[c] = KNOWN | (letter ? LATIN | LETTER : 0) | (c >= 0x30 && c <= 0x39 ? NUMBER : 0);
}

function scriptsOf(codePoint: number): number {
  const one = String.fromCodePoint(codePoint);
  return (
    (LATIN_ONE.test(one) ? LATIN : 0) |
    (NUMBER_ONE.test(one) ? NUMBER : 0) |
    (HAN_ONE.test(one) ? HAN : 0) |
    (LETTER_ONE.test(one) ? LETTER : 0) |
    (UNSPACED_ONE.test(one) ? UNSPACED : 0) |
    (KANA_ONE.test(one) ? KANA : 0) |
    (HANGUL_ONE.test(one) ? HANGUL : 0)
  );
}

/**
 * The classes (LATIN | NUMBER | HAN | LETTER | UNSPACED | KANA | HANGUL bits) of the code point at `i` of `text`, with its
 * width in code units (1, or 2 for a surrogate pair) above them: `classes | width << WIDTH_SHIFT`. A lone
 * surrogate is a code point of no class, as the regular expressions read it.
 */
export function codePointScripts(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const low = text.charCodeAt(i + 1);
    if (low >= 0xdc00 && low <= 0xdfff)
      return scriptsOf(((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000) | (2 << WIDTH_SHIFT);
  }
  let known = bmp[c];
  if (known === 0) known = bmp[c] = KNOWN | scriptsOf(c);
  return (known & CLASSES) | (1 << WIDTH_SHIFT);
}

/** How many code points of a text are of each script the router tells apart. */
export interface ScriptCounts {
  latin: number;
  han: number;
  /** Hiragana and Katakana. */
  kana: number;
  hangul: number;
  /** Other scripts written without spaces between words (Thai, Lao, Khmer, Myanmar). */
  unspaced: number;
  /** Letters and combining marks of any other script (Cyrillic, Greek, Arabic, Hebrew, Indic, ...). */
  letters: number;
}

/** Code points of `text` by script (`ScriptCounts`), in one pass. */
export function countScripts(text: string): ScriptCounts {
  const counts: ScriptCounts = { latin: 0, han: 0, kana: 0, hangul: 0, unspaced: 0, letters: 0 };
  for (let i = 0; i < text.length;) {
    const s = codePointScripts(text, i);
    if (s & LATIN) counts.latin++;
    else if (s & HAN) counts.han++;
    else if (s & KANA) counts.kana++;
    else if (s & HANGUL) counts.hangul++;
    else if (s & UNSPACED) counts.unspaced++;
    else if (s & LETTER) counts.letters++;
    i += s >> WIDTH_SHIFT;
  }
  return counts;
}

/** `\s` of a regular expression: ECMAScript's white space and line terminators. */
export function isWhitespace(c: number): boolean {
  return c <= 0x20
    ? c === 0x20 || (c >= 0x09 && c <= 0x0d)
    : c >= 0xa0 &&
        (c === 0xa0 ||
          c === 0x1680 ||
          (c >= 0x2000 && c <= 0x200a) ||
          c === 0x2028 ||
          c === 0x2029 ||
          c === 0x202f ||
          c === 0x205f ||
          c === 0x3000 ||
          c === 0xfeff);
}
