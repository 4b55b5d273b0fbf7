import { RE2JS } from 're2js';

/** Characters of a request a policy regex looks at: with RE2's linear time this bounds one test to a few ms. */
export const REGEX_INPUT_CHARS = 65_536;

const FLAGS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL, u: 0 };

/**
 * A policy regular expression, run by RE2 (re2js: pure JavaScript, time linear in the input) instead of
 * JavaScript's backtracking engine, on which one rule like `^(a+)+$` and a 31-character prompt held
 * decision-engine for 40 s. RE2 has no backreferences or lookaround; a pattern that needs them is refused
 * when the policy is compiled.
 */
export class SafeRegex {
  private readonly pattern: RE2JS;

  /** Throws an Error saying what RE2 does not accept. */
  constructor(
    readonly source: string,
    flags = '',
  ) {
    let mask = 0;
    for (const flag of flags) {
      const bit = FLAGS[flag];
      if (bit === undefined) throw new Error(`flag "${flag}" is not supported (use i, m, s or u)`);
      mask |= bit;
    }
    try {
      this.pattern = RE2JS.compile(source, mask);
    } catch (err) {
      throw new Error(
        `${(err as Error).message.replace(/^error parsing regexp: /, '')}: policy regexes run on RE2 (linear time), ` +
          'which has no backreferences or lookaround',
      );
    }
  }

  /** Whether the pattern occurs in the first REGEX_INPUT_CHARS characters of `text`. */
  test(text: string): boolean {
    return this.pattern.matcher(text.length > REGEX_INPUT_CHARS ? text.slice(0, REGEX_INPUT_CHARS) : text).find();
  }
}
