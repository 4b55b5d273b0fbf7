import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { parse } from 'yaml';
import { exportedSeriesNames } from './metric-catalogue';

// The Grafana dashboard and the Prometheus rules under deploy/ against the metrics the code defines: a renamed
// metric must not leave a panel empty or an alert silently never firing.
const ROOT = join(__dirname, '..', '..', '..', '..');
const DASHBOARD = join(ROOT, 'deploy', 'grafana', 'switchyard-dashboard.json');
const RULES = join(ROOT, 'deploy', 'k8s', 'monitoring', 'prometheus-rules.yaml');

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'inf', 'nan']);

/** The series names a PromQL expression reads (not its functions, labels, strings, ranges or keywords). */
function seriesNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // strings
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges (and $__rate_interval)
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\$\w+/g, ' ');
  const names: string[] = [];
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*(\(?))/g)) {
    const [name, call] = [m[0], m[1]];
    if (call === '(' || KEYWORDS.has(name.toLowerCase())) continue;
    const before = bare[(m.index ?? 0) - 1];
    if (before !== undefined && /[0-9.]/.test(before)) continue; // 1e-9's e, 0.5's digits
    names.push(name);
  }
  return names;
}

/** Series names prom-client's collectDefaultMetrics exports on this Node version. */
async function processSeriesNames(): Promise<Set<string>> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const names = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${m.name}${s}`);
  }
  registry.clear();
  return names;
}

describe('monitoring files under deploy/', () => {
  let known: Set<string>;

  beforeAll(async () => {
    known = new Set([...exportedSeriesNames(), ...(await processSeriesNames())]);
  });

  describe(seriesNamesIn.name, () => {
    it('finds the series of an expression and nothing else', () => {
      expect(
        seriesNamesIn(
          'histogram_quantile(0.99, sum by (le, model) (rate(a_bucket{outcome="ok", x=~"b|c"}[$__rate_interval]))) / clamp_min(sum(b_total offset 1h), 1e-9) > 0.1 and on (model) c',
        ),
      ).toEqual(['a_bucket', 'b_total', 'c']);
    });
  });

  describe('the Grafana dashboard', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      uid: string;
      panels: Array<{ id: number; type: string; title: string; targets?: Array<{ expr: string }> }>;
    };
    const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

    it('is a dashboard with unique panel ids and a query on every panel that is not a row', () => {
      expect(dashboard.uid).toBe('switchyard-overview');
      const ids = dashboard.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(dashboard.panels.filter((p) => p.type !== 'row').every((p) => (p.targets?.length ?? 0) > 0)).toBe(true);
    });

    it('queries only metrics the code defines', () => {
      const unknown = queries.flatMap((q) =>
        seriesNamesIn(q.expr)
          .filter((n) => !known.has(n))
          .map((n) => `${q.panel}: ${n}`),
      );
      expect(unknown).toEqual([]);
      expect(queries.length).toBeGreaterThan(20);
    });

    it('shows every metric the code defines somewhere', () => {
      const used = new Set(queries.flatMap((q) => seriesNamesIn(q.expr)));
      const unused = [...exportedSeriesNames()].filter(
        (n) => !used.has(n) && !/_(sum|count|bucket)$/.test(n) && !used.has(`${n}_bucket`) && !used.has(`${n}_count`),
      );
      expect(unused).toEqual([]);
    });
  });

  describe('the Prometheus rules', () => {
    const doc = parse(readFileSync(RULES, 'utf8')) as {
      apiVersion: string;
      kind: string;
      spec: {
        groups: Array<{
          name: string;
          rules: Array<{
            alert?: string;
            expr: string;
            for?: string;
            labels?: Record<string, string>;
            annotations?: Record<string, string>;
          }>;
        }>;
      };
    };
    const rules = doc.spec.groups.flatMap((g) => g.rules);

    it('is a PrometheusRule whose alerts each say how bad, what and for how long', () => {
      expect(doc).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' });
      for (const r of rules) {
        expect(r.alert).toMatch(/^Switchyard[A-Z]\w+$/);
        expect(r.labels?.['severity']).toMatch(/^(critical|warning|info)$/);
        expect(r.annotations?.['summary']).toEqual(expect.any(String));
        expect(r.annotations?.['description']).toEqual(expect.any(String));
        if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smh]$/);
      }
      expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    });

    it('alerts on errors, latency, consumer lag and budgets, with metrics the code defines', () => {
      const unknown = rules.flatMap((r) =>
        seriesNamesIn(r.expr)
          .filter((n) => !known.has(n))
          .map((n) => `${r.alert}: ${n}`),
      );
      expect(unknown).toEqual([]);
      const alerts = rules.map((r) => r.alert);
      expect(alerts).toEqual(
        expect.arrayContaining([
          'SwitchyardHighErrorRate',
          'SwitchyardDecisionLatencyHigh',
          'SwitchyardProviderLatencyHigh',
          'SwitchyardConsumerLag',
          'SwitchyardTenantBudgetNearlySpent',
        ]),
      );
    });
  });
});
