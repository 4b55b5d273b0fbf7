import { createHash } from 'node:crypto';
import { Controller, Get, Header, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { CHART_FILE, REPORT_PAGE_HTML } from '@switchyard/analytics';
import { readPackageFile } from '@switchyard/runtime';

/** The inline script's hash: the page may run it and the chart library from this service, nothing else. */
const INLINE_SCRIPT = /<script>([\s\S]*?)<\/script>/.exec(REPORT_PAGE_HTML)?.[1] ?? '';
const CSP = [
  "default-src 'none'",
  `script-src 'self' 'sha256-${createHash('sha256').update(INLINE_SCRIPT).digest('base64')}'`,
  "style-src 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** The optimizer report page (`/report`): a shell with no data; it reads the JSON API with an admin key. */
@Controller()
export class ReportPageController {
  private chart: string | undefined;

  @Get('report')
  page(@Res() res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    res.end(REPORT_PAGE_HTML);
  }

  @Get('report/chart.umd.min.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('cache-control', 'public, max-age=86400')
  @Header('x-content-type-options', 'nosniff')
  library(): string {
    this.chart ??= readPackageFile('chart.js', CHART_FILE);
    return this.chart;
  }
}
