import { foldsReportHtml, type FoldRow } from './folds-html';

const row = (fold: string, seed: number, extra: Partial<FoldRow> = {}): FoldRow => ({
  fold,
  seed,
  trainSize: 100,
  testSize: 40,
  bestSingle: { name: 'zeta-large' },
  learned: { apgr: 0.9, saving95: 0.5, saving100: 0.2 },
  baseline: { apgr: 0.8, saving95: 0.4 },
  ...extra,
});

describe('foldsReportHtml', () => {
  const versus = {
    resamples: 500,
    apgr: { difference: 0.1, low: 0.02, high: 0.2 },
    saving95: { difference: 0.1, low: -0.05, high: 0.2 },
    saving100: { difference: -0.3, low: -0.5, high: -0.1 },
  };

  it('shows each run with its figures and its three verdicts, and a chart per figure', () => {
    const html = foldsReportHtml('Title', 'what ran', [row('lookup', 0, { versusBaseline: versus }), row('proofs', 1)]);
    expect(html).toContain('<h1>Title</h1>');
    expect(html.match(/<svg /g)).toHaveLength(3);
    // Seeds differ between the runs: the chart names each run with its seed.
    expect(html).toContain('lookup, seed 0');
    expect(html).toContain(
      '<tr><td>lookup</td><td>0</td><td>100</td><td>40</td><td>zeta-large</td><td>0.900</td><td>0.800</td>',
    );
    expect(html).toContain('<td class="verdict ahead" title="+0.100 [+0.020, +0.200]">');
    expect(html).toContain('<td class="verdict level" title="+10.0 [−5.0, +20.0]">');
    expect(html).toContain('<td class="verdict behind" title="−30.0 [−50.0, −10.0]">');
    // The run without a bootstrap, and a saving never reached.
    expect(html).toContain('<td>n/a</td><td>n/a</td><td>n/a</td></tr>');
    expect(html).toContain('<td>not reached</td>');
    expect(html).toContain('paired bootstrap over them (500 resamples)');
  });

  it('draws a dot only where the figure was reached', () => {
    const html = foldsReportHtml('t', 'd', [row('a', 0)]);
    // APGR and @95%: both dots; @100%: the router's only (the baseline never reached it).
    expect(html.match(/<circle class="router"/g)).toHaveLength(3);
    expect(html.match(/<circle class="baseline"/g)).toHaveLength(2);
    expect(html).toContain('No paired bootstrap was run');
  });

  it('escapes what comes from the data', () => {
    const html = foldsReportHtml('<t>', 'd & e', [row('<script>x</script>', 0, { bestSingle: { name: 'a"b' } })]);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).toContain('a&quot;b');
    expect(html).toContain('d &amp; e');
  });
});
