import { LATIN, LETTER, NUMBER, UNSPACED, UNSPACED_SCRIPTS, codePointScripts } from './scripts';

/**
 * Case-insensitive keyword search across scripts, in three kinds of keyword:
 * - Latin letters and digits (with `'._+#-` and spaces): a whole word, where only Latin letters, digits and
 *   `_` join words ("hi" does not match "this"), so "JSON输出" contains "json";
 * - any other script written with spaces (Cyrillic, Greek, Arabic, Hebrew, Indic, ...): a whole word too,
 *   where a letter or mark of any such script, a digit or `_` joins words ("кот" does not match "котлета");
 * - with a character of a script written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar) or of
 *   Hangul (Korean attaches its particles: "서울에서" is "서울" and "에서"): a substring.
 */
export class KeywordMatcher {
  private readonly wordRegex: RegExp | undefined;
  private readonly spacedRegex: RegExp | undefined;
  private readonly substrings: string[];

  constructor(readonly keywords: readonly string[]) {
    const words: string[] = [];
    const spaced: string[] = [];
    this.substrings = [];
    for (const raw of keywords) {
      const kw = raw.trim().toLowerCase();
      if (kw === '') continue;
      if (/^[\p{Script=Latin}\p{N}\s'._+#-]+$/u.test(kw)) words.push(escapeRegex(kw));
      else if (UNSPACED_SCRIPTS.test(kw) || /\p{Script=Hangul}/u.test(kw)) this.substrings.push(kw);
      else spaced.push(escapeRegex(kw));
    }
    // One alternation, longest first, so a scan of the text is a single pass. The word boundary before a
    // keyword is checked by hand (`wordBefore`): with a lookbehind first the engine tries the alternation at
    // every position, without it it skips ahead to a keyword's first letters (p99 halved on MMLU-Pro prompts).
    words.sort((a, b) => b.length - a.length);
    this.wordRegex =
      words.length > 0 ? new RegExp(`(?:${words.join('|')})(?![\\p{Script=Latin}\\p{N}_])`, 'gu') : undefined;
    // The other spaced scripts: what joins their words is a letter, mark, number or `_` not of an unspaced
    // script; after a keyword in the pattern (so a shorter keyword is tried where a longer one fails), before
    // it by hand, as above.
    spaced.sort((a, b) => b.length - a.length);
    this.spacedRegex =
      spaced.length > 0
        ? new RegExp(`(?:${spaced.join('|')})(?!(?!${UNSPACED_SCRIPTS.source})[\\p{L}\\p{M}\\p{N}_])`, 'gu')
        : undefined;
  }

  /** Distinct keywords found in the text (already lower-cased by the caller). */
  findIn(lowerText: string): string[] {
    const found = new Set<string>();
    for (const kw of this.substrings) if (lowerText.includes(kw)) found.add(kw);
    const re = this.wordRegex;
    if (re) {
      re.lastIndex = 0;
      for (let m = re.exec(lowerText); m !== null; m = re.exec(lowerText)) {
        if (wordBefore(lowerText, m.index)) re.lastIndex = m.index + 1;
        else found.add(m[0]);
      }
    }
    const spaced = this.spacedRegex;
    if (spaced) {
      spaced.lastIndex = 0;
      for (let m = spaced.exec(lowerText); m !== null; m = spaced.exec(lowerText)) {
        if (joinsSpaced(lowerText, before(lowerText, m.index))) spaced.lastIndex = m.index + 1;
        else found.add(m[0]);
      }
    }
    return [...found];
  }

  count(lowerText: string): number {
    return this.findIn(lowerText).length;
  }
}

/** True when the code point before `at` joins words: Latin, a number, or `_` (the lookbehind it stands for). */
function wordBefore(text: string, at: number): boolean {
  const i = before(text, at);
  if (i < 0) return false;
  if (text.charCodeAt(i) === 0x5f) return true;
  return (codePointScripts(text, i) & (LATIN | NUMBER)) !== 0;
}

/** Where the code point before `at` starts (-1 at the start of the text). */
function before(text: string, at: number): number {
  if (at === 0) return -1;
  const low = text.charCodeAt(at - 1);
  const pair = low >= 0xdc00 && low <= 0xdfff && at >= 2 && (text.charCodeAt(at - 2) & 0xfc00) === 0xd800;
  return pair ? at - 2 : at - 1;
}

/**
 * True when the code point at `i` joins a word of a spaced script: a letter or mark of a script written with
 * spaces (Latin and Hangul included), a number, or `_`. Before the text (-1) nothing joins.
 */
function joinsSpaced(text: string, i: number): boolean {
  if (i < 0) return false;
  if (text.charCodeAt(i) === 0x5f) return true;
  const s = codePointScripts(text, i);
  return (s & UNSPACED) === 0 && (s & (LETTER | NUMBER)) !== 0;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
}
