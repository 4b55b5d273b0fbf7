import { REGEX_INPUT_CHARS, SafeRegex } from './safe-regex';

describe(SafeRegex.name, () => {
  describe('test', () => {
    it('answers a catastrophic-backtracking pattern on a hostile input (it held the engine 40 s before)', () => {
      const sut = new SafeRegex('^(a+)+$');
      expect(sut.test(`${'a'.repeat(30)}!`)).toBe(false);
      expect(sut.test('a'.repeat(5000))).toBe(true);
      expect(new SafeRegex('(x+x+)+y').test('x'.repeat(20_000))).toBe(false);
    });

    it('honours the i, m and s flags', () => {
      expect(new SafeRegex('^translate\\b', 'i').test('Translate this')).toBe(true);
      expect(new SafeRegex('^second', 'm').test('first\nsecond')).toBe(true);
      expect(new SafeRegex('^second').test('first\nsecond')).toBe(false);
      expect(new SafeRegex('a.b', 's').test('a\nb')).toBe(true);
      expect(new SafeRegex('a.b').test('a\nb')).toBe(false);
    });

    it('matches Chinese text', () => {
      expect(new SafeRegex('股票|基金').test('这只股票怎么样')).toBe(true);
    });

    it(`looks at the first ${REGEX_INPUT_CHARS} characters only`, () => {
      const sut = new SafeRegex('needle');
      expect(sut.test(`${'x'.repeat(REGEX_INPUT_CHARS - 6)}needle`)).toBe(true);
      expect(sut.test(`${'x'.repeat(REGEX_INPUT_CHARS)}needle`)).toBe(false);
    });
  });

  describe('constructor', () => {
    it('refuses backreferences and lookaround, saying why', () => {
      expect(() => new SafeRegex('(a)\\1')).toThrow(/invalid escape sequence.*RE2.*no backreferences or lookaround/);
      expect(() => new SafeRegex('(?<=a)b')).toThrow(/RE2/);
      expect(() => new SafeRegex('a(?!b)')).toThrow(/RE2/);
    });

    it('refuses an unknown flag', () => {
      expect(() => new SafeRegex('a', 'g')).toThrow(/flag "g" is not supported/);
    });
  });
});
