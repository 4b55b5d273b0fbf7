import { type SparseVector, TextFeaturizer } from './text-features';

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
