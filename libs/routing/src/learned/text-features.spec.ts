import { mulberry32 } from './sparse-linear-model';
import { UNSPACED_SCRIPTS } from '../features/scripts';
import { type SparseVector, TextFeaturizer, type WordScanner } from './text-features';

/** Words as each scanner's regular expression reads them. */
const WORDS: Record<WordScanner, RegExp> = {
  'latin-han': /[\p{Script=Latin}\p{N}]+|\p{Script=Han}/gu,
  letters: new RegExp(
    `(?:(?!${UNSPACED_SCRIPTS.source})[\\p{L}\\p{M}\\p{N}])+|(?=${UNSPACED_SCRIPTS.source})[\\p{L}\\p{M}\\p{N}]`,
    'gu',
  ),
};

/**
 * The features as the regular expressions read them (the implementation before the hand-written scanner):
 * distinct hashed indices in first-seen order with their counts. The featurizer must give exactly these, or
 * artifacts trained before would be served other features.
 */
function referenceCounts(
  text: string,
  dims: number,
  [lo, hi]: [number, number],
  words: WordScanner,
): Map<number, number> {
  const counts = new Map<number, number>();
  const add = (h: number) => counts.set(h & (dims - 1), (counts.get(h & (dims - 1)) ?? 0) + 1);
  const fnv = (s: string) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    return h >>> 0 || 1;
  };
  const lower = (text.length > 2000 ? `${text.slice(0, 1000)} ${text.slice(text.length - 1000)}` : text).toLowerCase();
  let prev = 0;
  for (const m of lower.matchAll(WORDS[words])) {
    const h = fnv(m[0]);
    add(h);
    if (prev !== 0) add(Math.imul(prev ^ h, 0x01000193) ^ 0x5bd1e995);
    prev = h;
  }
  const chars = lower.replace(/\s+/g, ' ');
  for (let i = 0; i < chars.length; i++) {
    let h = 0x01234567;
    for (let len = 1; len <= hi && i + len <= chars.length; len++) {
      h = Math.imul(h ^ chars.charCodeAt(i + len - 1), 0x01000193);
      if (len >= lo) add(h ^ len);
    }
  }
  return counts;
}

/** What `transform` gives for the reference counts with all IDF weights 1. */
function referenceVector(
  text: string,
  dims: number,
  ngrams: [number, number],
  words: WordScanner = 'latin-han',
): SparseVector {
  const counts = referenceCounts(text, dims, ngrams, words);
  const indices = Int32Array.from(counts.keys());
  const values = new Float32Array(indices.length);
  let norm = 0;
  [...counts.values()].forEach((c, k) => {
    values[k] = 1 + Math.log(c);
    norm += (1 + Math.log(c)) ** 2;
  });
  for (let k = 0; k < values.length; k++) values[k] /= Math.sqrt(norm) || 1;
  return { indices, values };
}

