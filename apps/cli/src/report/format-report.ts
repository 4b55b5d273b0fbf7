import type { OptimizerReportBody } from '@switchyard/analytics';
import type { StatsGroup } from '@switchyard/contracts';
import type { SuggestionEntity } from '@switchyard/persistence';
import { pct, table, usd } from '../demo/table';

const q = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
const rate = (x: number | null) => (x === null ? 'n/a' : pct(x));
const money = (x: number | null) => (x === null ? 'n/a' : usd(x));
const signed = (x: number, f: (x: number) => string) => `${x > 0 ? '+' : x < 0 ? '-' : ''}${f(Math.abs(x))}`;

/** The optimizer report as terminal text: spend, quality, the suggestions with their evidence, the review. */
export function formatReport(report: {
  reportId: string;
  createdAt: Date | string;
  body: OptimizerReportBody;
}): string {
  const b = report.body;
  const t = b.total;
  const lines: string[] = [];
  lines.push(
    `Optimizer report ${report.reportId} (made ${new Date(report.createdAt).toISOString().slice(0, 16)} UTC)`,
    `window ${b.window.from.slice(0, 16)} to ${b.window.to.slice(0, 16)} UTC (${b.window.days} days), policy ${b.policyVersion ?? 'unknown'}`,
    `${t.requests} requests, ${money(t.costUsd)} spent (${money(t.costPerRequestUsd)} per request), error rate ${rate(t.errorRate)}, ` +
      `mean quality ${q(t.avgQuality)} over ${t.qualityCount} labelled`,
    '',
    'Spend and quality by model',
    groupTable(b.byModel, 'model'),
    '',
    'Spend by tenant',
    table(
      ['tenant', 'requests', 'spend', 'per request', 'quality', 'labelled'],
      b.byTenant.map((g) => [
        g.key.tenant ?? '',
        g.requests,
        money(g.costUsd),
        money(g.costPerRequestUsd),
        q(g.avgQuality),
        g.qualityCount,
      ]),
    ),
    '',
    `Suggestions (${b.review.suggestions.length})`,
  );
  if (b.review.suggestions.length === 0)
    lines.push('  none: every rule and band with enough labels holds against the other models seen on its traffic');
  b.review.suggestions.forEach((s, i) =>
    lines.push(formatSuggestion({ ...s, suggestionId: `${report.reportId}.${i + 1}` })),
  );
  lines.push('', 'Rule review');
  lines.push(
    table(
      ['rule or band', 'routes to', 'requests', 'labelled', 'verdict'],
      b.review.targets.map((r) => [r.target.name, r.currentModel ?? 'n/a', r.requests, r.labelled, r.verdict]),
    ),
  );
  if (b.review.unmatchedRules.length > 0)
    lines.push(`rules that matched no request: ${b.review.unmatchedRules.join(', ')}`);
  if (b.review.unusedBands.length > 0) lines.push(`bands that got no request: ${b.review.unusedBands.join(', ')}`);
  if (b.byArm.some((g) => g.key.arm !== 'none')) lines.push('', 'Canary arms', groupTable(b.byArm, 'arm'));
  if (b.reconcile)
    lines.push(
      '',
      `rollups of ${b.reconcile.from.slice(0, 13)}h to ${b.reconcile.to.slice(0, 13)}h recounted from ${b.reconcile.records} records: ` +
        `${b.reconcile.rows} rows, ${b.reconcile.corrected} corrected`,
    );
  if (b.promptRetention)
    lines.push(
      `prompt retention ${b.promptRetention.days} days: the routed text of ${b.promptRetention.cleared} records ` +
        `completed before ${b.promptRetention.before.slice(0, 16)} UTC removed`,
    );
  return lines.join('\n');
}

/** One suggestion and its evidence, as a few indented lines. */
export function formatSuggestion(
  s: Omit<SuggestionEntity, 'reportId' | 'createdAt' | 'policyVersion' | 'status'> & { status?: string },
): string {
  const ev = (e: SuggestionEntity['current']) =>
    `${e.model}: quality ${q(e.avgQuality)}${e.qualityCi ? ` (95% CI ${e.qualityCi[0].toFixed(2)}-${e.qualityCi[1].toFixed(2)})` : ''}, ` +
    `n=${e.labelled} labelled of ${e.requests}, ${money(e.costPerRequestUsd)} per request`;
  return [
    `  ${s.suggestionId}${s.status ? ` [${s.status}]` : ''}  ${s.target.kind === 'rule' ? `rule ${s.target.name}` : s.target.name}: ${s.currentModel} -> ${s.suggestedModel} (${s.reason})`,
    `      now        ${ev(s.current)}`,
    `      suggested  ${ev(s.suggested)}`,
    `      expected   quality ${signed(s.deltaQuality, (x) => x.toFixed(3))} (95% CI ${s.deltaQualityCi[0].toFixed(3)} to ${s.deltaQualityCi[1].toFixed(3)}), ` +
      `cost ${signed(s.deltaCostPerRequestUsd, usd)} per request, ${signed(s.expectedCostChangeUsd, usd)} over the window's ${s.targetRequests} requests`,
  ].join('\n');
}

function groupTable(groups: StatsGroup[], dim: 'model' | 'arm'): string {
  return table(
    [dim, 'requests', 'spend', 'per request', 'errors', 'quality', 'labelled', 'p95 ms'],
    groups.map((g) => [
      g.key[dim] ?? '',
      g.requests,
      money(g.costUsd),
      money(g.costPerRequestUsd),
      rate(g.errorRate),
      q(g.avgQuality),
      g.qualityCount,
      g.p95LatencyMs === null ? 'n/a' : `<=${g.p95LatencyMs}`,
    ]),
  );
}
