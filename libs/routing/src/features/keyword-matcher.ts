import { LATIN, NUMBER, codePointScripts } from './scripts';

/**
 * Case-insensitive keyword search that works for Chinese and English alike: a keyword with Latin letters
 * or digits must stand as a whole word ("hi" does not match "this"), where only Latin letters and digits join words, so
 * "JSON输出" contains "json"; a keyword in Han script matches as a
 * substring, since Chinese is written without spaces.
 */
export class KeywordMatcher {
  private readonly wordRegex: RegExp | undefined;
  private readonly substrings: string[];

  constructor(readonly keywords: readonly string[]) {
    const words: string[] = [];
    this.substrings = [];
    for (const raw of keywords) {
      const kw = raw.trim().toLowerCase();
      if (kw === '') continue;
      if (/^[\p{Script=Latin}\p{N}\s'._+#-]+$/u.test(kw)) words.push(escapeRegex(kw));
      else this.substrings.push(kw);
    }
    // One alternation, longest first, so a scan of the text is a single pass. The word boundary before a
    // keyword is checked by hand (`wordBefore`): with a lookbehind first the engine tries the alternation at
    // every position, without it it skips ahead to a keyword's first letters (p99 halved on MMLU-Pro prompts).
    words.sort((a, b) => b.length - a.length);
    this.wordRegex =
      words.length > 0 ? new RegExp(`(?:${words.join('|')})(?![\\p{Script=Latin}\\p{N}_])`, 'gu') : undefined;
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
    return [...found];
  }

  count(lowerText: string): number {
    return this.findIn(lowerText).length;
  }
}

/** True when the code point before `at` joins words: Latin, a number, or `_` (the lookbehind it stands for). */
function wordBefore(text: string, at: number): boolean {
  if (at === 0) return false;
  const low = text.charCodeAt(at - 1);
  const pair = low >= 0xdc00 && low <= 0xdfff && at >= 2 && (text.charCodeAt(at - 2) & 0xfc00) === 0xd800;
  if (!pair && low === 0x5f) return true;
  return (codePointScripts(text, pair ? at - 2 : at - 1) & (LATIN | NUMBER)) !== 0;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
}