describe(TextFeaturizer.name, () => {
  const featurizer = new TextFeaturizer({ dims: 1 << 12, charNgrams: [2, 4], idf: [] });
  const indices = (text: string) => new Set(featurizer.transform(text).indices);

  it('reads a long text’s end as well as its start, so a shared preamble does not hide what differs', () => {
    const preamble = 'You are a helpful assistant. Follow the style guide. '.repeat(80); // ~4,200 characters
    const a = indices(`${preamble}\nQuestion: integrate x squared from zero to one`);
    const b = indices(`${preamble}\nQuestion: name the capital city of mongolia`);
    expect(a).not.toEqual(b);
    const onlyTail = indices('integrate x squared');
    expect([...onlyTail].every((i) => a.has(i))).toBe(true);
  });

  it('leaves a text within the limit whole, and gives unit-length vectors', () => {
    const text = 'what is two plus two?';
    const v = featurizer.transform(text);
    expect(v.values.reduce((s, x) => s + x * x, 0)).toBeCloseTo(1, 5);
    expect(indices(text)).toEqual(indices(text));
  });

  describe('reads words, bigrams and n-grams exactly as the regular expressions do', () => {
    // Every kind of character the scanner treats apart: ASCII, whitespace of every sort, Latin beyond ASCII
    // (one that lowercases to two code units), other scripts, digits of other scripts, Han in and beyond the
    // Basic Multilingual Plane, a Han numeral, astral digits, emoji, lone surrogates, combining marks.
    const pieces = [
      'a',
      'Z',
      'q',
      '7',
      '0',
      ' ',
      '  ',
      '\t',
      '\n',
      '\r\n',
      '\v',
      '\f',
      '\u00a0',
      '\u2003',
      '\u3000',
      '\ufeff',
      '\u180e',
      '\u200b',
      '-',
      '.',
      '?',
      '_',
      "'",
      'é',
      'ß',
      'İ',
      'ﬃ',
      'Ａ',
      'Ⅻ',
      'ª',
      'λ',
      'Ж',
      'ק',
      '٣',
      '४',
      '中',
      '文',
      '〇',
      '\u{20000}',
      '\u{1d7d8}',
      '\u{1f600}',
      '\ud800',
      '\udc00',
      '\u0301',
      'word',
      'Integral',
      'x^2',
      '12.5%',
      'Почему',
      'π',
      '한국어',
      'か',
      'カ',
      'ー',
      'ก',
      '\u0e34',
      'क',
      '\u093f',
      'ع',
      '\u{1d400}',
    ];
    const dims = 1 << 12;

    it.each(['letters', 'latin-han'] as const)(
      'on generated texts of every kind of character, short and past the 2,000-character cut (%s)',
      (words) => {
        const featurizer = new TextFeaturizer({ dims, charNgrams: [2, 4], words, idf: [] });
        const random = mulberry32(7);
        for (let t = 0; t < 400; t++) {
          const length = t < 300 ? Math.floor(random() * 60) : 1900 + Math.floor(random() * 400);
          let text = '';
          while (text.length < length) text += pieces[Math.floor(random() * pieces.length)];
          expect(featurizer.transform(text)).toEqual(referenceVector(text, dims, [2, 4], words));
        }
      },
    );

    it('with other n-gram lengths, odd ones included', () => {
      // Distinct words within the 2,000 characters read: more words and bigrams than the list of touched
      // dimensions starts with (1,024), so a list sized for the n-gram lengths must still hold them.
      const letters = 'abcdefghijklmnopqrstuvwxyz';
      const words = Array.from({ length: 600 }, (_, i) => letters[(i * 7) % 26] + letters[Math.floor(i / 26)]);
      const text = `Which gas makes up most of   the atmosphere of Mars?\n中文 ４２ Ⅻ ${words.join(' ')}`;
      const dims = 1 << 20;
      for (const ngrams of [
        [1, 5],
        [3, 3],
        [0, 2],
        [4, 2],
        [6, 1],
      ] as Array<[number, number]>) {
        const expected = referenceVector(text, dims, ngrams);
        expect(expected.indices.length).toBeGreaterThan(1024);
        expect(new TextFeaturizer({ dims, charNgrams: ngrams, idf: [] }).transform(text)).toEqual(expected);
      }
    });
  });

  describe('words of every script', () => {
    const words = (scanner: WordScanner | undefined, text: string) =>
      new TextFeaturizer({
        dims: 1 << 16,
        charNgrams: [1, 0],
        ...(scanner ? { words: scanner } : {}),
        idf: [],
      }).transform(text).indices.length;

    it('reads words in Cyrillic, Greek, Hangul, Arabic and Devanagari, where the Latin-and-Han scanner read none', () => {
      for (const text of [
        'Почему небо голубое',
        'τι είναι το π',
        '하늘은 왜 파란가',
        'لماذا السماء زرقاء',
        'आसमान नीला क्यों है',
      ]) {
        expect(words('latin-han', text)).toBe(0);
        // Three to five words and their bigrams, with no character n-grams ([1, 0]).
        expect(words('letters', text)).toBeGreaterThanOrEqual(5);
      }
    });

    it('reads each character of kana and Thai as a word, as Han', () => {
      expect(words('letters', 'ありがとう')).toBe(5 + 4); // あ り が と う and the four pairs of neighbours
      expect(words('letters', 'สวัสดี')).toBe(5 + 5); // ส ว ◌ั ส ด ◌ี (ส twice) and five distinct pairs
      expect(words('latin-han', 'ありがとう สวัสดี')).toBe(0);
      expect(words('letters', '中文')).toBe(words('latin-han', '中文'));
    });

    it('keeps an artifact without a scanner on the one it was trained with (latin-han), and refuses an unknown one', () => {
      const text = 'Почему π? Why is the sky blue, 天空?';
      expect(words(undefined, text)).toBe(words('latin-han', text));
      expect(words('letters', text)).toBeGreaterThan(words('latin-han', text));
      expect(() => new TextFeaturizer({ dims: 16, charNgrams: [2, 4], words: 'all' as WordScanner, idf: [] })).toThrow(
        'words must be one of letters, latin-han, got "all"',
      );
    });

    it('is fitted with letters unless told, and says so in its state', () => {
      expect(TextFeaturizer.fit(['a b'], 1 << 8).toJSON().words).toBe('letters');
      expect(TextFeaturizer.fit(['a b'], 1 << 8, [2, 4], undefined, 'latin-han').toJSON().words).toBe('latin-han');
      expect(new TextFeaturizer({ dims: 1 << 8, charNgrams: [2, 4], idf: [] }).toJSON()).not.toHaveProperty('words');
    });
  });

  describe(TextFeaturizer.prototype.scoreText.name, () => {
    it('gives what transform and a dot product with the weights give', () => {
      const texts = [
        'integrate x squared from zero to one',
        'Why?',
        '',
        'the the the the cat',
        '中文问题 '.repeat(600),
      ];
      const fitted = TextFeaturizer.fit(texts, 1 << 10, [2, 4], ['math', undefined, undefined, 'x', 'y']);
      const outputs = 3;
      const random = mulberry32(3);
      const weights = Float32Array.from({ length: fitted.dims * outputs }, () => random() - 0.5);
      const rows = fitted.withIdf(weights, outputs);
      for (const [text, task] of [...texts.map((t) => [t, undefined] as const), ['why not?', 'math'] as const]) {
        const x = fitted.transform(text, task);
        const expected = new Float64Array(outputs);
        x.indices.forEach((j, k) => {
          for (let o = 0; o < outputs; o++) expected[o] += weights[j * outputs + o] * x.values[k];
        });
        const out = new Float64Array(outputs);
        fitted.scoreText(text, task, rows, out);
        for (let o = 0; o < outputs; o++) expect(out[o]).toBeCloseTo(expected[o], 6);
      }
    });

    it('refuses rows of another shape by name', () => {
      const f = new TextFeaturizer({ dims: 1 << 4, charNgrams: [2, 4], idf: [] });
      expect(() => f.withIdf(new Float32Array(10), 2)).toThrow('weights hold 10 values; expected 16 × 2');
      expect(() => f.scoreText('x', undefined, new Float32Array(10), new Float64Array(2))).toThrow(
        'rows hold 10 values; expected 16 × 3',
      );
    });
  });

  describe('with conversation context', () => {
    const text = 'and why is that?';
    const context = 'Which gas makes up most of the atmosphere of Mars? Why?';
    const dense = (v: SparseVector) => {
      const out = new Map<number, number>();
      v.indices.forEach((index, k) => out.set(index, (out.get(index) ?? 0) + v.values[k]));
      return out;
    };

    it('gives the text’s vector bit for bit when there is no context or its weight is 0', () => {
      const alone = featurizer.transform(text, 'science');
      expect(featurizer.transform(text, 'science', { text: '', weight: 0.5 })).toEqual(alone);
      expect(featurizer.transform(text, 'science', { text: context, weight: 0 })).toEqual(alone);
    });

    it('is normalise(text + weight × context), both unit vectors in the same hashed space', () => {
      const a = dense(featurizer.transform(text));
      const b = dense(featurizer.transform(context));
      const expected = new Map(a);
      for (const [index, value] of b) expected.set(index, (expected.get(index) ?? 0) + 0.5 * value);
      const norm = Math.hypot(...expected.values());
      const merged = featurizer.transform(text, undefined, { text: context, weight: 0.5 });
      expect(new Set(merged.indices).size).toBe(merged.indices.length);
      const actual = dense(merged);
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [index, value] of expected) expect(actual.get(index)).toBeCloseTo(value / norm, 6);
      expect(merged.values.reduce((s, x) => s + x * x, 0)).toBeCloseTo(1, 5);
    });

    it('leans towards the routed text below weight 1', () => {
      const cosine = (u: SparseVector, v: SparseVector) => {
        const du = dense(u);
        let dot = 0;
        v.indices.forEach((index, k) => (dot += (du.get(index) ?? 0) * v.values[k]));
        return dot;
      };
      const merged = featurizer.transform(text, undefined, { text: context, weight: 0.5 });
      expect(cosine(merged, featurizer.transform(text))).toBeGreaterThan(cosine(merged, featurizer.transform(context)));
    });
  });
});
