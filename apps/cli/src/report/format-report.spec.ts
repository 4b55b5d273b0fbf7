import { type RollupRecord, buildOptimizerReport, recountRollups } from '@switchyard/analytics';
import { formatReport } from './format-report';

const T0 = Date.UTC(2026, 10, 2, 9);

function records(model: string, method: string, n: number, good: number, cost: number): RollupRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    tenant: i % 2 ? 'acme' : 'beta',
    completedAt: T0 + i * 1000,
    status: 'succeeded' as const,
    model,
    method,
    rule: 'code_generation',
    decision: { rule: 'code_generation', method },
    costUsd: cost,
    latency: { totalMs: 200 },
    feedback: { submittedAt: T0, feedbackId: `${model}-${i}`, success: i < good },
  }));
}

describe('formatReport', () => {
  it('prints the totals, the suggestion with its evidence, and the review', () => {
    const rows = [
      ...recountRollups([
        ...records('claude-3-sonnet', 'rule', 60, 24, 0.003),
        ...records('gpt-4o', 'explore', 20, 19, 0.002),
      ]).values(),
    ];
    const body = buildOptimizerReport({
      rows,
      window: { from: T0 - 3600_000, to: T0 + 3600_000 },
      outline: { version: 'p@1', rules: ['code_generation', 'greeting'], bands: [] },
    });
    const text = formatReport({ reportId: 'r7', createdAt: new Date(T0), body });
    expect(text).toContain('80 requests');
    expect(text).toContain('Suggestions (1)');
    expect(text).toContain('r7.1  rule code_generation: claude-3-sonnet -> gpt-4o (better)');
    expect(text).toMatch(/now +claude-3-sonnet: quality 0\.400 \(95% CI [\d.]+-[\d.]+\), n=60 labelled of 60/);
    expect(text).toMatch(/suggested +gpt-4o: quality 0\.950 .*n=20 labelled of 20/);
    expect(text).toMatch(/cost -\$0\.001000 per request/);
    expect(text).toContain('rules that matched no request: greeting');
    expect(text).not.toContain('prompt retention');
    const retained = formatReport({
      reportId: 'r8',
      createdAt: new Date(T0),
      body: { ...body, promptRetention: { days: 30, before: '2026-10-03T09:00:00.000Z', cleared: 1234 } },
    });
    expect(retained).toContain(
      'prompt retention 30 days: the routed text of 1234 records completed before 2026-10-03T09:00 UTC removed',
    );
  });
});
