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
    // One alternation, longest first, so a scan of the text is a single pass.
    words.sort((a, b) => b.length - a.length);
    this.wordRegex =
      words.length > 0
        ? new RegExp(`(?<![\\p{Script=Latin}\\p{N}_])(?:${words.join('|')})(?![\\p{Script=Latin}\\p{N}_])`, 'gu')
        : undefined;
  }

  /** Distinct keywords found in the text (already lower-cased by the caller). */
  findIn(lowerText: string): string[] {
    const found = new Set<string>();
    for (const kw of this.substrings) if (lowerText.includes(kw)) found.add(kw);
    if (this.wordRegex) {
      this.wordRegex.lastIndex = 0;
      for (const m of lowerText.matchAll(this.wordRegex)) found.add(m[0]);
    }
    return [...found];
  }

  count(lowerText: string): number {
    return this.findIn(lowerText).length;
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
}
