/**
 * Which of the scripts the router reads a code point belongs to, as the regular expressions `\p{Script=Latin}`,
 * `\p{N}` and `\p{Script=Han}` with the `u` flag say, without running them per character: the answer for each
 * code point of the Basic Multilingual Plane is learnt on first sight and kept in a table (64 KiB); code
 * points beyond it (rare) are asked each time. A scan by hand costs a fraction of matching each character,
 * which builds a match object per hit (measured with bench decision).
 */
export const LATIN = 1;
export const NUMBER = 2;
export const HAN = 4;
const KNOWN = 8;

const LATIN_ONE = /^\p{Script=Latin}$/u;
const NUMBER_ONE = /^\p{N}$/u;
const HAN_ONE = /^\p{Script=Han}$/u;
const bmp = new Uint8Array(0x10000);
for (let c = 0; c < 0x80; c++) {
  const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  bmp[c] = KNOWN | (letter ? LATIN : 0) | (c >= 0x30 && c <= 0x39 ? NUMBER : 0);
}

function scriptsOf(codePoint: number): number {
  const one = String.fromCodePoint(codePoint);
  return (LATIN_ONE.test(one) ? LATIN : 0) | (NUMBER_ONE.test(one) ? NUMBER : 0) | (HAN_ONE.test(one) ? HAN : 0);
}

/**
 * The scripts (LATIN | NUMBER | HAN bits) of the code point at `i` of `text`, with its width in code units
 * (1, or 2 for a surrogate pair) above them: `scripts | width << 4`. A lone surrogate is a code point of
 * no script, as the regular expressions read it.
 */
export function codePointScripts(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const low = text.charCodeAt(i + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return scriptsOf(((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000) | 32;
  }
  let known = bmp[c];
  if (known === 0) known = bmp[c] = KNOWN | scriptsOf(c);
  return (known & 7) | 16;
}

/** Code points of `text` in Latin script and in Han script. */
export function countScripts(text: string): { latin: number; han: number } {
  let latin = 0;
  let han = 0;
  for (let i = 0; i < text.length;) {
    const s = codePointScripts(text, i);
    if (s & LATIN) latin++;
    if (s & HAN) han++;
    i += s >> 4;
  }
  return { latin, han };
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
