import { type PairedDifference, signedDifference, type VersusBaseline, verdict } from './bootstrap';
import type { FoldFigures, SeededFold } from './fold-spread';
import { escapeHtml as esc, sharePct } from './report-html';

/** One run of a generalisation check as its page shows it. */
export interface FoldRow extends SeededFold {
  trainSize: number;
  testSize: number;
  bestSingle: { name: string };
  learned: FoldFigures & { marginOverRandomMixing?: number };
  versusBaseline?: VersusBaseline;
}

const pct = (v: number | undefined) => (v === undefined ? 'not reached' : sharePct(v));
const num = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(3));

/** A verdict cell: the word, the difference and its interval (APGR as is, savings in points). */
function verdictCell(d: PairedDifference | undefined, points: boolean): string {
  if (!d) return '<td>n/a</td>';
  const f = (x: number) => signedDifference(x, points);
  const v = verdict(d);
  return `<td class="verdict ${v}" title="${f(d.difference)} [${f(d.low)}, ${f(d.high)}]">${v} ${f(d.difference)} <small>[${f(d.low)}, ${f(d.high)}]</small></td>`;
}

/**
 * One figure for every run, router against baseline: a row per run, the baseline's value a grey dot, the
 * router's a red one, a line between them. Values never reached are left out.
 */
function dumbbell(rows: readonly FoldRow[], key: keyof FoldFigures, label: string, asPct: boolean): string {
  const W = 760;
  const rowH = 18;
  const M = { left: 190, right: 30, top: 28, bottom: 30 };
  const values = rows.flatMap((r) => [r.learned[key], r.baseline[key]]).filter((v): v is number => v !== undefined);
  if (values.length === 0) return '';
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.05, hi + 0.05];
  const pad = (hi - lo) * 0.05;
  [lo, hi] = [lo - pad, hi + pad];
  const H = M.top + rows.length * rowH + M.bottom;
  const x = (v: number) => M.left + ((v - lo) / (hi - lo)) * (W - M.left - M.right);
  const format = (v: number) => (asPct ? `${(v * 100).toFixed(0)}%` : v.toFixed(2));
  const ticks = Array.from({ length: 5 }, (_, i) => lo + ((hi - lo) * i) / 4)
    .map(
      (v) =>
        `<line x1="${x(v).toFixed(1)}" y1="${M.top - 6}" x2="${x(v).toFixed(1)}" y2="${H - M.bottom}" stroke="#eee"/><text x="${x(v).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle" font-size="11">${format(v)}</text>`,
    )
    .join('\n');
  const marks = rows
    .map((r, i) => {
      const y = M.top + i * rowH + rowH / 2;
      const a = r.baseline[key];
      const b = r.learned[key];
      const name = `${r.fold}${rows.some((o) => o.seed !== r.seed) ? `, seed ${r.seed}` : ''}`;
      return [
        `<text x="${M.left - 8}" y="${y + 4}" text-anchor="end" font-size="11">${esc(name)}</text>`,
        a !== undefined && b !== undefined
          ? `<line x1="${x(a).toFixed(1)}" y1="${y}" x2="${x(b).toFixed(1)}" y2="${y}" stroke="#999"/>`
          : '',
        a === undefined
          ? ''
          : `<circle class="baseline" cx="${x(a).toFixed(1)}" cy="${y}" r="4" fill="#6b7280"><title>baseline ${format(a)}</title></circle>`,
        b === undefined
          ? ''
          : `<circle class="router" cx="${x(b).toFixed(1)}" cy="${y}" r="4" fill="#dc2626"><title>router ${format(b)}</title></circle>`,
      ].join('');
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="${esc(label)}, router against baseline">
<text x="${M.left}" y="16" font-size="13">${esc(label)}: <tspan fill="#dc2626">router</tspan> and <tspan fill="#6b7280">baseline</tspan></text>
${ticks}
${marks}
</svg>`;
}

/**
 * The page `switchyard eval --cv task`, `--train-size` and `--repeat` write beside results.json: each run's
 * figures, router against the logistic-regression baseline, as dot charts and a table with the paired
 * bootstrap's verdicts. Self-contained: no scripts, no external assets.
 */
export function foldsReportHtml(title: string, description: string, rows: readonly FoldRow[]): string {
  const table = rows
    .map(
      (r) =>
        `<tr><td>${esc(r.fold)}</td><td>${r.seed}</td><td>${r.trainSize}</td><td>${r.testSize}</td><td>${esc(r.bestSingle.name)}</td><td>${num(r.learned.apgr)}</td><td>${num(r.baseline.apgr)}</td><td>${pct(r.learned.saving95)}</td><td>${pct(r.baseline.saving95)}</td><td>${pct(r.learned.saving100)}</td><td>${pct(r.baseline.saving100)}</td>${verdictCell(r.versusBaseline?.apgr, false)}${verdictCell(r.versusBaseline?.saving95, true)}${verdictCell(r.versusBaseline?.saving100, true)}</tr>`,
    )
    .join('\n');
  const resamples = rows.find((r) => r.versusBaseline)?.versusBaseline?.resamples;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#111}table{border-collapse:collapse}td,th{padding:4px 8px;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}td:first-child,th:first-child{text-align:left}.verdict.ahead{color:#15803d}.verdict.behind{color:#b91c1c}.verdict.level{color:#555}small{color:#777}</style></head>
<body><h1>${esc(title)}</h1>
<p>${esc(description)}</p>
${dumbbell(rows, 'apgr', 'APGR', false)}
${dumbbell(rows, 'saving95', 'saving at 95% of the best model', true)}
${dumbbell(rows, 'saving100', 'saving at 100% of the best model', true)}
<table><thead><tr><th>fold</th><th>seed</th><th>train</th><th>test</th><th>best model</th><th>router APGR</th><th>baseline APGR</th><th>router @95%</th><th>baseline @95%</th><th>router @100%</th><th>baseline @100%</th><th>vs baseline: APGR</th><th>@95% (points)</th><th>@100% (points)</th></tr></thead><tbody>
${table}
</tbody></table>
<p>${
    resamples === undefined
      ? 'No paired bootstrap was run (--bootstrap 0).'
      : `vs baseline: router minus baseline on the run's test rows, with the 95% interval of a paired bootstrap over them (${resamples} resamples). Ahead or behind: the interval lies above or below zero; level: the test rows cannot tell the two apart.`
  }</p>
</body></html>
`;
}
