import type { SimulatedDay } from './simulate.command';

export interface SimulateReport {
  dataset: string;
  settings: Record<string, number>;
  singles: ReadonlyArray<{ model: string; quality: number; costUsd: number }>;
  reference?: { quality: number; costUsd: number };
  days: readonly SimulatedDay[];
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#6b7280'];

interface Series {
  name: string;
  color: string;
  values: ReadonlyArray<number | undefined>;
  dashed?: boolean;
}

/** A line chart over the days, with horizontal reference lines; SVG, no scripts. */
function lineChart(title: string, days: readonly number[], series: readonly Series[], format: (v: number) => string) {
  const W = 860;
  const H = 300;
  const M = { left: 80, right: 230, top: 30, bottom: 40 };
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== undefined));
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.1 || 1;
  const [yMin, yMax] = [lo - pad, hi + pad];
  const x = (i: number) => M.left + (days.length > 1 ? (i / (days.length - 1)) * (W - M.left - M.right) : 0);
  const y = (v: number) => H - M.bottom - ((v - yMin) / (yMax - yMin)) * (H - M.top - M.bottom);
  const grid = [0, 0.25, 0.5, 0.75, 1].map((t) => {
    const v = yMin + t * (yMax - yMin);
    return `<line x1="${M.left}" y1="${y(v)}" x2="${W - M.right}" y2="${y(v)}" stroke="#eee"/><text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${esc(format(v))}</text>`;
  });
  const xTicks = days.map(
    (d, i) => `<text x="${x(i)}" y="${H - M.bottom + 16}" text-anchor="middle" font-size="11">day ${d}</text>`,
  );
  const lines = series.map((s, k) => {
    const pts = s.values.flatMap((v, i) => (v === undefined ? [] : [`${x(i).toFixed(1)},${y(v).toFixed(1)}`]));
    const dots = s.values.flatMap((v, i) =>
      v === undefined
        ? []
        : [
            `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${s.color}"><title>${esc(s.name)} day ${days[i]}: ${esc(format(v))}</title></circle>`,
          ],
    );
    return `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts.join(' ')}"/>${dots.join('')}<text x="${W - M.right + 10}" y="${M.top + 16 * k}" font-size="12" fill="${s.color}">${esc(s.name)}</text>`;
  });
  return `<h2>${esc(title)}</h2><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">${grid.join('')}${xTicks.join('')}${lines.join('')}</svg>`;
}

/** Share of each model's answers per day, stacked bars. */
function shareChart(days: readonly SimulatedDay[]) {
  const W = 860;
  const H = 260;
  const M = { left: 80, right: 230, top: 20, bottom: 40 };
  const models = [...new Set(days.flatMap((d) => Object.keys(d.shareByModel)))].sort();
  const color = (m: string) => PALETTE[models.indexOf(m) % PALETTE.length];
  const band = (W - M.left - M.right) / days.length;
  const bars = days.map((d, i) => {
    let top = H - M.bottom;
    return models
      .map((m) => {
        const h = (d.shareByModel[m] ?? 0) * (H - M.top - M.bottom);
        top -= h;
        return `<rect x="${(M.left + i * band + 4).toFixed(1)}" y="${top.toFixed(1)}" width="${(band - 8).toFixed(1)}" height="${h.toFixed(1)}" fill="${color(m)}"><title>day ${d.day} ${esc(m)}: ${((d.shareByModel[m] ?? 0) * 100).toFixed(1)}%</title></rect>`;
      })
      .join('');
  });
  const labels = days.map(
    (d, i) =>
      `<text x="${(M.left + (i + 0.5) * band).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle" font-size="11">day ${d.day}</text>`,
  );
  const legend = models.map(
    (m, k) =>
      `<text x="${W - M.right + 10}" y="${M.top + 14 * k + 10}" font-size="11" fill="${color(m)}">${esc(m)}</text>`,
  );
  return `<h2>Share of answers per model</h2><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="share of answers per model">${bars.join('')}${labels.join('')}${legend.join('')}</svg>`;
}

/** `simulate.html`: day by day quality, cost and model shares, and what the nightly jobs decided. */
export function simulateHtml(report: SimulateReport): string {
  const days = report.days.map((d) => d.day);
  const best = report.singles.reduce((a, b) => (b.quality > a.quality ? b : a));
  const flat = (v: number) => report.days.map(() => v);
  const quality: Series[] = [
    { name: 'live (answered requests)', color: '#6b7280', values: report.days.map((d) => d.quality) },
    { name: 'policy in force, test part', color: '#dc2626', values: report.days.map((d) => d.testQuality) },
    { name: `best single (${best.model})`, color: '#16a34a', values: flat(best.quality), dashed: true },
  ];
  const cost: Series[] = [
    { name: 'live (answered requests)', color: '#6b7280', values: report.days.map((d) => d.costUsdPerRequest) },
    { name: 'policy in force, test part', color: '#dc2626', values: report.days.map((d) => d.testCostUsdPerRequest) },
  ];
  if (report.reference) {
    quality.push({
      name: 'offline learned router',
      color: '#2563eb',
      values: flat(report.reference.quality),
      dashed: true,
    });
    cost.push({
      name: 'offline learned router',
      color: '#2563eb',
      values: flat(report.reference.costUsd),
      dashed: true,
    });
  }
  const usd = (v: number) => `$${v.toPrecision(3)}`;
  const rows = report.days
    .map(
      (d) =>
        `<tr><td>${d.day}</td><td>${d.requests}</td><td>${d.quality.toFixed(3)}</td><td>${usd(d.costUsdPerRequest)}</td><td>${(d.explorationShare * 100).toFixed(1)}%</td><td>${esc(d.modelVersion)}</td><td>${d.testQuality.toFixed(4)}</td><td>${usd(d.testCostUsdPerRequest)}</td><td>${d.testCandidate ? `${esc(d.testCandidate.policyVersion)}: ${d.testCandidate.quality.toFixed(4)} at ${usd(d.testCandidate.costUsdPerRequest)}` : ''}</td><td>${esc(d.canary.verdict)}: ${esc(d.canary.reason)}</td><td>${esc(d.gate.outcome)}: ${esc(d.gate.reason)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>switchyard simulate: ${esc(report.dataset)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#111}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:4px 6px;vertical-align:top}th{background:#f5f5f5}</style>
</head><body>
<h1>The learning loop, day by day</h1>
<p>${esc(report.dataset)}: ${report.settings['days']} days of ${report.settings['requestsPerDay']} requests, feedback on ${(report.settings['feedbackShare'] * 100).toFixed(0)}% (noise ${(report.settings['feedbackNoise'] * 100).toFixed(0)}%), exploration ${report.settings['explorationPercent']}%, canary ${report.settings['canaryPercent']}%. Test quality and cost: the policy in force at the end of each day replayed on the test part, never trained on; canary arm on test: the candidate a canary runs at the end of the day, replayed the same way.</p>
${lineChart('Quality', days, quality, (v) => v.toFixed(3))}
${lineChart('Cost per request', days, cost, usd)}
${shareChart(report.days)}
<h2>Days</h2>
<table><tr><th>day</th><th>requests</th><th>quality</th><th>cost/request</th><th>explored</th><th>router in force</th><th>test quality</th><th>test cost</th><th>canary arm on test</th><th>canary check</th><th>retraining</th></tr>
${rows}
</table>
</body></html>
`;
}
