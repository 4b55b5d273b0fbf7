import { ExpositionError, parseExposition, sumOf } from './exposition';

describe(parseExposition.name, () => {
  it('reads families with their help, type, labels (escapes included) and values', () => {
    const families = parseExposition(
      [
        '# HELP a_total Things, with a \\\\ backslash.',
        '# TYPE a_total counter',
        'a_total{x="1",y="q\\"uote\\nline"} 3',
        'a_total{x="2"} 4.5e1 1700000000000',
        '# a comment',
        '# TYPE g gauge',
        'g NaN',
        'g{k="v"} -Inf',
        '',
      ].join('\n'),
    );
    expect(families.get('a_total')).toEqual({
      name: 'a_total',
      type: 'counter',
      help: 'Things, with a \\ backslash.',
      samples: [
        { name: 'a_total', labels: { x: '1', y: 'q"uote\nline' }, value: 3 },
        { name: 'a_total', labels: { x: '2' }, value: 45 },
      ],
    });
    expect(families.get('g')?.samples.map((s) => s.value)).toEqual([NaN, -Infinity]);
    expect(sumOf(families, 'a_total', { x: '2' })).toBe(45);
  });

  it('groups a histogram with its bucket, sum and count series and checks its buckets', () => {
    const families = parseExposition(
      [
        '# TYPE h histogram',
        'h_bucket{le="0.1",m="a"} 1',
        'h_bucket{le="+Inf",m="a"} 2',
        'h_sum{m="a"} 0.3',
        'h_count{m="a"} 2',
      ].join('\n'),
    );
    expect(families.get('h')?.samples).toHaveLength(4);
    expect(() =>
      parseExposition(['# TYPE h histogram', 'h_bucket{le="+Inf"} 2', 'h_sum 1', 'h_count 3'].join('\n')),
    ).toThrow(/not _count/);
    expect(() =>
      parseExposition(['# TYPE h histogram', 'h_bucket{le="1"} 2', 'h_sum 1', 'h_count 2'].join('\n')),
    ).toThrow(/no \+Inf bucket/);
  });

  it.each([
    ['a bad metric name', '1a 3'],
    ['a bad label name', 'a{1x="v"} 3'],
    ['an unterminated label value', 'a{x="v} 3'],
    ['a bad escape', 'a{x="\\t"} 3'],
    ['a missing value', 'a{x="v"}'],
    ['a bad value', 'a 3x'],
    ['the same series twice', 'a{x="v"} 1\na{x="v"} 2'],
    ['a TYPE after samples', 'a 1\n# TYPE a gauge'],
    ['an unknown TYPE', '# TYPE a thing'],
    ['a family split in two', 'a 1\nb 1\na{x="y"} 2'],
  ])('refuses %s', (_, text) => {
    expect(() => parseExposition(text)).toThrow(ExpositionError);
  });
});
