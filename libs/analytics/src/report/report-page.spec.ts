import { REPORT_PAGE_HTML, staticReportPage } from './report-page';

describe('report page', () => {
  it('serves a shell with no data, whose only outside resource is the chart library of the same host', () => {
    expect(REPORT_PAGE_HTML).not.toMatch(/https?:\/\//);
    expect(REPORT_PAGE_HTML.match(/<script src="([^"]+)"/g)).toEqual(['<script src="report/chart.umd.min.js"']);
    expect(REPORT_PAGE_HTML).not.toContain('innerHTML');
  });

  it('inlines the report and the library into one file, and no value can close its script element', () => {
    const report = { reportId: 'r1', body: { note: '</script><script>alert(1)</script>' } };
    const page = staticReportPage(report, 'window.Chart = function () {};');
    expect(page).not.toContain('report/chart.umd.min.js');
    expect(page).toContain('window.Chart = function () {};');
    expect(page).not.toContain('</script><script>alert(1)');
    const data = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '';
    expect(JSON.parse(data)).toEqual(report);
  });

  it('refuses a library it cannot inline safely', () => {
    expect(() => staticReportPage({}, 'var s = "</script>";')).toThrow(/cannot be inlined/);
  });
});
