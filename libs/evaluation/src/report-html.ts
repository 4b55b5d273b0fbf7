import { describeVersusBaseline } from './bootstrap';
import type { EvaluationResult, StrategyEntry } from './evaluate';

const COLORS: Record<string, string> = {
  single: '#6b7280',
  random: '#a3a3a3',
  seed: '#d97706',
  'per-task': '#7c3aed',
  classifier: '#0891b2',
  learned: '#dc2626',
  'learned+task': '#f97316',
  cascade: '#2563eb',
  consensus: '#db2777',
  oracle: '#16a34a',
};

/** Text as HTML: the four characters that could open markup or end an attribute, escaped. */
export const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
const esc = escapeHtml;
/** A share as a percentage; `n/a` with nothing to divide by (a saving against a best model that is free). */
export const sharePct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'n/a');

/**
 * A self-contained HTML page: the cost-quality plane (cost on a log scale) with every single model, every
 * strategy, and the learned router's curve over its knob, then the table. No scripts, no external assets.
 */
export function reportHtml(result: EvaluationResult, title: string, notes: readonly string[] = []): string {
  const W = 900;
  const H = 520;
  const M = { left: 70, right: 150, top: 20, bottom: 50 }; // room on the right for the priciest model's label
  const points = result.strategies.filter((s) => s.costUsd > 0);
  const costs = points.map((s) => Math.log10(s.costUsd));
  const [cMin, cMax] = [Math.min(...costs) - 0.1, Math.max(...costs) + 0.1];
  const qs = result.strategies.map((s) => s.quality);
  const [qMin, qMax] = [Math.max(0, Math.min(...qs) - 0.02), Math.min(1, Math.max(...qs) + 0.02)];
  const x = (cost: number) => M.left + ((Math.log10(cost) - cMin) / (cMax - cMin)) * (W - M.left - M.right);
  const y = (q: number) => H - M.bottom - ((q - qMin) / (qMax - qMin)) * (H - M.top - M.bottom);
  // A log axis has no place for a free setting: the plane shows what costs something, the table everything.
  const curveOf = (family: string) => points.filter((s) => s.family === family).sort((a, b) => a.costUsd - b.costUsd);
  const polyline = (family: string) => {
    const curve = curveOf(family);
    return curve.length === 0
      ? ''
      : `<polyline fill="none" stroke="${COLORS[family]}" stroke-width="2" points="${curve.map((s) => `${x(s.costUsd).toFixed(1)},${y(s.quality).toFixed(1)}`).join(' ')}"/>`;
  };
  const ticks: string[] = [];
  for (let e = Math.ceil(cMin); e <= Math.floor(cMax); e++)
    ticks.push(
      `<line x1="${x(10 ** e)}" y1="${M.top}" x2="${x(10 ** e)}" y2="${H - M.bottom}" stroke="#eee"/><text x="${x(10 ** e)}" y="${H - M.bottom + 18}" text-anchor="middle" font-size="12">$${Number((10 ** e).toPrecision(1))}</text>`,
    );
  for (let q = Math.ceil(qMin * 20) / 20; q <= qMax; q += 0.05)
    ticks.push(
      `<line x1="${M.left}" y1="${y(q)}" x2="${W - M.right}" y2="${y(q)}" stroke="#eee"/><text x="${M.left - 8}" y="${y(q) + 4}" text-anchor="end" font-size="12">${q.toFixed(2)}</text>`,
    );
  const dot = (s: StrategyEntry) =>
    `<circle class="point" cx="${x(s.costUsd).toFixed(1)}" cy="${y(s.quality).toFixed(1)}" r="5" fill="${COLORS[s.family] ?? '#000'}"><title>${esc(s.name)}: quality ${s.quality.toFixed(3)}, $${s.costUsd.toFixed(6)}</title></circle>`;
  const label = (s: StrategyEntry) =>
    `<text x="${(x(s.costUsd) + 7).toFixed(1)}" y="${(y(s.quality) - 6).toFixed(1)}" font-size="11">${esc(s.name)}</text>`;
  const svg =
    points.length === 0
      ? '<p class="note">Every strategy costs nothing on this data: there is no cost axis to draw.</p>'
      : `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="quality against cost per prompt">
${ticks.join('\n')}
${polyline('learned')}
${polyline('learned+task')}
${points.map(dot).join('\n')}
${points
  .filter((s) => s.family === 'single' || s.family === 'oracle' || s.family === 'per-task' || s.family === 'seed')
  .map(label)
  .join('\n')}
<text x="${W / 2}" y="${H - 8}" text-anchor="middle" font-size="13">cost per prompt (log scale)</text>
<text x="16" y="${H / 2}" text-anchor="middle" font-size="13" transform="rotate(-90 16 ${H / 2})">quality</text>
</svg>`;
  const rows = result.strategies
    .map(
      (s) =>
        `<tr><td>${esc(s.name)}</td><td>${s.usesTaskLabel ? 'yes' : ''}</td><td>${s.quality.toFixed(3)}</td><td>${sharePct(s.qualityVsBest)}</td><td>$${s.costUsd.toFixed(6)}</td><td>${sharePct(s.saving)}</td></tr>`,
    )
    .join('\n');
  const legend = Object.entries(COLORS)
    .map(([k, c]) => `<span style="color:${c}">&#9679; ${k}</span>`)
    .join(' &nbsp; ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#111}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}</style></head>
<body><h1>${esc(title)}</h1>
<p>${result.testSize} held-out prompts (trained on ${result.trainSize}), ${result.models.length} models. Best single model: <b>${esc(result.bestSingle.name)}</b>.
Learned router (cost-aware) APGR <b>${result.apgr === undefined ? 'n/a' : result.apgr.toFixed(3)}</b>${result.baseline?.apgr === undefined ? '' : `, logistic-regression baseline ${result.baseline.apgr.toFixed(3)}`}.</p>
${result.versusBaseline ? `<p class="versus-baseline">${esc(describeVersusBaseline(result.versusBaseline, result.testSize))}.</p>` : ''}
${notes.map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
<p>${legend}</p>
${svg}
<table><thead><tr><th>strategy</th><th>task label</th><th>quality</th><th>vs best</th><th>cost / prompt</th><th>saving</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}
