import { pct, table, usd } from './table';

describe(table.name, () => {
  it('aligns text left and numbers right under a rule', () => {
    expect(
      table(
        ['model', 'n'],
        [
          ['gpt-4o', 12],
          ['mini', 3],
        ],
      ),
    ).toBe(['model    n', '------  --', 'gpt-4o  12', 'mini     3'].join('\n'));
  });

  it('refuses a row with more cells than headers, and leaves the missing cells of a short row empty', () => {
    expect(() => table(['model'], [['a'], ['b', 1]])).toThrow('table row 2 has 2 cells for 1 headers');
    expect(table(['model', 'n'], [['gpt-4o', 12], ['mini']])).toBe(
      ['model    n', '------  --', 'gpt-4o  12', 'mini      '].join('\n'),
    );
  });
});

describe('formatters', () => {
  it('shows small costs with six decimals and percentages with one', () => {
    expect(usd(0.000123)).toBe('$0.000123');
    expect(usd(1.23456)).toBe('$1.2346');
    expect(pct(0.1234)).toBe('12.3%');
    // A saving against a best model that is free has nothing to divide by.
    expect(pct(Number.NaN)).toBe('n/a');
    expect(pct(-Infinity)).toBe('n/a');
  });
});
