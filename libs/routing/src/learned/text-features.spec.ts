import { TextFeaturizer } from './text-features';

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
});
