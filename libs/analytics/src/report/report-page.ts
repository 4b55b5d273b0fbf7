/**
 * The optimizer report as a page. Served (rule-optimizer's `/report`), it is a shell with no data in it. The script asks the JSON API for the report
 * with the admin key (from the page's `#key=` fragment, which never leaves the browser, or typed into the
 * form, kept for the tab only) and draws it with Chart.js, served by this service: nothing from the internet.
 * Every value is put in the page as text, never as HTML. `staticReportPage` makes a file of it instead, with
 * the report and the chart library inside (`switchyard report --html FILE`).
 */
export const REPORT_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchyard optimizer report</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f5f6f8; }
  header { background: #1d2330; color: #fff; padding: 14px 24px; }
  header h1 { font-size: 18px; margin: 0; }
  header p { margin: 4px 0 0; color: #c9cfdb; }
  main { padding: 16px 24px; max-width: 1280px; }
  section { background: #fff; border-radius: 6px; padding: 14px 18px; margin: 0 0 16px; box-shadow: 0 1px 2px #0002; }
  h2 { font-size: 15px; margin: 0 0 10px; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
  .chart { position: relative; height: 300px; }
  .kpis { display: flex; flex-wrap: wrap; gap: 24px; }
  .kpi b { display: block; font-size: 20px; }
  .kpi span { color: #5b6475; font-size: 12px; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; }
  th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e3e6ec; vertical-align: top; }
  th { color: #5b6475; font-weight: 600; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .better { color: #0a7d32; } .worse { color: #b3261e; }
  .muted { color: #5b6475; }
  .empty { color: #5b6475; font-style: italic; }
  #error { color: #b3261e; white-space: pre-wrap; }
  form { display: flex; gap: 8px; align-items: center; }
  input { font: inherit; padding: 4px 6px; width: 360px; }
  code { background: #eef0f4; padding: 1px 4px; border-radius: 3px; }
</style>
</head>
<body>
<header>
  <h1>Switchyard optimizer report</h1>
  <p id="subtitle">loading</p>
</header>
<main>
  <section id="login" hidden>
    <h2>Admin key</h2>
    <form id="key-form"><input id="key" type="password" autocomplete="off" placeholder="an admin key (switchyard keys create --admin)"><button>Show report</button></form>
  </section>
  <p id="error" role="alert"></p>
  <div id="report" hidden>
    <section><h2>Window</h2><div class="kpis" id="kpis"></div></section>
    <section><h2>Suggestions</h2><p class="muted">Each compares the model a rule or band routes to with another model seen on the same traffic (exploration, fallback, canary). Apply one with <code>switchyard policy apply-suggestion ID</code>: it goes out through the canary, never to all traffic at once.</p><div id="suggestions"></div></section>
    <div class="grid">
      <section><h2>Cost per day, by model (USD)</h2><div class="chart"><canvas id="chart-spend" data-chart="spend"></canvas></div></section>
      <section><h2>Cost against quality, per model</h2><div class="chart"><canvas id="chart-models" data-chart="models"></canvas></div></section>
      <section><h2>Cost against quality, per rule and band</h2><div class="chart"><canvas id="chart-rules" data-chart="rules"></canvas></div></section>
      <section><h2>Cost per day, by tenant (USD)</h2><div class="chart"><canvas id="chart-tenants" data-chart="tenants"></canvas></div><div id="tenants"></div></section>
    </div>
    <section><h2>Rule review</h2><div id="review"></div></section>
    <section><h2>Quality by rule and model</h2><div id="rule-models"></div></section>
    <section><h2>Canary arms</h2><div id="arms"></div></section>
    <section><h2>Checks</h2><div id="checks"></div></section>
  </div>
</main>
<script src="report/chart.umd.min.js"></script>
<script>
(function () {
  'use strict';
  var COLORS = ['#3366cc', '#dc3912', '#ff9900', '#109618', '#990099', '#0099c6', '#dd4477', '#66aa00', '#b82e2e', '#316395'];
  var money = function (x) { return x === null || x === undefined ? 'n/a' : '$' + (x >= 1 ? x.toFixed(2) : x.toPrecision(3)); };
  var num = function (x, d) { return x === null || x === undefined ? 'n/a' : x.toFixed(d === undefined ? 3 : d); };
  var pct = function (x) { return x === null || x === undefined ? 'n/a' : (x * 100).toFixed(1) + '%'; };
  var signed = function (x, f) { return (x > 0 ? '+' : x < 0 ? '−' : '') + f(Math.abs(x)); };

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { e.append(c instanceof Node ? c : document.createTextNode(String(c))); });
    return e;
  }
  function table(headers, rows, numeric) {
    if (rows.length === 0) return el('p', { class: 'empty' }, ['nothing in this window']);
    var head = el('tr', {}, headers.map(function (h) { return el('th', {}, [h]); }));
    var body = rows.map(function (r) {
      return el('tr', {}, r.map(function (c, i) { return el('td', numeric && numeric[i] ? { class: 'num' } : {}, [c instanceof Node ? c : String(c)]); }));
    });
    return el('table', {}, [el('thead', {}, [head]), el('tbody', {}, body)]);
  }
  function fill(id, node) { var t = document.getElementById(id); t.replaceChildren(node); }

  function key() {
    var m = /(?:^|&)key=([^&]+)/.exec(location.hash.slice(1));
    if (m) { sessionStorage.setItem('switchyard-admin-key', decodeURIComponent(m[1])); history.replaceState(null, '', location.pathname + location.search); }
    return sessionStorage.getItem('switchyard-admin-key');
  }

  function load() {
    var embedded = document.getElementById('report-data');
    if (embedded) return Promise.resolve(JSON.parse(embedded.textContent));
    var k = key();
    var id = new URLSearchParams(location.search).get('report');
    var url = 'v1/optimizer/reports/' + (id ? encodeURIComponent(id) : 'latest');
    return fetch(url, { headers: k ? { authorization: 'Bearer ' + k } : {} }).then(function (res) {
      return res.json().then(function (body) {
        if (res.status === 401 || res.status === 403) {
          document.getElementById('login').hidden = false;
          throw new Error((body.error && body.error.message) || 'an admin key is required');
        }
        if (!res.ok) throw new Error((body.error && body.error.message) || 'HTTP ' + res.status);
        return body;
      });
    });
  }

  function scatter(canvasId, groups, label) {
    var points = groups.filter(function (g) { return g.costPerRequestUsd !== null && g.avgQuality !== null; });
    var datasets = points.map(function (g, i) {
      return { label: label(g) + ' (n=' + g.qualityCount + ')', data: [{ x: g.costPerRequestUsd, y: g.avgQuality }], backgroundColor: COLORS[i % COLORS.length], pointRadius: 4 + Math.min(10, Math.sqrt(g.requests) / 4) };
    });
    var canvas = document.getElementById(canvasId);
    if (points.length === 0) canvas.parentNode.replaceChildren(el('p', { class: 'empty' }, ['no labelled requests in this window']));
    else new Chart(canvas, { type: 'scatter', data: { datasets: datasets }, options: { animation: false, maintainAspectRatio: false,
      scales: { x: { type: 'logarithmic', ticks: { maxTicksLimit: 6 }, title: { display: true, text: 'cost per request (USD, log scale)' } }, y: { min: 0, max: 1, title: { display: true, text: 'mean quality (0..1)' } } },
      plugins: { legend: { position: 'bottom' } } } });
    return points.length;
  }

  /** Cost per day stacked by one dimension; returns the cells with spend. */
  function stacked(canvasId, cells, dim) {
    var days = []; var values = [];
    cells.forEach(function (c) { if (days.indexOf(c.day) < 0) days.push(c.day); if (values.indexOf(c[dim]) < 0) values.push(c[dim]); });
    var points = cells.filter(function (c) { return c.costUsd > 0; }).length;
    var canvas = document.getElementById(canvasId);
    if (points === 0) canvas.parentNode.replaceChildren(el('p', { class: 'empty' }, ['no spend in this window']));
    else new Chart(canvas, { type: 'bar', data: { labels: days, datasets: values.map(function (v, i) {
      return { label: v, backgroundColor: COLORS[i % COLORS.length], data: days.map(function (d) { var c = cells.find(function (x) { return x.day === d && x[dim] === v; }); return c ? c.costUsd : 0; }) };
    }) }, options: { animation: false, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'USD' } } } } });
    return points;
  }

  function render(report) {
    var b = report.body;
    document.getElementById('subtitle').textContent = 'report ' + report.reportId + ' · ' + b.window.from.slice(0, 16) + ' to ' + b.window.to.slice(0, 16) + ' UTC · policy ' + (b.policyVersion || 'unknown') + ' · made ' + new Date(report.createdAt).toISOString().slice(0, 16);
    var t = b.total;
    fill('kpis', el('div', { class: 'kpis' }, [
      ['requests', t.requests], ['spend', money(t.costUsd)], ['cost per request', money(t.costPerRequestUsd)], ['error rate', pct(t.errorRate)],
      ['mean quality', num(t.avgQuality)], ['labelled', t.qualityCount], ['p95 latency', t.p95LatencyMs === null ? 'n/a' : '≤ ' + t.p95LatencyMs + ' ms'],
    ].map(function (k) { return el('div', { class: 'kpi' }, [el('b', {}, [k[1]]), el('span', {}, [k[0]])]); })));

    var s = b.review.suggestions;
    fill('suggestions', s.length === 0 ? el('p', { class: 'empty' }, ['no suggestion: every rule with enough labels holds against what was seen on its traffic']) :
      table(['id', 'target', 'change', 'why', 'quality now (n, 95% CI)', 'quality suggested (n, 95% CI)', 'Δ quality (95% CI)', 'Δ cost / request', 'Δ cost over window'],
        s.map(function (x, i) {
          var ci = function (e) { return num(e.avgQuality) + ' (n=' + e.labelled + (e.qualityCi ? ', ' + num(e.qualityCi[0], 2) + '–' + num(e.qualityCi[1], 2) : '') + ')'; };
          return [report.reportId + '.' + (i + 1), (x.target.kind === 'rule' ? 'rule ' : '') + x.target.name, x.currentModel + ' → ' + x.suggestedModel, x.reason, ci(x.current), ci(x.suggested),
            el('span', { class: x.deltaQuality >= 0 ? 'better' : 'worse' }, [signed(x.deltaQuality, num) + ' (' + num(x.deltaQualityCi[0]) + '…' + num(x.deltaQualityCi[1]) + ')']),
            el('span', { class: x.deltaCostPerRequestUsd <= 0 ? 'better' : 'worse' }, [signed(x.deltaCostPerRequestUsd, money)]), signed(x.expectedCostChangeUsd, money)];
        }), { 7: true, 8: true }));

    var spendPoints = stacked('chart-spend', b.spendByDay, 'model');
    var tenantPoints = stacked('chart-tenants', b.spendByTenantDay || [], 'tenant');

    var modelPoints = scatter('chart-models', b.byModel, function (g) { return g.key.model; });
    var rulePoints = scatter('chart-rules', b.byRule, function (g) { return g.key.rule; });

    fill('tenants', table(['tenant', 'requests', 'spend', 'cost / request', 'mean quality (n)', 'error rate'], b.byTenant.map(function (g) {
      return [g.key.tenant, g.requests, money(g.costUsd), money(g.costPerRequestUsd), num(g.avgQuality) + ' (' + g.qualityCount + ')', pct(g.errorRate)];
    }), { 1: true, 2: true, 3: true }));

    var notes = [];
    if (b.review.unmatchedRules.length) notes.push(el('p', {}, ['Rules that matched no request: ' + b.review.unmatchedRules.join(', ')]));
    if (b.review.unusedBands.length) notes.push(el('p', {}, ['Bands that got no request: ' + b.review.unusedBands.join(', ')]));
    var o = b.review.options;
    notes.push(el('p', { class: 'muted' }, ['Judged with at least ' + o.minSamples + ' labels on the rule\\'s own model and ' + o.minAlternativeSamples + ' on another; threshold ' + o.qualityThreshold + '.']));
    notes.push(table(['rule or band', 'routes to', 'requests', 'labelled', 'models seen (quality, n)', 'verdict'], b.review.targets.map(function (r) {
      return [r.target.name, r.currentModel || 'n/a', r.requests, r.labelled, r.models.map(function (m) { return m.model + ' ' + num(m.avgQuality, 2) + ' (' + m.labelled + ')'; }).join(', '), r.verdict];
    }), { 2: true, 3: true }));
    fill('review', el('div', {}, notes));

    fill('rule-models', table(['rule or band', 'model', 'requests', 'mean quality', 'labelled', 'cost / request', 'p95 latency'], b.byRuleModel.map(function (g) {
      return [g.key.rule, g.key.model, g.requests, num(g.avgQuality), g.qualityCount, money(g.costPerRequestUsd), g.p95LatencyMs === null ? 'n/a' : '≤ ' + g.p95LatencyMs + ' ms'];
    }), { 2: true, 3: true, 4: true, 5: true }));
    fill('arms', table(['arm', 'requests', 'mean quality (n)', 'cost / request', 'error rate'], b.byArm.map(function (g) {
      return [g.key.arm, g.requests, num(g.avgQuality) + ' (' + g.qualityCount + ')', money(g.costPerRequestUsd), pct(g.errorRate)];
    }), { 1: true, 3: true }));
    var r = b.reconcile;
    fill('checks', el('p', {}, [r ? 'Rollups of ' + r.from.slice(0, 13) + 'h to ' + r.to.slice(0, 13) + 'h recounted from ' + r.records + ' records: ' + r.rows + ' rows, ' + r.corrected + ' corrected.' : 'No recount in this run.']));

    document.getElementById('report').hidden = false;
    document.body.dataset.ready = 'true';
    document.body.dataset.points = JSON.stringify({ spend: spendPoints, tenants: tenantPoints, models: modelPoints, rules: rulePoints });
  }

  document.getElementById('key-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    sessionStorage.setItem('switchyard-admin-key', document.getElementById('key').value.trim());
    document.getElementById('error').textContent = '';
    load().then(function (r) { document.getElementById('login').hidden = true; render(r); }, show);
  });
  function show(err) { document.getElementById('error').textContent = String(err && err.message || err); document.body.dataset.ready = 'error'; }
  load().then(render, show);
})();
</script>
</body>
</html>
`;

const CHART_TAG = '<script src="report/chart.umd.min.js"></script>';

/** The page's chart library: Chart.js's browser build, a file next to the package's main entry. */
export const CHART_FILE = 'chart.umd.min.js';

/** The page as one self-contained file: the chart library and the report inline, nothing fetched. */
export function staticReportPage(report: unknown, chartLibrary: string): string {
  // JSON inside a script element: "<" escaped, so no value can close the element.
  const data = JSON.stringify(report).replace(/</g, '\\u003c');
  if (/<\/script/i.test(chartLibrary)) throw new Error('the chart library contains "</script": it cannot be inlined');
  const i = REPORT_PAGE_HTML.indexOf(CHART_TAG);
  return (
    REPORT_PAGE_HTML.slice(0, i) +
    `<script type="application/json" id="report-data">${data}</script>\n<script>${chartLibrary}</script>` +
    REPORT_PAGE_HTML.slice(i + CHART_TAG.length)
  );
}
